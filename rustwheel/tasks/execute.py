"""The doit action of every stage task: one stage run, the same way for every stage.

1. Read the plan file and take the stage's start on the filesystem clock.
2. With a store: look the result up from the known inputs; on a hit, restore it.
3. Otherwise run the stage's job.
4. Record what it read and wrote (`rustwheel.freshness.records`), with any input edited since
   the start marked as unknown, so that the next build runs the stage again.
5. Store the result, keyed by the inputs as the stage read them (never when one changed).

Actions are module-level functions with plain arguments, so tasks pickle for ``doit -n``; the
values they return are plain JSON, as doit's database requires.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

from doit.exceptions import TaskFailed

from rustwheel import ui
from rustwheel.errors import RustwheelError
from rustwheel.freshness import records
from rustwheel.freshness.facts import DigestCache, clock
from rustwheel.plan.statedir import written_while_building
from rustwheel.stages.stage import Job, JsonValue, Stage, StageRun
from rustwheel.tasks.storage import Storage

if TYPE_CHECKING:
    from rustwheel.freshness.facts import Facts

USER_ERROR_PREFIX = "rustwheel-user-error: "
"""Marks a task failure that is a user error (printed as one ``error:`` line, no traceback)."""


def stage_module(name: str) -> Stage:
    """The stage whose tasks are named ``name`` (imported when first run)."""
    if name == "compile":
        from rustwheel.stages.compile import run as compile_run

        return compile_run
    if name == "header":
        from rustwheel.stages.header import run as header_run

        return header_run
    if name == "bindgen":
        from rustwheel.stages.bindgen import run as bindgen_run

        return bindgen_run
    if name == "repair":
        from rustwheel.stages.repair import run as repair_run

        return repair_run
    from rustwheel.stages.wheel import run as wheel_run

    assert name == "wheel", name
    return wheel_run


def fingerprint(plan_text: str) -> str:
    """What a stage's record is valid for: its plan, byte for byte."""
    return hashlib.sha256(plan_text.encode("utf-8")).hexdigest()


def _restore(job: Job, storage: Optional[Storage]) -> Optional[StageRun]:
    """The job's result restored from the store (its inputs: those of the stored run)."""
    hit = storage.lookup(job.known_inputs) if storage is not None else None
    files = storage.restore(hit, job.output_dir) if storage and hit else None
    if hit is None or files is None:
        return None
    run = job.restored(files)
    return dataclasses.replace(run, inputs=hit.inputs, env=hit.env,
                               values={**run.values, "restored": True})


def _inputs_before(job: Job) -> dict[str, Optional[Facts]]:
    """The facts of every input the job can name before it runs: the known inputs, and those
    its last run recorded (cargo's dep-info list rarely changes)."""
    last = records.read(job.plan.inputs_record)
    return records.snapshot([*job.known_inputs, *(last["inputs"] if last else ())])


def execute(job: Job, text: str) -> Mapping[str, JsonValue]:
    """Restore or run ``job``, record what it read and wrote, store a new result."""
    since = clock(Path(job.plan.inputs_record).parent)
    before = _inputs_before(job)
    spec = job.plan.cache
    storage = Storage(spec, job.store_name, job.tools()) if spec is not None else None
    restored = _restore(job, storage)
    run = restored if restored is not None else job.run()
    observed = records.observe([*job.known_inputs, *run.inputs], run.env, since=since,
                               exempt=written_while_building(job.plan.inputs_record),
                               probed=run.probed, touched=run.touched, before=before)
    outputs = [*(str(p) for p in run.outputs.values()), *run.side_outputs]
    records.write(job.plan.inputs_record, fingerprint(text), observed, outputs)
    if not observed.clean:
        ui.warn(f"an input of {job.plan.cell}'s {job.store_name} stage changed while it ran; "
                "the stage will run again at the next build")
    if storage is not None and restored is None:
        storage.save(job.known_inputs, observed, run.outputs)
    return run.values


def run_task(stage: str, plan_path: str) -> Union[dict[str, Any], TaskFailed]:
    """doit action of the task ``<stage>:<cell>``: a user error becomes a one-line failure."""
    with ui.collecting() as warnings:
        try:
            text = Path(plan_path).read_text(encoding="utf-8")
            values = execute(stage_module(stage).job(text), text)
        except RustwheelError as exc:
            return TaskFailed(USER_ERROR_PREFIX + str(exc))
        finally:
            DigestCache.shared().save()
    return {**values, "warnings": warnings} if warnings else values
