"""A `BuildPlan` as a task graph: detect → header:<cell> (cffi) → compile:<cell> →
bindgen:<cell> (uniffi) → repair:<cell> → wheel:<cell>.

The graph is plain data first (`graph`: what each task runs, reads, writes and records, as
JSON), so that the plan stamp can keep it and a rebuild whose plan cannot have changed builds
doit's task dicts from it without loading the plan's dataclasses; `doit_tasks` turns it into
the task dicts that `rustwheel.build` (through `rustwheel.tasks.runner`), a user's ``dodo.py``
(`rustwheel.tasks.wheel_tasks`) and the no-op stamp's watch list (`rustwheel.freshness.watch`)
use. Every stage task has:

- ``file_dep``: its plan file and the upstream outputs among its inputs (doit orders the tasks
  by them); its other inputs (sources, python files) are in its record, not here, so that doit
  does not stat and save every one of them again (thousands in a large python package);
- ``targets``: its outputs known when planning, and its record;
- ``uptodate``: `Recorded` over its record, which also covers the inputs known only once it
  ran (cargo's dep-info) and outputs named only then (the wheel's final tag);
- ``clean``: removes what its record says it wrote.

Actions are module-level functions with plain arguments, so that tasks pickle for ``doit -n``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

from rustwheel.atomic import write_if_changed
from rustwheel.freshness import records
from rustwheel.freshness.records import Recorded, SameDigest, Watched

if TYPE_CHECKING:  # not imported at run time: a reused plan's graph needs no plan classes
    from rustwheel.plan.cells import BuildPlan, Cell

TaskDict = dict[str, Any]
Graph = dict[str, Any]
"""``{"state_dir": ..., "wheel_records": [...], "tasks": [plain task, ...]}`` (JSON)."""
STAGES = ("detect", "header", "compile", "bindgen", "repair", "wheel")
"""Every stage's task basename, in pipeline order."""
_DOCS = {"header": "C header and cffi's ffi.py, per cell", "compile": "cargo, per cell",
         "bindgen": "uniffi-bindgen's modules, per cell",
         "repair": "manylinux/musllinux audit and repair, per cell",
         "wheel": "the wheel, per cell"}


def write_plans(files: Mapping[str, str], record_path: str, record: bytes,
                ) -> Union[bool, Any]:
    """detect action: write each plan file whose content changed, then detect's record."""
    from doit.exceptions import TaskFailed

    from rustwheel.tasks.execute import USER_ERROR_PREFIX

    try:
        for path, text in sorted(files.items()):
            write_if_changed(Path(path), text)
        write_if_changed(Path(record_path), record)
    except OSError as exc:
        return TaskFailed(f"{USER_ERROR_PREFIX}cannot write build plan {exc.filename}: "
                          f"{exc.strerror}; check the target directory is writable")
    return True


def remove_outputs(record_path: str) -> None:
    """clean action: remove what the record says the stage wrote, then the record."""
    data = records.read(record_path) or {"outputs": {}}
    for path in [*data["outputs"], record_path]:
        Path(path).unlink(missing_ok=True)


# -- the plain graph ---------------------------------------------------------------------------

def _detect_task(plan: BuildPlan, record_data: bytes) -> TaskDict:
    files = plan.plan_files()
    record = str(plan.detect_record)
    return {"basename": "detect", "doc": "resolve the configuration into per-stage plan files",
            "action": ["write_plans", files, record, record_data],
            "file_dep": list(plan.detect_inputs), "targets": [*sorted(files), record],
            "changed": plan.digest(), "watched": record, "record": record}


def _stage_task(stage: str, cell: Cell, plan_file: str, plan_text: str, record: str,
                inputs: Sequence[str], targets: Sequence[str]) -> TaskDict:
    from rustwheel.tasks.execute import fingerprint

    return {"basename": stage, "name": cell.name, "action": ["run_task", stage, plan_file],
            "file_dep": sorted({plan_file, *inputs}), "targets": [*targets, record],
            "record": record, "fingerprint": fingerprint(plan_text)}


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


def graph(plan: BuildPlan, record_data: bytes) -> Graph:
    """The plan's task graph as plain data; ``record_data``: detect's record
    (`rustwheel.plan.resolve`), observed while resolving."""
    texts = plan.plan_files()
    by_stage: dict[str, list[TaskDict]] = {stage: [] for stage in STAGES[1:]}
    for cell in plan.cells:
        for task in _cell_tasks(plan, cell, texts):
            by_stage[task["basename"]].append(task)
    tasks = [_detect_task(plan, record_data)]
    outputs = {path for of_stage in by_stage.values() for t in of_stage for path in t["targets"]}
    for stage, of_stage in by_stage.items():  # each stage's group task first
        if of_stage:
            tasks.append({"basename": stage, "name": None, "doc": _DOCS[stage]})
        for task in of_stage:
            plan_file = task["action"][2]
            task["file_dep"] = [p for p in task["file_dep"] if p == plan_file or p in outputs]
        tasks += of_stage
    return {"state_dir": str(plan.state_dir), "tasks": tasks,
            "wheel_records": {cell.name: cell.wheel.record for cell in plan.cells}}


# -- doit's task dicts -------------------------------------------------------------------------

def _doit_task(plain: TaskDict) -> TaskDict:
    from rustwheel.tasks.execute import run_task

    task: TaskDict = {k: plain[k] for k in ("basename", "name", "doc", "file_dep", "targets",
                                          "task_dep")
            if k in plain}
    if "action" not in plain:
        return task  # a group task
    kind, *args = plain["action"]
    task["actions"] = [(write_plans if kind == "write_plans" else run_task, args)]
    task["clean"] = [(remove_outputs, [plain["record"]])]
    task["verbosity"] = 2
    if "changed" in plain:  # detect: the plan's content decides; its record is only watched
        task["uptodate"] = [SameDigest(plain["changed"]), Watched(plain["watched"], "")]
    else:
        task["uptodate"] = [Recorded(plain["record"], plain["fingerprint"])]
    return task


def doit_tasks(graph: Graph) -> Iterator[TaskDict]:
    """doit's task dicts for ``graph`` (fresh dicts on every call: doit takes them apart)."""
    for plain in graph["tasks"]:
        yield _doit_task(plain)


def task_names(graph: Graph) -> list[str]:
    """``basename:name`` of every task that runs something (not the group tasks)."""
    return [f"{t['basename']}:{t['name']}" if t.get("name") else t["basename"]
            for t in graph["tasks"] if "action" in t]


def built_wheels(graph: Graph, cells: Optional[Iterable[str]] = None) -> list[str]:
    """The wheels the last run of the graph (of ``cells``: all) wrote, from each wheel stage's
    ``wheel.json`` (a wheel's platform tag is known only after the repair stage ran)."""
    return list(wheels_by_cell(graph, cells).values())


def wheels_by_cell(graph: Graph, cells: Optional[Iterable[str]] = None) -> dict[str, str]:
    """`built_wheels`, by cell."""
    from rustwheel.stages.wheel.plan import built_wheel

    wanted = set(cells) if cells is not None else None
    found = ((cell, built_wheel(record)) for cell, record in graph["wheel_records"].items()
             if wanted is None or cell in wanted)
    return {cell: wheel for cell, wheel in found if wheel is not None}
