"""What the no-op stamp must watch for one successful build (see `rustwheel.freshness.stamp`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from rustwheel.plan.cells import BuildPlan, Cell
from rustwheel.stages.wheel.plan import built_wheel

if TYPE_CHECKING:  # only needed when the plan is resolved anew: not imported on a rebuild
    from rustwheel.config.options import BuildConfig


def detect_files(cfg: BuildConfig, plan: BuildPlan) -> Optional[list[str]]:
    """Everything resolving the configuration read (or listed): while none of it changes,
    the same plan results. None when that cannot be known from files alone."""
    del cfg  # resolution recorded it on the plan
    return None if plan.resolution_inputs is None else list(plan.resolution_inputs)


def build_files(plan: BuildPlan, detected: list[str]) -> Optional[list[str]]:
    """``detected`` plus every stage's inputs and outputs: what a no-op rebuild checks."""
    files = list(detected)
    for cell in plan.cells:
        files += [str(plan.compile_plan_file(cell)), str(plan.wheel_plan_file(cell))]
        files += cell.compile.staged_paths()
        files.append(cell.compile.inputs_record)
        try:
            record = json.loads(Path(cell.compile.inputs_record).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if record.get("env"):
            return None  # build scripts read variables we do not watch here
        files += list(record.get("files", {}))
        files += cell.wheel.input_files()
        built = built_wheel(cell.wheel)
        if built is None:
            return None
        files += [built, cell.wheel.record]
        if cell.repair is not None:
            try:
                repair = json.loads(Path(cell.repair.manifest).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return None
            files += [str(plan.repair_plan_file(cell)), cell.repair.manifest,
                      *cell.repair.inputs(), *repair.get("system_libs", {})]
        if cell.header is not None:
            header = _header_files(plan, cell)
            if header is None:
                return None
            files += header
        if cell.uniffi is not None:
            files += [str(plan.uniffi_plan_file(cell)), *cell.uniffi.inputs(),
                      cell.uniffi.manifest, cell.uniffi.crate_dir]
    return files


def _header_files(plan: BuildPlan, cell: Cell) -> Optional[list[str]]:
    """The header stage's plan, outputs and recorded inputs; the target dir is watched because
    a build script may add or remove ``header.h`` there, and the crate dir (watched by
    `detect_files`) for ``cbindgen.toml``."""
    header = cell.header
    assert header is not None
    try:
        record = json.loads(Path(header.inputs_record).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return [str(plan.header_plan_file(cell)), header.header_path, header.ffi_path,
            header.inputs_record, str(Path(header.existing_header).parent),
            str(Path(header.config_path).parent), *record.get("files", {})]
