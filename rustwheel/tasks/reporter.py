"""A doit reporter that prints one line per stage (ran / restored / up to date / failed, with
its duration) and keeps what happened, and when, for `rustwheel.build`'s result.

Its callbacks arrive in the main process, also with ``doit -n`` (doit forwards them from its
workers). Times are monotonic, in seconds since the run started (`RunLog.begin`). How the
stages are shown is the log's `StageView`: one line per stage by default, or the live display
of `rustwheel.tasks.display` on a terminal.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from typing import Any, ClassVar, Optional, Protocol, TextIO

from rustwheel import ui
from rustwheel.results import StageResult
from rustwheel.tasks.execute import USER_ERROR_PREFIX


class StageView(Protocol):
    """What shows the stages as they go (`rustwheel.tasks.display.LiveDisplay`)."""

    def started(self, task: str, at: float) -> None: ...

    def finished(self, result: StageResult) -> None: ...


class RunLog:
    """What happened in one run; filled in by the reporter. (A plain class, not a dataclass:
    each dataclass costs a rebuild half a millisecond to define.)"""

    def __init__(self, *, quiet: bool = False, stream: TextIO = sys.stderr, cells: int = 1,
                 view: Optional[StageView] = None) -> None:
        self.results: list[StageResult] = []
        self.warnings: list[str] = []
        """Warnings stages gave (handed back in their task values)."""
        self.user_errors: list[str] = []
        self.other_errors: list[str] = []
        self.quiet = quiet
        self.stream = stream
        self.cells = cells
        """How many cells the graph has."""
        self.view = view
        """Shows the stages instead of the plain lines (not when ``quiet``)."""
        self.origin = time.monotonic()
        """`time.monotonic` when the run started."""
        self.wall = 0.0
        """How long the run took, once it ended."""

    @property
    def failed(self) -> bool:
        return bool(self.user_errors or self.other_errors)

    def begin(self) -> None:
        self.origin = time.monotonic()

    def end(self, order: Sequence[str] = ()) -> None:
        """The run ended: its wall time; the results in the order of ``order`` (the plan's
        task names; doit's workers start and end them in no fixed order), others after."""
        self.wall = self.now()
        place = {task: i for i, task in enumerate(order)}
        self.results.sort(key=lambda r: place.get(r.task, len(place)))

    def now(self) -> float:
        """Seconds since the run started."""
        return time.monotonic() - self.origin

    def started(self, task: str, at: float) -> None:
        if self.view is not None:
            self.view.started(task, at)

    def add(self, task: str, status: str, start: Optional[float] = None,
            message: Optional[str] = None) -> None:
        """``task`` ended now with ``status``; ``start``: when it started (None: it did not
        run, it was up to date or skipped)."""
        end = self.now()
        seconds = None if start is None else end - start
        result = StageResult(task, status, seconds or 0.0, message,
                             end if start is None else start, end)
        self.results.append(result)
        if self.view is not None:
            self.view.finished(result)
        elif not self.quiet:
            ui.stage_line(status, task, seconds, self.stream)

    def failure(self, task: Any, fail: Any, start: Optional[float]) -> None:
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
        self.add(task.name, "failed", self.now() if start is None else start, message)


class StageReporter:
    """doit's reporter interface; `reporter_class` binds it to a `RunLog`."""

    desc = "one line per stage (rustwheel)"
    log: ClassVar[RunLog]

    def __init__(self, outstream: Any, options: Any) -> None:
        self._start: dict[str, float] = {}
        """When each task started, in seconds since the run started."""

    def execute_task(self, task: Any) -> None:
        if task.actions:  # group tasks have none
            self._start[task.name] = at = self.log.now()
            self.log.started(task.name, at)

    def add_success(self, task: Any) -> None:
        if task.actions:
            self.log.warnings += task.values.get("warnings", [])
            status = "restored" if task.values.get("restored") else "ran"
            self.log.add(task.name, status, self._start.get(task.name, self.log.now()),
                         task.values.get("note"))

    def skip_uptodate(self, task: Any) -> None:
        if task.actions:
            self.log.add(task.name, "up to date")

    def add_failure(self, task: Any, fail: Any) -> None:
        if task.actions:  # a group task fails only when one of its stages did: said there
            self.log.failure(task, fail, self._start.get(task.name))

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
