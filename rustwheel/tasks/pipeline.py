"""Turn a `BuildPlan` into doit task dicts: detect → compile:<cell> → repair:<cell> →
wheel:<cell>, plus header:<cell> (cffi) and bindgen:<cell> (uniffi) before the wheel.

The same generators feed `rustwheel build` (through `rustwheel.tasks.runner`) and the root
`dodo.py`, so `doit list`, `doit info` and `doit` run exactly these tasks. Actions are
module-level functions with plain arguments so that tasks pickle for `doit -n`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Optional, Union

from doit.exceptions import TaskFailed
from doit.tools import config_changed

from rustwheel.errors import RustwheelError
from rustwheel.freshness.records import InputsUnchanged
from rustwheel.plan.cells import BuildPlan, Cell
from rustwheel.plan.codec import write_if_changed
from rustwheel.stages.bindgen import run as uniffi_stage
from rustwheel.stages.compile import run as compile_stage
from rustwheel.stages.compile.plan import plan_digest
from rustwheel.stages.header import plan as header_plan
from rustwheel.stages.header import run as header_stage
from rustwheel.stages.repair import plan as repair_plan
from rustwheel.stages.repair import run as repair_stage
from rustwheel.stages.wheel import plan as wheel_plan
from rustwheel.stages.wheel import run as wheel_stage
from rustwheel.tasks.reporter import USER_ERROR_PREFIX

TaskDict = dict[str, Any]


def write_plans(files: dict[str, str]) -> Union[bool, TaskFailed]:
    """detect action: write each plan file whose content changed."""
    try:
        for path, text in sorted(files.items()):
            write_if_changed(Path(path), text)
    except OSError as exc:
        return TaskFailed(f"{USER_ERROR_PREFIX}cannot write build plan {exc.filename}: "
                          f"{exc.strerror}; check the target directory is writable")
    return True


def run_stage(stage: str, plan_path: str) -> Union[dict[str, Any], TaskFailed]:
    """header / compile / wheel action: run the stage; user errors become a one-line failure."""
    runner = {"header": header_stage.run, "compile": compile_stage.run,
              "uniffi": uniffi_stage.run, "repair": repair_stage.run,
              "wheel": wheel_stage.run}[stage]
    try:
        return runner(plan_path)
    except RustwheelError as exc:
        return TaskFailed(USER_ERROR_PREFIX + str(exc))


def _digest(files: dict[str, str]) -> str:
    h = hashlib.sha256()
    for path in sorted(files):
        h.update(path.encode() + b"\0" + files[path].encode() + b"\0")
    return h.hexdigest()


def detect_tasks(plan: BuildPlan) -> Iterator[TaskDict]:
    files = plan.plan_files()
    yield {
        "basename": "detect",
        "doc": "resolve configuration into per-stage plan files",
        "actions": [(write_plans, [files])],
        "file_dep": list(plan.detect_inputs),
        "targets": sorted(files),
        "uptodate": [config_changed(_digest(files))],
        "verbosity": 2,
    }


def compile_tasks(plan: BuildPlan) -> Iterator[TaskDict]:
    yield {"basename": "compile", "name": None, "doc": "cargo rustc, one sub-task per cell"}
    for cell in plan.cells:
        plan_file = str(plan.compile_plan_file(cell))
        text = plan.plan_files()[plan_file]
        yield {
            "basename": "compile",
            "name": cell.name,
            "actions": [(run_stage, ["compile", plan_file])],
            "file_dep": [plan_file],
            "targets": [*cell.compile.staged_paths(), cell.compile.inputs_record],
            "uptodate": [InputsUnchanged(cell.compile.inputs_record, plan_digest(text))],
            "verbosity": 2,
        }


def wheel_tasks(plan: BuildPlan) -> Iterator[TaskDict]:
    yield {"basename": "wheel", "name": None, "doc": "write the wheel, one sub-task per cell"}
    for cell in plan.cells:
        plan_file = str(plan.wheel_plan_file(cell))
        deps = sorted({plan_file, *cell.wheel.input_files()})  # license files included
        yield {
            "basename": "wheel",
            "name": cell.name,
            "actions": [(run_stage, ["wheel", plan_file])],
            "file_dep": deps,
            "targets": [cell.wheel.record],
            "uptodate": [wheel_plan.WheelPresent(cell.wheel)],
            "verbosity": 2,
        }


def _group(basename: str, doc: str, cells: list[Cell]) -> Iterator[TaskDict]:
    """The group task of an optional stage, when some cell has the stage."""
    if cells:
        yield {"basename": basename, "name": None, "doc": doc}


def header_tasks(plan: BuildPlan) -> Iterator[TaskDict]:
    """cffi cells only: the C header and ffi.py (after compile when a build script may write
    the header)."""
    cells = [c for c in plan.cells if c.header is not None]
    yield from _group("header", "C header and cffi's ffi.py, per cell", cells)
    for cell in cells:
        header = cell.header
        assert header is not None
        plan_file = str(plan.header_plan_file(cell))
        task: TaskDict = {
            "basename": "header",
            "name": cell.name,
            "actions": [(run_stage, ["header", plan_file])],
            "file_dep": [plan_file],
            "targets": [header.header_path, header.ffi_path, header.inputs_record],
            "uptodate": [header_plan.HeaderUnchanged(
                header.inputs_record, plan.plan_files()[plan_file], header.watched())],
            "verbosity": 2,
        }
        if header.after_compile:
            task["task_dep"] = [f"compile:{cell.name}"]
        yield task


def _cell_task(basename: str, stage: str, cell: Cell, plan_file: str, inputs: list[str],
               targets: list[str], uptodate: Optional[list[Any]] = None) -> TaskDict:
    """The task of an optional per-cell stage whose inputs are known when planning."""
    task: TaskDict = {
        "basename": basename,
        "name": cell.name,
        "actions": [(run_stage, [stage, plan_file])],
        "file_dep": [plan_file, *inputs],
        "targets": targets,
        "verbosity": 2,
    }
    if uptodate:
        task["uptodate"] = uptodate
    return task


def bindgen_tasks(plan: BuildPlan) -> Iterator[TaskDict]:
    """uniffi cells only: uniffi-bindgen's python modules, from the compiled library."""
    cells = [c for c in plan.cells if c.uniffi is not None]
    yield from _group("bindgen", "uniffi-bindgen's modules, per cell", cells)
    for cell in cells:
        uni = cell.uniffi
        assert uni is not None
        plan_file = str(plan.uniffi_plan_file(cell))
        yield _cell_task("bindgen", "uniffi", cell, plan_file, uni.inputs(), [uni.manifest])


def repair_tasks(plan: BuildPlan) -> Iterator[TaskDict]:
    """Linux cells with an audit: the platform tag, and bundled libraries if needed."""
    cells = [c for c in plan.cells if c.repair is not None]
    yield from _group("repair", "manylinux/musllinux audit and repair, per cell", cells)
    for cell in cells:
        repair = cell.repair
        assert repair is not None
        plan_file = str(plan.repair_plan_file(cell))
        yield _cell_task("repair", "repair", cell, plan_file, repair.inputs(), [repair.manifest],
                         [repair_plan.LibsUnchanged(repair.manifest)])


GENERATORS = {"detect": detect_tasks, "header": header_tasks, "compile": compile_tasks,
              "bindgen": bindgen_tasks, "repair": repair_tasks, "wheel": wheel_tasks}
