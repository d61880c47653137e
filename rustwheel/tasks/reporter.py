"""A doit reporter that prints one line per stage: ran / up to date / failed, with duration."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Any, Optional, TextIO

from rustwheel import ui
from rustwheel.tasks.execute import USER_ERROR_PREFIX


@dataclass
class StageResult:
    task: str
    status: str  # "ran", "restored", "up to date", "failed"
    seconds: float = 0.0
    message: Optional[str] = None


@dataclass
class RunLog:
    """What happened in one run; filled in by the reporter, read by the CLI."""

    results: list[StageResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """Warnings stages gave (handed back in their task values)."""
    user_errors: list[str] = field(default_factory=list)
    other_errors: list[str] = field(default_factory=list)
    quiet: bool = False
    stream: TextIO = sys.stderr

    def to_json(self) -> dict[str, Any]:
        return {
            "success": not self.failed,
            "stages": [{"task": r.task, "status": r.status, "seconds": round(r.seconds, 4),
                        **({"message": r.message} if r.message else {})}
                       for r in self.results if r.status != "ignored"],
            "errors": [*self.user_errors, *self.other_errors],
        }

    @property
    def failed(self) -> bool:
        return bool(self.user_errors or self.other_errors)


def reporter_class(log: RunLog) -> type:
    """A reporter class bound to ``log`` (doit instantiates the class itself)."""

    class StageReporter:
        desc = "one line per stage (rustwheel)"

        def __init__(self, outstream: Any, options: Any) -> None:
            self._start: dict[str, float] = {}

        def _line(self, status: str, name: str, seconds: Optional[float] = None) -> None:
            if not log.quiet:
                ui.stage_line(status, name, seconds, log.stream)

        def initialize(self, tasks: Any, selected_tasks: Any) -> None:
            pass

        def get_status(self, task: Any) -> None:
            pass

        def execute_task(self, task: Any) -> None:
            self._start[task.name] = time.monotonic()

        def add_success(self, task: Any) -> None:
            if not task.actions:
                return
            seconds = time.monotonic() - self._start.get(task.name, time.monotonic())
            status = "restored" if task.values.get("restored") else "ran"
            log.warnings += task.values.get("warnings", [])
            log.results.append(StageResult(task.name, status, seconds))
            self._line(status, task.name, seconds)

        def skip_uptodate(self, task: Any) -> None:
            if not task.actions:
                return
            log.results.append(StageResult(task.name, "up to date"))
            self._line("up to date", task.name)

        def skip_ignore(self, task: Any) -> None:
            log.results.append(StageResult(task.name, "ignored"))

        def add_failure(self, task: Any, fail: Any) -> None:
            seconds = time.monotonic() - self._start.get(task.name, time.monotonic())
            text = fail.get_msg() if hasattr(fail, "get_msg") else str(fail)
            message = getattr(fail, "message", "") or ""
            if message.startswith(USER_ERROR_PREFIX):
                message = message[len(USER_ERROR_PREFIX):]
                log.user_errors.append(message)
            else:
                log.other_errors.append(f"task {task.name} failed:\n{text}")
            log.results.append(StageResult(task.name, "failed", seconds, message))
            self._line("failed", task.name, seconds)

        def cleanup_error(self, exception: Any) -> None:
            log.other_errors.append(str(exception.get_msg()))

        def runtime_error(self, msg: str) -> None:
            log.other_errors.append(msg)

        def teardown_task(self, task: Any) -> None:
            pass

        def complete_run(self) -> None:
            pass

    return StageReporter
