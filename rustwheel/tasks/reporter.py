"""A doit reporter that prints one line per stage (ran / restored / up to date / failed, with
its duration) and keeps what happened for `rustwheel.build`'s result."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar, Optional, TextIO

from rustwheel import ui
from rustwheel.results import StageResult
from rustwheel.tasks.execute import USER_ERROR_PREFIX


@dataclass
class RunLog:
    """What happened in one run; filled in by the reporter."""

    results: list[StageResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """Warnings stages gave (handed back in their task values)."""
    user_errors: list[str] = field(default_factory=list)
    other_errors: list[str] = field(default_factory=list)
    quiet: bool = False
    stream: TextIO = sys.stderr
    cells: int = 1
    """How many cells the graph has."""

    @property
    def failed(self) -> bool:
        return bool(self.user_errors or self.other_errors)

    def add(self, task: str, status: str, seconds: Optional[float] = None,
            message: Optional[str] = None) -> None:
        self.results.append(StageResult(task, status, seconds or 0.0, message))
        if not self.quiet:
            ui.stage_line(status, task, seconds, self.stream)

    def failure(self, task: Any, fail: Any, seconds: float) -> None:
        from doit.exceptions import UnmetDependency

        if isinstance(fail, UnmetDependency):  # a stage before it failed: said there
            if task.actions:  # not the group tasks
                self.add(task.name, "skipped")
            return
        message = getattr(fail, "message", "") or ""
        if message.startswith(USER_ERROR_PREFIX):
            message = message[len(USER_ERROR_PREFIX):]
            # With several cells, the error says which one it is about.
            self.user_errors.append(f"{task.name}: {message}" if self.cells > 1 else message)
        else:
            text = fail.get_msg() if hasattr(fail, "get_msg") else str(fail)
            self.other_errors.append(f"task {task.name} failed:\n{text}")
        self.add(task.name, "failed", seconds, message)


class StageReporter:
    """doit's reporter interface; `reporter_class` binds it to a `RunLog`."""

    desc = "one line per stage (rustwheel)"
    log: ClassVar[RunLog]

    def __init__(self, outstream: Any, options: Any) -> None:
        self._start: dict[str, float] = {}

    def _seconds(self, task: Any) -> float:
        return time.monotonic() - self._start.get(task.name, time.monotonic())

    def execute_task(self, task: Any) -> None:
        self._start[task.name] = time.monotonic()

    def add_success(self, task: Any) -> None:
        if task.actions:  # group tasks have none
            self.log.warnings += task.values.get("warnings", [])
            status = "restored" if task.values.get("restored") else "ran"
            self.log.add(task.name, status, self._seconds(task))

    def skip_uptodate(self, task: Any) -> None:
        if task.actions:
            self.log.add(task.name, "up to date")

    def add_failure(self, task: Any, fail: Any) -> None:
        self.log.failure(task, fail, self._seconds(task))

    def cleanup_error(self, exception: Any) -> None:
        self.log.other_errors.append(str(exception.get_msg()))

    def runtime_error(self, msg: str) -> None:
        self.log.other_errors.append(msg)

    def initialize(self, tasks: Any, selected_tasks: Any) -> None:
        pass

    def get_status(self, task: Any) -> None:
        pass

    def skip_ignore(self, task: Any) -> None:
        pass

    def teardown_task(self, task: Any) -> None:
        pass

    def complete_run(self) -> None:
        pass


def reporter_class(log: RunLog) -> type[StageReporter]:
    """A reporter class bound to ``log`` (doit instantiates the class itself)."""
    return type("BoundStageReporter", (StageReporter,), {"log": log})
