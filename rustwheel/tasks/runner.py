"""Run task dicts with doit, in-process, with rustwheel's database, checker and reporter."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from rustwheel.tasks.reporter import RunLog, reporter_class

BACKEND = "rustwheel-sqlite3"
VERBOSITY = 2
"""doit's verbosity for rustwheel's tasks: their output is not captured (cargo's goes to the
terminal as it comes)."""
TaskDict = dict[str, Any]


def _names(tasks: Sequence[Any]) -> list[str]:
    """``detect``, ``compile:<cell>``, ...: the tasks that run something (a delayed loader's
    tasks are not known yet)."""
    return [f"{t['basename']}:{t['name']}" if t.get("name") else t["basename"]
            for t in tasks if isinstance(t, dict) and t.get("actions")]


def run_tasks(tasks: Sequence[Any], dep_file: Path, log: RunLog, jobs: int = 1,
              live: bool = True) -> int:
    """Run ``tasks`` with doit, every one that can run even after a failure (doit's
    ``--continue``), in ``jobs`` processes; shown as they go (`rustwheel.tasks.display`; plain
    lines unless ``live``). Returns doit's exit code (what ran, and when, is in ``log``).

    doit's `TaskControl` and `Runner` are driven as its ``run`` command does, with rustwheel's
    database, checker and reporter, and without its command line (`rustwheel.tasks.doitcore`).
    """
    from doit.control import TaskControl
    from doit.dependency import JSONCodec
    from doit.globals import Globals
    from doit.loader import generate_tasks
    from doit.runner import MRunner, Runner
    from doit.task import Stream

    from rustwheel.tasks.checker import FastChecker
    from rustwheel.tasks.database import CommittingSqliteDB, TaskDependency
    from rustwheel.tasks.display import showing

    names = _names(tasks)
    # copies: doit takes the dicts apart (a delayed loader comes as a Task)
    control = TaskControl(list(generate_tasks("rustwheel", (
        dict(t) if isinstance(t, dict) else t for t in tasks))))
    control.process(None)
    deps = TaskDependency(CommittingSqliteDB, str(dep_file), checker_cls=FastChecker,
                          codec_cls=JSONCodec)
    Globals.dep_manager = deps
    reporter = reporter_class(log)(sys.stdout, {"failure_verbosity": 0})
    run_args = (deps, reporter, True, False, Stream(VERBOSITY))
    runner = MRunner(*run_args, jobs) if jobs > 1 else Runner(*run_args)
    with showing(log, names) if live else nullcontext():
        log.begin()
        try:
            return int(runner.run_all(control.task_dispatcher()))
        finally:
            log.end(names)
