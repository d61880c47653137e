"""rustwheel's task graph for doit, in your own ``dodo.py``:

    from rustwheel.tasks import DOIT_CONFIG, wheel_tasks

    def task_wheel():
        yield from wheel_tasks(release=True, out="dist")

`wheel_tasks` takes the options of `rustwheel.build` and yields the graph's task dicts
(``detect``, ``compile:<cell>``, ``repair:<cell>``, ``wheel:<cell>``, ...), so ``doit list``,
``doit``, ``doit info``, ``doit forget``, ``doit clean`` and ``doit -n 2`` work on them and your
own tasks can depend on them (``"task_dep": ["wheel"]``, or ``"uptodate":
[result_dep("wheel")]`` to run again only when a wheel was rewritten; ``"getargs": {"wheels":
("wheel", "wheel")}`` gives the wheel paths by cell). `DOIT_CONFIG` holds what doit needs:
rustwheel's checker, the sqlite3 backend committed after every task, and the database
location (``.doit.sqlite3`` beside the dodo.py).

`upload_tasks` adds ``upload:<file>`` tasks that upload the built wheels once a task of yours
(e.g. ``test``) has run:

    def task_upload():
        yield from upload_tasks(after="test", repository="testpypi", release=True, out="dist")
"""

from __future__ import annotations

import atexit
from collections.abc import Iterator
from typing import Any, Optional

from rustwheel.tasks import doitcore

doitcore.load()  # before any of doit's modules: none of rustwheel's runs needs its command line

TaskDict = dict[str, Any]
DEP_FILE = ".doit.sqlite3"


def _doit_config() -> dict[str, Any]:
    from importlib.metadata import entry_points

    from rustwheel.tasks.checker import FastChecker
    from rustwheel.tasks.runner import BACKEND

    # doit finds backends through entry points: rustwheel's is there once rustwheel is
    # installed; from a bare checkout, doit's own sqlite3 backend reads the same database.
    installed = any(e.name == BACKEND for e in entry_points(group="doit.BACKEND"))
    return {"backend": BACKEND if installed else "sqlite3", "dep_file": DEP_FILE,
            "check_file_uptodate": FastChecker, "verbosity": 2}


def __getattr__(name: str) -> Any:
    if name == "DOIT_CONFIG":  # computed on first use: `rustwheel build` never needs it
        config = _doit_config()
        globals()["DOIT_CONFIG"] = config
        return config
    raise AttributeError(name)


_locks: list[Any] = []


def wheel_tasks(**options: Any) -> Iterator[TaskDict]:
    """The task dicts of the build `rustwheel.build(**options)` would run.

    The crate's state directory stays locked while the doit process runs, so that a
    ``rustwheel build`` of the same crate waits instead of interleaving with it."""
    from doit.exceptions import InvalidDodoFile

    from rustwheel.errors import RustwheelError
    from rustwheel.freshness.facts import DigestCache
    from rustwheel.freshness.stamp import stamps_of
    from rustwheel.options import BuildOptions
    from rustwheel.plan.resolve import plan_build
    from rustwheel.tasks import pipeline, statelock

    opts = BuildOptions(**options)
    try:
        stamps = stamps_of(opts)
        resolved = plan_build(opts, stamps[1] if stamps is not None else None)
    except RustwheelError as exc:  # doit prints it as one "ERROR: ..." line
        raise InvalidDodoFile(f"rustwheel: {exc}") from None
    _locks.append(statelock.acquire(resolved.state_dir, quiet=opts.quiet))
    atexit.register(DigestCache.shared().save)
    yield from pipeline.doit_tasks(resolved.graph)


def _upload_settings(repository: Optional[str], repository_url: Optional[str],
                     skip_existing: bool, check_url: Optional[str],
                     cache_dir: Optional[str]) -> Any:
    from rustwheel.stages.upload import repository as repositories
    from rustwheel.stages.upload import state
    from rustwheel.stages.upload.run import Settings

    repo = repositories.resolve(repository, repository_url)
    return Settings(repo.url, repo.name, str(state.state_dir(cache_dir)), check_url or "",
                    skip_existing)


def upload_tasks(files: Optional[list[str]] = None, *, after: Optional[str] = "wheel",
                 repository: Optional[str] = None, repository_url: Optional[str] = None,
                 skip_existing: bool = False, check_url: Optional[str] = None,
                 **options: Any) -> Iterator[Any]:
    """``upload:<file name>`` tasks, run once the task ``after`` has run: for ``files``, or
    (without them) for the wheels the build `wheel_tasks(**options)` describes, known once it
    ran. Credentials come from the environment, ``.pypirc``, keyring or trusted publishing
    (never a prompt); the options are those of ``rustwheel upload``. A file recorded as
    uploaded to the repository is up to date."""
    from doit.exceptions import InvalidDodoFile
    from doit.task import DelayedLoader, Task

    from rustwheel.errors import RustwheelError
    from rustwheel.tasks.upload import upload_task_dicts

    try:
        settings = _upload_settings(repository, repository_url, skip_existing, check_url,
                                    options.get("cache_dir"))
    except RustwheelError as exc:
        raise InvalidDodoFile(f"rustwheel: {exc}") from None
    if files is not None:
        for task in upload_task_dicts(files, settings):
            yield {**task, "task_dep": [after]} if after and "actions" in task else task
        return

    def created() -> Iterator[TaskDict]:
        yield from upload_task_dicts(_built_wheels(options), settings)

    yield Task("upload", None, loader=DelayedLoader(created, executed=after),
               doc="upload the wheels (created once they are built)")


def _built_wheels(options: dict[str, Any]) -> list[str]:
    from rustwheel.freshness.stamp import stamps_of
    from rustwheel.options import BuildOptions
    from rustwheel.plan.resolve import plan_build
    from rustwheel.tasks.pipeline import built_wheels

    opts = BuildOptions(**options)
    stamps = stamps_of(opts)
    return built_wheels(plan_build(opts, stamps[1] if stamps is not None else None).graph)
