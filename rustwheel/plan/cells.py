"""The resolved build: one compile and one wheel plan per cell, plus where its state lives.

Kept apart from `rustwheel.stages.detect` (which computes it) so that a build whose plan is
reused from the last identical run loads only this and the stage plans. What a cell is built
for (`CellSpec`: interpreter, target, compatibility, tag) is `rustwheel.plan.matrix`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from rustwheel.plan import codec as plancodec
from rustwheel.plan.matrix import CellSpec
from rustwheel.stages.bindgen.plan import UniffiPlan
from rustwheel.stages.compile.plan import CompilePlan
from rustwheel.stages.header.plan import HeaderPlan
from rustwheel.stages.repair.plan import RepairPlan
from rustwheel.stages.wheel.plan import WheelPlan

__all__ = ["BuildPlan", "Cell", "CellSpec"]


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

    def compile_plan_file(self, cell: Cell) -> Path:
        return self.state_dir / cell.name / "compile-plan.json"

    def wheel_plan_file(self, cell: Cell) -> Path:
        return self.state_dir / cell.name / "wheel-plan.json"

    def header_plan_file(self, cell: Cell) -> Path:
        return self.state_dir / cell.name / "header-plan.json"

    def uniffi_plan_file(self, cell: Cell) -> Path:
        return self.state_dir / cell.name / "uniffi-plan.json"

    def repair_plan_file(self, cell: Cell) -> Path:
        return self.state_dir / cell.name / "repair-plan.json"

    def plan_files(self) -> dict[str, str]:
        files: dict[str, str] = {}
        for cell in self.cells:
            files[str(self.compile_plan_file(cell))] = plancodec.dumps(cell.compile)
            files[str(self.wheel_plan_file(cell))] = plancodec.dumps(cell.wheel)
            if cell.header is not None:
                files[str(self.header_plan_file(cell))] = plancodec.dumps(cell.header)
            if cell.uniffi is not None:
                files[str(self.uniffi_plan_file(cell))] = plancodec.dumps(cell.uniffi)
            if cell.repair is not None:
                files[str(self.repair_plan_file(cell))] = plancodec.dumps(cell.repair)
        return files

    @property
    def wheels(self) -> list[str]:
        """The wheels the last run of this plan wrote (their platform tag is known only
        after the repair stage ran)."""
        from rustwheel.stages.wheel.plan import built_wheel

        found = (built_wheel(c.wheel) for c in self.cells)
        return [w for w in found if w is not None]
