"""Run task dicts with doit, in-process, with rustwheel's database, checker and reporter."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from rustwheel.tasks.reporter import RunLog, reporter_class

BACKEND = "rustwheel-sqlite3"
BACKEND_PLUGIN = {"BACKEND": {BACKEND: "rustwheel.tasks.database:CommittingSqliteDB"}}
TaskDict = dict[str, Any]


def doit_config(dep_file: Path) -> dict[str, Any]:
    """What doit needs: the committing sqlite3 backend at ``dep_file`` and the checker."""
    from rustwheel.tasks.checker import FastChecker

    return {"dep_file": str(dep_file), "backend": BACKEND, "verbosity": 2,
            "check_file_uptodate": FastChecker}


def _names(tasks: Sequence[Any]) -> list[str]:
    """``detect``, ``compile:<cell>``, ...: the tasks that run something (a delayed loader's
    tasks are not known yet)."""
    return [f"{t['basename']}:{t['name']}" if t.get("name") else t["basename"]
            for t in tasks if isinstance(t, dict) and t.get("actions")]


def run_tasks(tasks: Sequence[Any], dep_file: Path, log: RunLog,
              doit_args: Sequence[str] = (), live: bool = True) -> int:
    """doit ``run`` over ``tasks``, shown as they go (`rustwheel.tasks.display`; plain lines
    unless ``live``); returns doit's exit code (what ran, and when, is in ``log``)."""
    from doit.cmd_base import TaskLoader2
    from doit.doit_cmd import DoitMain
    from doit.loader import generate_tasks

    from rustwheel.tasks.display import showing

    class Loader(TaskLoader2):  # type: ignore[misc]
        def setup(self, opt_values: Any) -> None:
            pass

        def load_doit_config(self) -> dict[str, Any]:
            return {**doit_config(dep_file), "reporter": reporter_class(log)}

        def load_tasks(self, cmd: Any, pos_args: Any) -> list[Any]:
            # copies: doit takes the dicts apart (a delayed loader comes as a Task)
            return list(generate_tasks("rustwheel", (
                dict(t) if isinstance(t, dict) else t for t in tasks)))

    names = _names(tasks)
    with showing(log, names) if live else nullcontext(), _without_entry_points():
        main = DoitMain(Loader(), config_filenames=(), extra_config=BACKEND_PLUGIN)
        log.begin()
        try:
            return int(main.run(["run", *doit_args]))
        finally:
            log.end(names)


@contextmanager
def _without_entry_points() -> Iterator[None]:
    """doit looks its plugins up in every installed distribution's entry points, three scans
    a run (~5 ms); rustwheel's run names its backend in ``extra_config`` and needs none. Put
    back afterwards: a user's doit in the same process keeps its plugins."""
    import doit.plugin

    saved = doit.plugin.entry_points_impl
    doit.plugin.entry_points_impl = lambda: (lambda group: ())
    try:
        yield
    finally:
        doit.plugin.entry_points_impl = saved
