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

import errno
import hashlib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

from doit.exceptions import TaskFailed

from rustwheel import ui
from rustwheel.errors import FileSystemError, RustwheelError, os_error_message
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


def preload(stages: Iterable[str]) -> None:
    """Import ``stages``' modules, and what their jobs import only when they run (a stage
    module's ``preload()``), in a thread: while an early cargo runs, the process only waits,
    and these imports would otherwise come after it (the wheel stage's: ~5 ms)."""
    import threading

    def work() -> None:
        try:
            for name in stages:
                warm = getattr(stage_module(name), "preload", None)
                if warm is not None:
                    warm()
        except Exception:  # noqa: BLE001, S110 (only a head start: the stage imports again)
            pass

    threading.Thread(target=work, daemon=True).start()


def fingerprint(plan_text: str) -> str:
    """What a stage's record is valid for: its plan, byte for byte."""
    return hashlib.sha256(plan_text.encode("utf-8")).hexdigest()


def _restore(job: Job, storage: Optional[Storage], seen: Mapping[str, os.stat_result],
             ) -> Optional[StageRun]:
    """The job's result restored from the store (its inputs: those of the stored run)."""
    if storage is None or not job.consults_store(seen):
        return None
    hit = storage.lookup(job.known_inputs, seen)
    files = storage.restore(hit, job.output_dir) if hit else None
    if hit is None or files is None:
        return None
    run = job.restored(files)
    return run._replace(inputs=hit.inputs, env=hit.env, values={**run.values, "restored": True})


def _inputs_before(job: Job,
                   ) -> tuple[Mapping[str, Optional[Facts]], dict[str, os.stat_result]]:
    """The facts of every input the job can name before it runs: the known inputs, and those
    its last run recorded (cargo's dep-info list rarely changes); and the stats of them the
    task's up-to-date check took a moment ago."""
    last, seen = records.checked(job.plan.inputs_record)
    if last is None:
        last = records.read(job.plan.inputs_record)
    paths = [*job.known_inputs, *(last["inputs"] if last else ())]
    return records.snapshot(paths, seen), seen


def execute(job: Job, text: str) -> Mapping[str, JsonValue]:
    """Restore or run ``job``, record what it read and wrote, store a new result."""
    since = clock(Path(job.plan.inputs_record).parent)
    before, seen = _inputs_before(job)
    spec = job.plan.cache
    storage = Storage(spec, job.store_name, job.tools()) if spec is not None else None
    restored = _restore(job, storage, seen)
    run = restored if restored is not None else job.run(seen)
    observed = records.observe([*job.known_inputs, *run.inputs], run.env, since=since,
                               exempt=written_while_building(job.plan.inputs_record),
                               probed=run.probed, touched=run.touched, before=before,
                               judged=run.judged)
    outputs = [*(str(p) for p in run.outputs.values()), *run.side_outputs]
    records.write(job.plan.inputs_record, fingerprint(text), observed, outputs)
    if not observed.clean:
        ui.warn(f"an input of {job.plan.cell}'s {job.store_name} stage changed while it ran; "
                "the stage will run again at the next build")
    if storage is not None and restored is None:
        storage.save(job.known_inputs, observed, run.outputs)
    return run.values


def run_task(stage: str, plan_path: str) -> Union[dict[str, Any], TaskFailed]:
    """doit action of the task ``<stage>:<cell>``: a user error, or an OS error (no space, no
    permission, a read-only file system), becomes a one-line failure; every stage's OS errors
    are turned into messages here, in one place."""
    job: Optional[Job] = None
    with ui.collecting() as warnings:
        try:
            text = Path(plan_path).read_text(encoding="utf-8")
            job = stage_module(stage).job(text)
            values = execute(job, text)
        except FileSystemError as exc:
            return TaskFailed(USER_ERROR_PREFIX + _os_error(exc.os_error, job, plan_path,
                                                            exc.path))
        except RustwheelError as exc:
            return TaskFailed(USER_ERROR_PREFIX + str(exc))
        except OSError as exc:
            return TaskFailed(USER_ERROR_PREFIX + _os_error(exc, job, plan_path))
        finally:
            DigestCache.shared().save()
    return {**values, "warnings": warnings} if warnings else values


def _os_error(exc: OSError, job: Optional[Job], plan_path: str, path: object = None) -> str:
    """The message of an OS error in a stage. A failed write names no file: the stage's output
    directory is named, or its state directory when that one is the full one."""
    outputs = job.output_dir if job is not None else None
    state = Path(plan_path).parent
    place = path or exc.filename or outputs
    if place == outputs and exc.errno == errno.ENOSPC and outputs is not None \
            and _free(state) < _free(outputs):
        place = state
    output_file = getattr(job.plan, "output", None) if job is not None else None
    if place == outputs and isinstance(output_file, str):
        place = output_file  # the wheel being written
    in_outputs = outputs is not None and str(place).startswith(str(outputs))
    wheel = job is not None and job.store_name.startswith("wheel")
    hint = "-o/--out" if wheel and in_outputs else "--target-dir"
    ours = (str(d) for d in (outputs, state) if d is not None)
    reading = exc.filename is not None and path is None \
        and not any(str(exc.filename).startswith(d) for d in ours)
    if reading:  # an input of the stage (a source file, a library): no directory to choose
        return os_error_message(exc, None, "reading")
    return os_error_message(exc, place if path or exc.filename is None else None, "writing",
                            hint)


def _free(path: Path) -> int:
    try:
        st = os.statvfs(path)
    except OSError:
        return 1 << 62
    return st.f_bavail * st.f_frsize
