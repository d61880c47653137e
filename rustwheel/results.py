"""What a build returns (`BuildResult`) or raises when a stage failed (`BuildError`): named
tuples, so that a no-op build does not import ``dataclasses`` (see `rustwheel.options`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple, Optional

from rustwheel.errors import RustwheelError


class StageResult(NamedTuple):
    """One task of the graph: ``compile:<cell>``, ``wheel:<cell>``, ..."""

    task: str
    status: str
    """``ran``, ``restored`` (from the store), ``up to date`` or ``failed``."""
    seconds: float = 0.0
    message: Optional[str] = None


class BuildResult(NamedTuple):
    wheels: tuple[Path, ...]
    stages: tuple[StageResult, ...] = ()
    warnings: tuple[str, ...] = ()
    sdist: Optional[Path] = None
    """The source distribution, when the build went through one (``sdist=True``)."""
    shortcut: Optional[str] = None
    """``"no-op"`` when nothing could have changed since the last identical build."""
    stamp: Optional[Path] = None
    """The build's no-op stamp, when it left one (`rustwheel.freshness.stamp`)."""

    def to_json(self) -> dict[str, Any]:
        return {"success": True, "wheels": [str(w) for w in self.wheels],
                "sdist": str(self.sdist) if self.sdist else None, "shortcut": self.shortcut,
                "stages": [_stage_json(s) for s in self.stages],
                "warnings": list(self.warnings), "errors": []}


def _stage_json(s: StageResult) -> dict[str, Any]:
    return {"task": s.task, "status": s.status, "seconds": round(s.seconds, 4),
            **({"message": s.message} if s.message else {})}


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
