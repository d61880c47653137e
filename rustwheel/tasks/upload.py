"""Upload as doit tasks: one ``upload:<file name>`` task per wheel or sdist, up to date once
the file (by its sha256) is recorded as being on the repository
(`rustwheel.stages.upload.state`), so a publish interrupted halfway uploads only what is
missing when it runs again.

The action and the `Uploaded` check are module-level with plain arguments, so that the tasks
pickle for ``doit -n``. Credentials given to `upload_task_dicts` travel in the action's
arguments only (never in the task's name, doc or values); without them the action resolves
them itself, non-interactively (a user's ``dodo.py``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Optional, Union

TaskDict = dict[str, Any]


class Uploaded:
    """doit ``uptodate`` item: True once the file's bytes are recorded on the repository."""

    def __init__(self, path: str, repository_url: str, state_dir: str) -> None:
        self.path, self.repository_url, self.state_dir = path, repository_url, state_dir

    def __call__(self) -> bool:
        from rustwheel.stages.upload import state
        from rustwheel.stages.upload.distfile import file_digests

        try:
            sha256 = file_digests(Path(self.path))[0]
        except OSError:
            return False
        return state.uploaded(Path(self.state_dir), self.repository_url, sha256)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.path!r})"


_resolved: dict[tuple[str, str], Any] = {}
"""Credentials resolved by the actions of this process, by repository (a trusted-publishing
token is minted once per run, not once per file)."""


def _credentials(settings: Any, given: Optional[Mapping[str, str]]) -> Any:
    from rustwheel.stages.upload import credentials, repository

    if given is not None:
        return credentials.Credentials(**given)
    name, url = settings.repository_name, settings.repository_url
    if (name, url) not in _resolved:
        repo = repository.resolve(None if name == url else name, url)
        _resolved[name, url] = credentials.resolve(repo, verbose=bool(settings.verbose))
    return _resolved[name, url]


def upload_action(path: str, settings: Mapping[str, Any],
                  given: Optional[Mapping[str, str]] = None) -> Union[dict[str, str], Any]:
    """The task's action: upload ``path``; a user error is a one-line failure."""
    from doit.exceptions import TaskFailed

    from rustwheel.errors import RustwheelError
    from rustwheel.stages.upload.run import Settings, Upload, upload_file
    from rustwheel.tasks.execute import USER_ERROR_PREFIX

    s = Settings(**settings)
    try:
        outcome = upload_file(path, Upload(s, _credentials(s, given)))
    except RustwheelError as exc:
        return TaskFailed(USER_ERROR_PREFIX + str(exc))
    return {"upload": outcome}


def upload_task_dicts(files: Sequence[str], settings: Any,
                      credentials: Optional[Any] = None) -> Iterator[TaskDict]:
    """``upload:<file name>`` for each file (``settings``: a
    `rustwheel.stages.upload.run.Settings`), after the group task ``upload``."""
    plain = dataclasses.asdict(settings)
    given = None if credentials is None else dataclasses.asdict(credentials)
    yield {"basename": "upload", "name": None, "doc": "upload the wheels and the sdist"}
    for path in dict.fromkeys(str(Path(p).resolve()) for p in files):
        yield {"basename": "upload", "name": Path(path).name,
               "actions": [(upload_action, [path, plain, given])], "file_dep": [path],
               "uptodate": [Uploaded(path, settings.repository_url, settings.state_dir)],
               "verbosity": 2}


def checked_upload_tasks(files: Sequence[str], settings: Any,
                         credentials: Optional[Any] = None) -> Iterator[TaskDict]:
    """`upload_task_dicts` once every file passed the checks; else one failing
    ``upload:check`` task (nothing is sent when one file is bad)."""
    from rustwheel.errors import RustwheelError
    from rustwheel.stages.upload.run import check_files
    from rustwheel.tasks.sdist import fail

    try:
        check_files(list(files))
    except RustwheelError as exc:
        yield {"basename": "upload", "name": "check", "actions": [(fail, [str(exc)])],
               "verbosity": 2}
        return
    yield from upload_task_dicts(files, settings, credentials)
