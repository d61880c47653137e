"""The task graph (`rustwheel.tasks.pipeline`): plain data that survives JSON (the plan stamp
keeps it), doit task dicts made from it, and the plan codec that plan files use."""

from __future__ import annotations

import json

from planfacts import LINUX
from test_plans import BUILD_RS, CDYLIB, make_project

from rustwheel.freshness.records import Recorded, SameDigest, Watched
from rustwheel.plan import codec
from rustwheel.plan.build import assemble
from rustwheel.plan.cells import BuildPlan
from rustwheel.plan.matrix import cells_for
from rustwheel.stages.detect.bindings import Bindings
from rustwheel.tasks import pipeline
from rustwheel.tasks.execute import fingerprint, run_task


def _plan(bindings: Bindings, targets: list[dict[str, object]]) -> BuildPlan:
    project = make_project(bindings, targets)
    return assemble(project, cells_for(project.bindings, project.interpreters, [LINUX]))


def test_graph_survives_json_and_gives_the_same_task_dicts() -> None:
    plan = _plan(Bindings("cffi"), [*CDYLIB, BUILD_RS])
    graph = pipeline.graph(plan, "detect's record\n")
    loaded = json.loads(json.dumps(graph))
    assert loaded == graph
    fresh, reloaded = list(pipeline.doit_tasks(graph)), list(pipeline.doit_tasks(loaded))
    assert [(t["basename"], t.get("name"), t.get("file_dep"), t.get("targets")) for t in fresh] \
        == [(t["basename"], t.get("name"), t.get("file_dep"), t.get("targets"))
            for t in reloaded]
    cell = plan.cells[0].name
    assert pipeline.task_names(graph) == ["detect", f"header:{cell}", f"compile:{cell}",
                                          f"repair:{cell}", f"wheel:{cell}"]


def test_each_stage_task_runs_its_plan_and_checks_its_record() -> None:
    plan = _plan(Bindings("cffi"), [*CDYLIB, BUILD_RS])
    cell = plan.cells[0]
    texts = plan.plan_files()
    tasks = {(t["basename"], t.get("name")): t for t in pipeline.doit_tasks(
        pipeline.graph(plan, ""))}
    for stage, stage_plan in plan.stage_plans(cell).items():
        task = tasks[(stage, cell.name)]
        plan_file = str(plan.plan_file(cell, stage))
        assert task["actions"] == [(run_task, [stage, plan_file])]
        assert plan_file in task["file_dep"] and stage_plan.inputs_record in task["targets"]
        [check] = task["uptodate"]
        assert isinstance(check, Recorded) and check.record_path == stage_plan.inputs_record
        assert check.fingerprint == fingerprint(texts[plan_file])
    assert tasks[("header", cell.name)]["task_dep"] == [f"compile:{cell.name}"]  # build.rs
    detect = tasks[("detect", None)]
    changed, watched = detect["uptodate"]
    assert isinstance(changed, SameDigest) and isinstance(watched, Watched)
    assert changed.digest == plan.digest()
    assert watched() is None  # watched by the stamp, never deciding
    assert sorted(texts) == sorted(detect["targets"][:-1])
    for stage in ("header", "compile", "repair", "wheel"):
        assert tasks[(stage, None)]["doc"] and "actions" not in tasks[(stage, None)]


def test_plan_codec_round_trip() -> None:
    plan = _plan(Bindings("pyo3", "pyo3"), CDYLIB)
    text = codec.dumps(plan)
    assert codec.loads(BuildPlan, text) == plan
    assert codec.dumps(codec.loads(BuildPlan, text)) == text  # canonical: same bytes again


def test_plan_codec_builds_flat_items_as_they_are() -> None:
    """A tuple of items with only scalar fields (a wheel's thousands of files) is built from
    the dicts directly; items with a path or a nested item still go through each field."""
    from rustwheel.plan.members import FileItem, OutDirInclude
    from rustwheel.stages.wheel.plan import WheelPlan

    assert codec._flat(FileItem) and codec._flat(OutDirInclude)
    assert not codec._flat(WheelPlan)
    files = (FileItem("pkg/a.py", "/src/pkg/a.py"), FileItem("pkg/run", "/src/run", True))
    assert codec._build(tuple[FileItem, ...], codec.to_plain(files)) == files


def test_same_digest_is_what_the_last_successful_run_saved() -> None:
    from doit.task import Task

    task = Task("detect", [])
    check = SameDigest("abc")
    check.configure_task(task)
    saved = {k: v for saver in task.value_savers for k, v in saver().items()}
    assert check(task, saved) is True
    assert check(task, {}) is False  # never ran
    assert SameDigest("abd")(task, saved) is False  # the plan changed
