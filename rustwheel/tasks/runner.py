"""Run the build's task graph with doit, in-process."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rustwheel.plan.cells import BuildPlan
from rustwheel.tasks.reporter import RunLog, reporter_class
from rustwheel.tasks.statelock import locked

BACKEND = "rustwheel-sqlite3"
BACKEND_PLUGIN = {"BACKEND": {BACKEND: "rustwheel.tasks.database:CommittingSqliteDB"}}


def doit_config(plan: BuildPlan) -> dict[str, Any]:
    from rustwheel.tasks.checker import FastChecker

    FastChecker.use_cache_file(plan.state_dir / "file-digests.json")
    return {"dep_file": str(plan.db_file), "backend": BACKEND, "verbosity": 2,
            "check_file_uptodate": FastChecker}


def run_plan(plan: BuildPlan, log: RunLog, doit_args: Sequence[str] = ()) -> int:
    """Execute detect → compile → wheel for every cell; returns doit's exit code."""
    from doit.cmd_base import TaskLoader2
    from doit.doit_cmd import DoitMain
    from doit.loader import generate_tasks

    from rustwheel.tasks.checker import FastChecker
    from rustwheel.tasks.pipeline import GENERATORS

    plan.state_dir.mkdir(parents=True, exist_ok=True)

    class Loader(TaskLoader2):  # type: ignore[misc]
        def setup(self, opt_values: Any) -> None:
            pass

        def load_doit_config(self) -> dict[str, Any]:
            cfg = doit_config(plan)
            cfg["reporter"] = reporter_class(log)
            return cfg

        def load_tasks(self, cmd: Any, pos_args: Any) -> list[Any]:
            tasks = []
            for name, gen in GENERATORS.items():
                tasks += generate_tasks(name, gen(plan))
            return tasks

    main = DoitMain(Loader(), config_filenames=(), extra_config=BACKEND_PLUGIN)
    with locked(plan.state_dir, quiet=log.quiet):
        try:
            return int(main.run(["run", *doit_args]))
        finally:
            FastChecker.cache.save()
