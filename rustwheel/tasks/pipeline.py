"""A `BuildPlan` as doit task dicts: detect → header:<cell> (cffi) → compile:<cell> →
bindgen:<cell> (uniffi) → repair:<cell> → wheel:<cell>.

The same dicts feed `rustwheel.build` (through `rustwheel.tasks.runner`), a user's ``dodo.py``
(`rustwheel.tasks.wheel_tasks`) and the no-op stamp's watch list
(`rustwheel.freshness.watch`). Every stage task has:

- ``file_dep``: its plan file and the inputs known when planning (doit orders the tasks by the
  plan files and upstream outputs among them);
- ``targets``: its outputs known when planning, and its record;
- ``uptodate``: `Recorded` over its record, which also covers the inputs known only once it
  ran (cargo's dep-info) and outputs named only then (the wheel's final tag);
- ``clean``: removes what its record says it wrote.

Actions are module-level functions with plain arguments, so that tasks pickle for ``doit -n``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Optional, Union

from doit.exceptions import TaskFailed
from doit.tools import config_changed

from rustwheel.atomic import write_if_changed
from rustwheel.freshness import records
from rustwheel.freshness.records import Recorded, Watched
from rustwheel.plan.cells import BuildPlan, Cell
from rustwheel.tasks.execute import USER_ERROR_PREFIX, fingerprint, run_task

TaskDict = dict[str, Any]
STAGES = ("detect", "header", "compile", "bindgen", "repair", "wheel")
"""Every stage's task basename, in pipeline order."""


def write_plans(files: Mapping[str, str], record_path: str, record_text: str,
                ) -> Union[bool, TaskFailed]:
    """detect action: write each plan file whose content changed, then detect's record."""
    try:
        for path, text in sorted(files.items()):
            write_if_changed(Path(path), text)
        write_if_changed(Path(record_path), record_text)
    except OSError as exc:
        return TaskFailed(f"{USER_ERROR_PREFIX}cannot write build plan {exc.filename}: "
                          f"{exc.strerror}; check the target directory is writable")
    return True


def remove_outputs(record_path: str) -> None:
    """clean action: remove what the record says the stage wrote, then the record."""
    data = records.read(record_path) or {"outputs": {}}
    for path in [*data["outputs"], record_path]:
        Path(path).unlink(missing_ok=True)


def detect_tasks(plan: BuildPlan, record_text: str) -> Iterator[TaskDict]:
    """``record_text``: detect's record (`rustwheel.plan.resolve`), observed while resolving."""
    files = plan.plan_files()
    yield {
        "basename": "detect",
        "doc": "resolve the configuration into per-stage plan files",
        "actions": [(write_plans, [files, str(plan.detect_record), record_text])],
        "file_dep": list(plan.detect_inputs),
        "targets": [*sorted(files), str(plan.detect_record)],
        "uptodate": [config_changed(plan.digest()), Watched(str(plan.detect_record), "")],
        "clean": [(remove_outputs, [str(plan.detect_record)])],
        "verbosity": 2,
    }


def _stage_task(stage: str, cell: Cell, plan_file: str, plan_text: str, record: str,
                inputs: Sequence[str], targets: Sequence[str]) -> TaskDict:
    return {
        "basename": stage,
        "name": cell.name,
        "actions": [(run_task, [stage, plan_file])],
        "file_dep": sorted({plan_file, *inputs}),
        "targets": [*targets, record],
        "uptodate": [Recorded(record, fingerprint(plan_text))],
        "clean": [(remove_outputs, [record])],
        "verbosity": 2,
    }


def _cell_tasks(plan: BuildPlan, cell: Cell, texts: Mapping[str, str]) -> Iterator[TaskDict]:
    """The stage tasks of one cell, in pipeline order."""
    def task(stage: str, stage_plan: Any, inputs: Sequence[str], targets: Sequence[str],
             ) -> TaskDict:
        plan_file = str(plan.plan_file(cell, stage))
        return _stage_task(stage, cell, plan_file, texts[plan_file], stage_plan.inputs_record,
                           inputs, targets)

    if cell.header is not None:
        h = cell.header
        header = task("header", h, h.known_inputs, [h.header_path, h.ffi_path])
        if h.after_compile:
            header["task_dep"] = [f"compile:{cell.name}"]
        yield header
    c = cell.compile
    yield task("compile", c, c.extra_inputs, c.staged_paths())
    if cell.uniffi is not None:
        yield task("bindgen", cell.uniffi, cell.uniffi.inputs(), [cell.uniffi.manifest])
    if cell.repair is not None:
        yield task("repair", cell.repair, cell.repair.inputs(), [cell.repair.manifest])
    yield task("wheel", cell.wheel, cell.wheel.input_files(), [cell.wheel.record])


_DOCS = {"header": "C header and cffi's ffi.py, per cell", "compile": "cargo, per cell",
         "bindgen": "uniffi-bindgen's modules, per cell",
         "repair": "manylinux/musllinux audit and repair, per cell",
         "wheel": "the wheel, per cell"}


def stage_tasks(plan: BuildPlan) -> Iterator[TaskDict]:
    """Every cell's stage tasks, each stage's group task first."""
    texts = plan.plan_files()
    by_stage: dict[str, list[TaskDict]] = {stage: [] for stage in STAGES[1:]}
    for cell in plan.cells:
        for task in _cell_tasks(plan, cell, texts):
            by_stage[task["basename"]].append(task)
    for stage, tasks in by_stage.items():  # grouped first: doit takes the dicts apart
        if tasks:
            yield {"basename": stage, "name": None, "doc": _DOCS[stage]}
        yield from tasks


def all_tasks(plan: BuildPlan, record_text: str) -> Iterator[TaskDict]:
    yield from detect_tasks(plan, record_text)
    yield from stage_tasks(plan)


def task_names(tasks: Sequence[TaskDict]) -> list[str]:
    """``basename:name`` of every task that runs something (not the group tasks)."""
    return [f"{t['basename']}:{t['name']}" if t.get("name") else t["basename"]
            for t in tasks if t.get("actions")]


def stage_of(task: str) -> Optional[str]:
    return task.split(":", 1)[0] if task.split(":", 1)[0] in STAGES else None
