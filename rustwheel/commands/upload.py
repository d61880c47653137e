"""``rustwheel upload FILES...`` and ``rustwheel publish``: check every file first (no request
for a bad one), find the repository and the credentials, then run one ``upload:<file>`` task
per file with doit. ``publish`` builds the release graph first (the wheels for the matrix the
build options give, and the sdist) and uploads what it built."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Sequence
from typing import Any


def add_upload_arguments(parser: argparse.ArgumentParser, *, publish: bool = False) -> None:
    """The repository, credential and upload flags (``publish``: without those the build
    flags already have)."""
    add = parser.add_argument
    add("-r", "--repository", metavar="NAME",
        help="pypi (default), testpypi, or a .pypirc section; env RUSTWHEEL_REPOSITORY")
    add("--repository-url", metavar="URL",
        help="the upload URL (e.g. https://upload.pypi.org/legacy/); env "
             "RUSTWHEEL_REPOSITORY_URL")
    add("-u", "--username", metavar="USER", help="user name (env RUSTWHEEL_USERNAME)")
    add("-p", "--password", metavar="PASSWORD",
        help="password or API token (env RUSTWHEEL_PASSWORD; a token: RUSTWHEEL_PYPI_TOKEN)")
    add("--config-file", metavar="PYPIRC", help="the .pypirc to read (default: ~/.pypirc)")
    add("--skip-existing", action="store_true",
        help="skip a file the index already holds with the same sha256 (any index); the same "
             "name with other bytes is an error")
    add("--check-url", metavar="URL",
        help="the simple index asked whether a file is there (default: beside the upload URL)")
    add("--non-interactive", action="store_true",
        help="never prompt for credentials (implied by CI=true)")
    if not publish:
        add("files", nargs="+", metavar="FILE", help="the wheels and sdists to upload")
        add("--cache-dir", metavar="DIR",
            help="where uploads are recorded (default: the store's directory)")
        add("-v", "--verbose", action="count", default=0,
            help="log each request (without its Authorization header)")
        add("-q", "--quiet", action="store_true", help="print less")


def _settings(ns: argparse.Namespace) -> tuple[Any, Any]:
    """(the upload `Settings`, the credentials) of the command line."""
    from rustwheel.stages.upload import credentials, repository, state
    from rustwheel.stages.upload.run import Settings

    repo = repository.resolve(ns.repository, ns.repository_url, ns.config_file)
    interactive = not credentials.non_interactive(ns.non_interactive)
    creds = credentials.resolve(repo, ns.username, ns.password, interactive,
                                verbose=bool(ns.verbose))
    settings = Settings(repo.url, repo.name, str(state.state_dir(ns.cache_dir)),
                        ns.check_url or "", ns.skip_existing, ns.verbose)
    return settings, creds


def _say_who(settings: Any, creds: Any) -> None:
    from rustwheel import ui

    ui.note(f"uploading to {settings.repository_name} as {creds.username} (credentials from "
            f"{creds.source})")


def upload(files: Sequence[str], ns: argparse.Namespace, settings: Any, creds: Any) -> int:
    """Upload ``files`` (checked); 0, or a `BuildError` naming each failed file."""
    from pathlib import Path

    from rustwheel.results import BuildError
    from rustwheel.tasks.reporter import RunLog
    from rustwheel.tasks.runner import run_tasks
    from rustwheel.tasks.upload import upload_task_dicts

    if ns.verbose:
        _say_who(settings, creds)
    log = RunLog(quiet=ns.quiet, cells=len(files))
    tasks = list(upload_task_dicts(files, settings, creds))
    state = Path(settings.state_dir)
    state.mkdir(parents=True, exist_ok=True)
    code = run_tasks(tasks, state / "doit.sqlite3", log, live=False)
    if code != 0 and not log.failed:
        log.other_errors.append(f"doit stopped with exit code {code}")
    if log.failed:
        raise BuildError(log.user_errors, log.other_errors, log.results)
    return 0


def cmd_upload(ns: argparse.Namespace) -> int:
    """Check every file (no request for a bad one), then find the credentials and upload."""
    from rustwheel.stages.upload.run import check_files

    check_files(list(ns.files))
    return upload(ns.files, ns, *_settings(ns))


def cmd_publish(ns: argparse.Namespace, rustc_args: Sequence[str]) -> int:
    """Find the repository and credentials, then run the release graph (wheels and sdist)
    with one ``upload:<file>`` task per file it wrote; print the files."""
    import sys

    from rustwheel.api import BuildError, publish
    from rustwheel.commands.options import build_options
    from rustwheel.tasks.display import live_wanted
    from rustwheel.tasks.upload import checked_upload_tasks

    settings, creds = _settings(ns)  # before the build: a missing credential fails at once
    if ns.verbose:
        _say_who(settings, creds)
    options = build_options(ns, rustc_args)
    settings = dataclasses.replace(settings, progress=not live_wanted(sys.stderr, ns.quiet))

    try:
        result = publish(options, lambda files: checked_upload_tasks(files, settings, creds))
    except BuildError as exc:
        for wheel in exc.wheels:
            print(wheel)
        raise
    for path in [result.sdist, *result.wheels] if result.sdist else result.wheels:
        print(path)
    return 0
