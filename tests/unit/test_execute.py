"""The task layer's stage run (`rustwheel.tasks.execute`), on a small stage of its own: restore
or run, record, store; an input edited while the stage runs is recorded as unknown and never
stored."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pytest

from rustwheel.cache.keys import CacheSpec, fingerprint, make_roots
from rustwheel.freshness import records
from rustwheel.freshness.facts import DigestCache
from rustwheel.stages.stage import StageRun
from rustwheel.tasks import storage
from rustwheel.tasks.execute import execute


@pytest.fixture(autouse=True)
def fresh_state() -> None:
    DigestCache._shared = None
    storage.reset_warnings()


@dataclass(frozen=True)
class CopyPlan:
    cell: str
    inputs_record: str
    source: str
    output: str
    cache: Optional[CacheSpec] = None


class CopyJob:
    """Upper-cases ``source`` into ``output``; optionally edits its source while running."""

    store_name = "copy"

    def __init__(self, plan: CopyPlan, edit_while_running: bool = False) -> None:
        self.plan = plan
        self.known_inputs = [plan.source]
        self.output_dir = Path(plan.output).parent
        self.edit = edit_while_running
        self.runs = 0

    def tools(self) -> dict[str, str]:
        return {}

    def consults_store(self, seen: Mapping[str, os.stat_result]) -> bool:
        return True

    def run(self, seen: Mapping[str, os.stat_result]) -> StageRun:
        self.runs += 1
        text = Path(self.plan.source).read_text()
        if self.edit:
            Path(self.plan.source).write_text("edited while the stage ran")
        Path(self.plan.output).parent.mkdir(parents=True, exist_ok=True)
        Path(self.plan.output).write_text(text.upper())
        return StageRun({"out.txt": Path(self.plan.output)}, values={"n": self.runs})

    def restored(self, outputs: Mapping[str, Path]) -> StageRun:
        return StageRun(outputs, values={"n": 0})


def _plan(root: Path, store: Path) -> CopyPlan:
    (root / "src.txt").parent.mkdir(parents=True, exist_ok=True)
    if not (root / "src.txt").exists():
        (root / "src.txt").write_text("hello")
        os.utime(root / "src.txt", ns=(1_000_000_000, 1_000_000_000))
    roots = make_roots([(root, "<ws>")])
    state = root / "target" / "rustwheel" / "crate-0123"  # the layout detect gives
    return CopyPlan("cell", str(state / "cell" / "copy-inputs.json"),
                    str(root / "src.txt"), str(root / "target" / "out" / "out.txt"),
                    CacheSpec(str(store), fingerprint(str(root), roots), roots, {}))


def test_run_record_then_restore_elsewhere(tmp_path: Path) -> None:
    store = tmp_path / "store"
    plan = _plan(tmp_path / "a", store)
    values = execute(CopyJob(plan), "plan text")
    assert values == {"n": 1} and Path(plan.output).read_text() == "HELLO"
    assert records.changes(plan.inputs_record, _fingerprint("plan text")) == []

    other = _plan(tmp_path / "b", store)  # the same source in another checkout
    job = CopyJob(other)
    assert execute(job, "plan text") == {"n": 0, "restored": True} and job.runs == 0
    assert Path(other.output).read_text() == "HELLO"
    assert records.changes(other.inputs_record, _fingerprint("plan text")) == []


def test_an_input_edited_while_the_stage_runs(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "store"
    plan = _plan(tmp_path / "a", store)
    execute(CopyJob(plan, edit_while_running=True), "plan text")
    assert "changed while it ran" in capsys.readouterr().err
    assert records.changes(plan.inputs_record, _fingerprint("plan text")) == [plan.source]
    # Nothing was stored: a checkout holding the edited content must not get "HELLO".
    other = _plan(tmp_path / "b", store)
    Path(other.source).write_text("edited while the stage ran")
    job = CopyJob(other)
    execute(job, "plan text")
    assert job.runs == 1 and Path(other.output).read_text() == "EDITED WHILE THE STAGE RAN"


def _fingerprint(text: str) -> str:
    from rustwheel.tasks.execute import fingerprint as plan_fingerprint

    return plan_fingerprint(text)
