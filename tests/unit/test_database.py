"""doit's database in rustwheel's runs: a finished task's row is written once, at once, and
keeps no state of a file the task no longer depends on."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from rustwheel.tasks import database
from rustwheel.tasks.reporter import RunLog
from rustwheel.tasks.runner import run_tasks


def _ok() -> bool:
    return True


def _rows(path: Path) -> dict[str, dict[str, Any]]:
    with sqlite3.connect(path) as conn:
        return {k: json.loads(v) for k, v in conn.execute("select task_id, task_data from doit")}


def test_one_write_per_task_and_no_stale_file_states(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("a")
    b.write_text("b")
    db = tmp_path / "doit.sqlite3"
    writes: list[str] = []
    real = database.CommittingSqliteDB._write

    def counting(self: database.CommittingSqliteDB, task_id: str) -> None:
        writes.append(task_id)
        real(self, task_id)

    monkeypatch.setattr(database.CommittingSqliteDB, "_write", counting)

    def run(deps: list[Path]) -> None:
        task = {"basename": "stage", "actions": [(_ok, [])],
                "file_dep": [str(p) for p in deps]}
        assert run_tasks([task], db, RunLog(stream=io.StringIO()), live=False) == 0

    run([a, b])
    assert writes == ["stage"]  # the whole row, once, as soon as the task succeeded
    assert {str(a), str(b)} <= set(_rows(db)["stage"])
    b.write_text("changed")  # runs again, now depending on a only
    run([a])
    row = _rows(db)["stage"]
    assert str(a) in row and str(b) not in row and row["deps:"] == [str(a)]
