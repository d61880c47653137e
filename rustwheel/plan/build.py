"""Assemble the `BuildPlan`: every stage's plan of every cell, and their store keys.

Each stage plans one cell with its pure `plan()` over the project's shared facts; what a
stage needs of another one (the compile stage's staged artifacts, the header stage's
``ffi.py``, the repair stage's manifest) it takes from that stage's plan.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from rustwheel.cache import keys
from rustwheel.plan import codec as plancodec
from rustwheel.plan.cells import BuildPlan, Cell
from rustwheel.plan.matrix import CellSpec
from rustwheel.plan.project import Project
from rustwheel.stages.bindgen import plan as bindgen
from rustwheel.stages.compile import plan as compile_stage
from rustwheel.stages.compile.plan import CompilePlan
from rustwheel.stages.header import plan as header
from rustwheel.stages.repair import plan as repair
from rustwheel.stages.wheel import plan as wheel


def plan_cell(project: Project, spec: CellSpec) -> Cell:
    """Every stage's plan of one cell (without store keys)."""
    compile_plan = compile_stage.plan(project, spec)
    header_plan = header.plan(project, spec)
    uniffi_plan = bindgen.plan(project, spec, compile_plan)
    repair_plan = repair.plan(project, spec, compile_plan)
    wheel_plan = wheel.plan(project, spec, compile_plan, header=header_plan, uniffi=uniffi_plan,
                            repair=repair_plan)
    return Cell(spec.name, compile_plan, wheel_plan, header_plan, uniffi_plan, repair_plan)


class _Keys:
    """Store keys of one project's stage plans: the plan with checkout paths as placeholders."""

    def __init__(self, project: Project, cache_dir: Path) -> None:
        self.project, self.cache_dir = project, cache_dir
        self.roots = [(project.meta.workspace_root, "<ws>"),
                      (project.config.project_root, "<project>"),
                      (project.target_dir, "<target>"), (project.state_dir, "<state>")]
        self.tools = {"rustc": project.rustc.verbose_version}

    def spec(self, plan: object, *extra: tuple[Path, str]) -> keys.CacheSpec:
        roots = keys.make_roots([*self.roots, *extra])
        return keys.CacheSpec(str(self.cache_dir), keys.fingerprint(plancodec.dumps(plan), roots),
                              roots, self.tools)

    def compile(self, plan: CompilePlan) -> CompilePlan:
        # -q / -v change what cargo prints, not what it builds. cargo's package id spells the
        # directory name only when it differs from the crate name, so it is not part of the
        # key (name and version are).
        quiet_free = dataclasses.replace(
            plan, package_id=self.project.meta.root.name,
            cargo_args=tuple(a for a in plan.cargo_args if a not in ("-q", "-v")))
        return dataclasses.replace(plan, cache=self.spec(quiet_free))


def with_store_keys(project: Project, cell: Cell) -> Cell:
    """``cell`` with the store to consult in each stage plan (when caching is on)."""
    if project.cache_dir is None:
        return cell
    k = _Keys(project, project.cache_dir)
    wheel_plan, header_plan, uniffi_plan, repair_plan = cell.wheel, cell.header, cell.uniffi, \
        cell.repair
    if not project.config.editable:  # an editable wheel's .pth names this checkout: never reuse it
        wheel_plan = wheel_plan._replace(cache=k.spec(wheel_plan, (project.out_dir, "<out>")))
    if header_plan is not None:
        header_plan = dataclasses.replace(header_plan, cache=k.spec(header_plan))
    if uniffi_plan is not None:
        uniffi_plan = dataclasses.replace(uniffi_plan, cache=k.spec(uniffi_plan))
    if repair_plan is not None:
        repair_plan = dataclasses.replace(repair_plan, cache=k.spec(repair_plan))
    return Cell(cell.name, k.compile(cell.compile), wheel_plan, header_plan, uniffi_plan,
                repair_plan)


def assemble(project: Project, cells: Sequence[CellSpec]) -> BuildPlan:
    """The build plan of ``cells``: one `Cell` of stage plans each."""
    return BuildPlan(state_dir=project.state_dir, detect_inputs=project.detect_inputs,
                     cells=tuple(with_store_keys(project, plan_cell(project, c)) for c in cells),
                     resolution_inputs=project.resolution_inputs)
