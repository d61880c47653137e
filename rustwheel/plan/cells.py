"""The resolved build: one compile and one wheel plan per cell, plus where its state lives.

Kept apart from `rustwheel.stages.detect` (which computes it) so that a build whose plan is
reused from the last identical run loads only this and the stage plans. What a cell is built
for (`CellSpec`: interpreter, target, compatibility, tag) is `rustwheel.plan.matrix`'s.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from rustwheel.plan import codec as plancodec
from rustwheel.plan.statedir import stage_record
from rustwheel.stages.bindgen.plan import UniffiPlan
from rustwheel.stages.compile.plan import CompilePlan
from rustwheel.stages.header.plan import HeaderPlan
from rustwheel.stages.repair.plan import RepairPlan
from rustwheel.stages.stage import StagePlan
from rustwheel.stages.wheel.plan import WheelPlan

_PLAN_FILES = {"header": "header-plan.json", "compile": "compile-plan.json",
               "bindgen": "uniffi-plan.json", "repair": "repair-plan.json",
               "wheel": "wheel-plan.json"}



@dataclass(frozen=True)
class Cell:
    """One (interpreter × target) combination: one compile and one wheel task (plus one
    header task for cffi bindings)."""

    name: str
    compile: CompilePlan
    wheel: WheelPlan
    header: Optional[HeaderPlan] = None
    uniffi: Optional[UniffiPlan] = None
    repair: Optional[RepairPlan] = None


@dataclass(frozen=True)
class BuildPlan:
    state_dir: Path
    detect_inputs: tuple[str, ...]
    """The configuration files (the detect task's file_dep)."""
    cells: tuple[Cell, ...]
    resolution_inputs: Optional[tuple[str, ...]] = None
    """Every file and directory resolving read or listed: while none changes, resolving again
    gives this plan. None when that cannot be known from files (a version manager's shim
    chooses the interpreter or rustc)."""

    @property
    def db_file(self) -> Path:
        return self.state_dir / "doit.sqlite3"

    @property
    def detect_record(self) -> Path:
        """detect's record: what resolving the configuration read."""
        return Path(stage_record(self.state_dir, "detect"))

    def stage_plans(self, cell: Cell) -> dict[str, StagePlan]:
        """The cell's stage plans by stage (task basename), in pipeline order."""
        plans: dict[str, Optional[StagePlan]] = {
            "header": cell.header, "compile": cell.compile, "bindgen": cell.uniffi,
            "repair": cell.repair, "wheel": cell.wheel}
        return {stage: p for stage, p in plans.items() if p is not None}

    def plan_file(self, cell: Cell, stage: str) -> Path:
        return self.state_dir / cell.name / _PLAN_FILES[stage]

    def plan_files(self) -> dict[str, str]:
        """Every plan file's path and content."""
        return {str(self.plan_file(cell, stage)): plancodec.dumps(p)
                for cell in self.cells for stage, p in self.stage_plans(cell).items()}

    def digest(self) -> str:
        """The plan files' digest: what detect's record is valid for."""
        h = hashlib.sha256()
        files = self.plan_files()
        for path in sorted(files):
            h.update(path.encode() + b"\0" + files[path].encode() + b"\0")
        return h.hexdigest()
