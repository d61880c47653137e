"""The python-edit shortcut: rerun only the wheel stage when only its own files changed.

The commonest rebuild after a no-op is an edit to a python source of a mixed project. When the
no-op stamp (`rustwheel.freshness.stamp`) fails only because of files that are inputs of the wheel stage
and of no other stage (python sources and other package files; not the readme or license
files, which the metadata is rendered from, and never a directory, whose listing the plan
depends on), and the plan is the last build's, the other stages are up to date by
construction. The wheel stage then runs directly, without loading doit, and its row in doit's
dependency database is updated the way doit would, so a later full run agrees.

Standard library (plus the wheel stage) only; anything unexpected returns None and the build
takes the full path.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from rustwheel.freshness import stamp

if TYPE_CHECKING:
    from rustwheel.plan.cells import BuildPlan, Cell


def _other_inputs(cell: Cell) -> Optional[set[str]]:
    """Files some stage other than the wheel stage depends on (None: unknown)."""
    files: set[str] = set(cell.wheel.metadata_inputs)
    for record in (cell.compile.inputs_record,
                   *([cell.header.inputs_record] if cell.header is not None else [])):
        try:
            files.update(json.loads(Path(record).read_text(encoding="utf-8"))["files"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
    if cell.uniffi is not None:
        files.update(cell.uniffi.inputs())
    if cell.repair is not None:
        files.update(cell.repair.inputs())
    return files


def _wheel_row(db: sqlite3.Connection, task: str) -> Optional[dict[str, Any]]:
    row = db.execute("select task_data from doit where task_id = ?", (task,)).fetchone()
    if row is None:
        return None
    data = json.loads(row[0])
    return data if isinstance(data, dict) and data.get("checker:") == "FastChecker" else None


def _changes(cells: Sequence[Cell], changed: Sequence[str], db: sqlite3.Connection,
             digests: Any) -> Optional[dict[str, tuple[dict[str, Any], list[str]]]]:
    """Wheel task -> (its database row, its files whose content changed); None when a
    changed file is not a wheel-only input of some cell."""
    out: dict[str, tuple[dict[str, Any], list[str]]] = {}
    claimed: set[str] = set()
    for cell in cells:
        state = os.path.dirname(cell.wheel.record)  # staged and generated files live there
        task = f"wheel:{cell.name}"
        row = _wheel_row(db, task)
        others = _other_inputs(cell)
        if row is None or others is None:
            return None
        sources = {f.source for f in cell.wheel.files}
        edited = []
        for path in changed:
            if path not in sources:
                continue
            if path in others or path.startswith(state) or not os.path.isfile(path) \
                    or path not in row:
                return None
            claimed.add(path)
            if digests.digest(path, os.stat(path)) != row[path][2]:
                edited.append(path)
        out[task] = (row, edited)
    return out if claimed == set(changed) else None


def try_wheel_only(plan_stamp: Path, build_stamp: Path, quiet: bool,
                   ) -> Optional[tuple[BuildPlan, list[tuple[str, str, float]], list[str]]]:
    """Run the shortcut if it applies: (the plan, (task, status, seconds) per task, the
    files the stamp watches); None when the full build must run."""
    data = stamp.read_any(build_stamp)
    plan_data = stamp.read_fresh(plan_stamp)
    if data is None or plan_data is None:
        return None
    changed = [f for f, facts in data["files"].items() if stamp.file_facts(f) != facts]
    if not changed:
        return None
    from rustwheel.freshness.digests import DigestCache
    from rustwheel.plan import codec as plancodec
    from rustwheel.plan.cells import BuildPlan

    try:
        plan = plancodec.from_plain(BuildPlan, plan_data["plan"])
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    if not plan.db_file.is_file():
        return None
    digests = DigestCache.shared(plan.state_dir / "file-digests.json")
    from rustwheel.tasks.statelock import locked

    with locked(plan.state_dir, quiet=quiet):
        db = sqlite3.connect(str(plan.db_file), timeout=60)
        try:
            rows = _changes(plan.cells, changed, db, digests)
            if rows is None:
                return None
            results = _run_wheels(plan, rows, db, digests)
        finally:
            db.close()
            digests.save()
    statuses = {task: (status, seconds) for task, status, seconds in results}
    order = [(t, *statuses.get(t, ("up to date", 0.0))) for t in data["tasks"]]
    return plan, order, list(data["files"])


def _run_wheels(plan: BuildPlan, rows: dict[str, tuple[dict[str, Any], list[str]]],
                db: sqlite3.Connection, digests: Any) -> list[tuple[str, str, float]]:
    from rustwheel.stages.wheel import run as wheel_stage

    results = []
    for cell in plan.cells:
        task = f"wheel:{cell.name}"
        row, edited = rows[task]
        if not edited:
            continue
        start = time.monotonic()
        values = wheel_stage.run(str(plan.wheel_plan_file(cell)))
        for path in edited:  # the state doit's FastChecker saves: (mtime, size, digest)
            st = os.stat(path)
            row[path] = [st.st_mtime, st.st_size, digests.digest(path, st)]
        row["_values_"] = values
        row["result:"] = values
        db.execute("insert or replace into doit values (?,?)", (task, json.dumps(row)))
        db.commit()
        results.append((task, "ran", time.monotonic() - start))
    return results
