"""The reporter (`rustwheel.tasks.reporter`) in real doit runs of small tasks: every stage's
start and end, relative to the run's start, also from doit's worker processes (``-n 2``);
today's plain stage lines when the output is not a terminal; the timing fields in --report."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any, Union

from conftest import STAGE_LINE
from doit.exceptions import TaskFailed

from rustwheel.results import BuildResult, StageResult, by_cell, cell_status
from rustwheel.tasks.execute import USER_ERROR_PREFIX
from rustwheel.tasks.reporter import RunLog
from rustwheel.tasks.runner import run_tasks


def nap(seconds: float) -> bool:
    time.sleep(seconds)
    return True


def restored_nap(seconds: float) -> dict[str, Any]:
    time.sleep(seconds)
    return {"restored": True}


def broken() -> Union[bool, TaskFailed]:
    return TaskFailed(USER_ERROR_PREFIX + "cargo rustc failed; fix the crate")


def _task(name: str, action: Any, *args: Any, after: str = "") -> dict[str, Any]:
    basename, _, cell = name.partition(":")
    task: dict[str, Any] = {"basename": basename, "actions": [(action, list(args))],
                            "verbosity": 2}
    if cell:
        task["name"] = cell
    if after:
        task["task_dep"] = [after]
    return task


def _graph() -> list[dict[str, Any]]:
    """Stage by stage, as `rustwheel.tasks.pipeline` lists them."""
    return [_task("detect", nap, 0.05),
            *(_task(f"compile:{cell}", nap, 0.4, after="detect") for cell in "ab"),
            *(_task(f"wheel:{cell}", restored_nap, 0.05, after=f"compile:{cell}")
              for cell in "ab")]


def _run(tmp_path: Path, tasks: list[dict[str, Any]], jobs: int = 1) -> tuple[RunLog, str]:
    out = io.StringIO()
    log = RunLog(stream=out)
    run_tasks(tasks, tmp_path / "doit.sqlite3", log, jobs)
    return log, out.getvalue()


def _by_task(log: RunLog) -> dict[str, StageResult]:
    return {r.task: r for r in log.results}


def test_start_and_end_of_every_stage(tmp_path: Path) -> None:
    log, _ = _run(tmp_path, _graph())
    r = _by_task(log)
    assert list(r) == ["detect", "compile:a", "compile:b", "wheel:a", "wheel:b"]
    assert 0 <= r["detect"].start < r["detect"].end <= r["compile:a"].start
    for result in log.results:
        assert result.end - result.start >= 0.04
        assert abs(result.seconds - (result.end - result.start)) < 1e-6
        assert result.end <= log.wall
    # one at a time: each stage starts after the one before ended
    ordered = sorted(log.results, key=lambda s: s.start)
    assert all(a.end <= b.start for a, b in zip(ordered, ordered[1:]))
    assert r["wheel:a"].status == "restored" and r["compile:a"].status == "ran"


def test_cells_overlap_with_two_workers(tmp_path: Path) -> None:
    log, _ = _run(tmp_path, _graph(), jobs=2)
    r = _by_task(log)
    a, b = r["compile:a"], r["compile:b"]
    assert a.start < b.end and b.start < a.end  # both compiled at once
    assert a.end - a.start >= 0.35 and b.end - b.start >= 0.35
    assert log.wall < 0.4 * 2 + 0.05 + 0.5
    # in the order of the plan, whichever worker started or ended first
    assert [s.task for s in log.results] == ["detect", "compile:a", "compile:b", "wheel:a",
                                             "wheel:b"]
    assert list(by_cell(log.results)) == ["a", "b"]


def test_up_to_date_stages_start_where_they_end(tmp_path: Path) -> None:
    tasks = _graph()
    _run(tmp_path, tasks)
    for task in tasks:  # now up to date: no file_dep, no targets, nothing changed
        task["uptodate"] = [True]
    log, text = _run(tmp_path, tasks)
    assert {r.status for r in log.results} == {"up to date"}
    assert all(r.start == r.end and r.seconds == 0.0 for r in log.results)
    assert STAGE_LINE.match(text.splitlines()[0])


def test_failed_and_skipped_stages(tmp_path: Path) -> None:
    tasks = _graph()
    tasks[1] = _task("compile:a", broken, after="detect")
    assert tasks[3]["name"] == "a"
    log, text = _run(tmp_path, tasks)
    r = _by_task(log)
    assert r["compile:a"].status == "failed"
    assert r["compile:a"].message == "cargo rustc failed; fix the crate"
    assert r["compile:a"].start <= r["compile:a"].end
    assert r["wheel:a"].status == "skipped" and r["wheel:a"].start == r["wheel:a"].end
    assert log.user_errors == ["cargo rustc failed; fix the crate"]
    tasks.append({"basename": "wheel", "name": None, "task_dep": ["wheel:a", "wheel:b"]})
    log, _ = _run(tmp_path, tasks)
    assert "wheel" not in _by_task(log)  # a group task is no stage
    cells = by_cell(log.results)
    assert cell_status(cells["a"]) == "failed" and cell_status(cells["b"]) == "built"


def test_plain_lines_when_not_a_terminal(tmp_path: Path) -> None:
    log, text = _run(tmp_path, _graph())
    assert log.view is None
    lines = text.splitlines()
    assert [STAGE_LINE.match(line).group(2) for line in lines  # type: ignore[union-attr]
            ] == ["detect", "compile:a", "compile:b", "wheel:a", "wheel:b"]
    assert lines[0].startswith("  ran         detect") and lines[0].endswith("s")
    assert lines[-1].startswith("  restored    wheel:b")


def test_report_keeps_its_keys_and_adds_the_times() -> None:
    result = BuildResult((), (StageResult("compile:a", "ran", 1.5, None, 0.25, 1.75),
                              StageResult("wheel:a", "up to date")))
    stages = result.to_json()["stages"]
    assert stages[0] == {"task": "compile:a", "status": "ran", "seconds": 1.5,
                         "start": 0.25, "end": 1.75}
    assert stages[1] == {"task": "wheel:a", "status": "up to date", "seconds": 0.0,
                         "start": 0.0, "end": 0.0}
    assert result.by_cell() == {"a": list(result.stages)}
    assert StageResult("detect", "ran").cell is None
    assert StageResult("compile:cp312-x86_64-unknown-linux-gnu", "ran").stage == "compile"
