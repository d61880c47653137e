"""What a build returns (`BuildResult`) or raises when a stage failed (`BuildError`): named
tuples, so that a no-op build does not import ``dataclasses`` (see `rustwheel.options`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple, Optional

from rustwheel.errors import RustwheelError


class StageResult(NamedTuple):
    """One task of the graph: ``compile:<cell>``, ``wheel:<cell>``, ..."""

    task: str
    status: str
    """``ran``, ``restored`` (from the store), ``up to date``, ``failed`` or ``skipped`` (a
    stage before it failed)."""
    seconds: float = 0.0
    message: Optional[str] = None
    start: float = 0.0
    """When it started, in seconds since the run started (monotonic clock)."""
    end: float = 0.0
    """When it ended (``start`` for a stage that was up to date or skipped)."""

    @property
    def cell(self) -> Optional[str]:
        """The cell of ``<stage>:<cell>``; None for ``detect``."""
        return self.task.partition(":")[2] or None

    @property
    def stage(self) -> str:
        """The stage of ``<stage>:<cell>``: ``compile``, ``wheel``, ..., or ``detect``."""
        return self.task.partition(":")[0]


OK_STATUSES = ("ran", "restored", "up to date")
"""A stage with one of these did its part."""


def by_cell(stages: Iterable[StageResult]) -> dict[str, list[StageResult]]:
    """The stages of each cell, in the order they came (``detect`` left out; a build's
    results are in the order of its plan)."""
    cells: dict[str, list[StageResult]] = {}
    for s in stages:
        if s.cell is not None:
            cells.setdefault(s.cell, []).append(s)
    return cells


def cell_status(stages: Sequence[StageResult]) -> str:
    """One cell's outcome: ``failed`` when a stage failed or was skipped, else ``built`` when
    a stage ran, else ``restored`` when one was restored from the store, else ``up to date``."""
    statuses = {s.status for s in stages}
    for status, outcome in (("failed", "failed"), ("skipped", "failed"), ("ran", "built"),
                            ("restored", "restored")):
        if status in statuses:
            return outcome
    return "up to date"


class BuildResult(NamedTuple):
    wheels: tuple[Path, ...]
    stages: tuple[StageResult, ...] = ()
    """In the order of the plan: detect, then each stage's tasks, cell by cell."""
    warnings: tuple[str, ...] = ()
    sdist: Optional[Path] = None
    """The source distribution, when the build went through one (``sdist=True``)."""
    shortcut: Optional[str] = None
    """``"no-op"`` when nothing could have changed since the last identical build."""
    stamp: Optional[Path] = None
    """The build's no-op stamp, when it left one (`rustwheel.freshness.stamp`)."""

    def by_cell(self) -> dict[str, list[StageResult]]:
        """The stages of each cell (`by_cell`)."""
        return by_cell(self.stages)

    def to_json(self) -> dict[str, Any]:
        return {"success": True, "wheels": [str(w) for w in self.wheels],
                "sdist": str(self.sdist) if self.sdist else None, "shortcut": self.shortcut,
                "stages": [_stage_json(s) for s in self.stages],
                "warnings": list(self.warnings), "errors": []}


def _stage_json(s: StageResult) -> dict[str, Any]:
    return {"task": s.task, "status": s.status, "seconds": round(s.seconds, 4),
            **({"message": s.message} if s.message else {}),
            "start": round(s.start, 4), "end": round(s.end, 4)}


class BuildError(RustwheelError):
    """A stage failed: ``errors`` are one-line user errors, ``details`` anything else (a bug's
    traceback as doit reported it)."""

    def __init__(self, errors: Sequence[str], details: Sequence[str],
                 stages: Sequence[StageResult], wheels: Sequence[Path] = ()) -> None:
        super().__init__("; ".join(errors) or "the build failed; see the messages above")
        self.errors = tuple(errors)
        self.details = tuple(details)
        self.stages = tuple(stages)
        self.wheels = tuple(wheels)
        """The wheels of the cells that did build."""

    def to_json(self) -> dict[str, Any]:
        return {"success": False, "wheels": [str(w) for w in self.wheels],
                "stages": [_stage_json(s) for s in self.stages],
                "errors": [*self.errors, *self.details]}
