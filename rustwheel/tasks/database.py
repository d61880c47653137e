"""doit's sqlite3 dependency database, committed after every write.

doit's own `SqliteDB` keeps every change in memory and writes it only when the whole run ends,
so a killed build forgets every task that had finished. This subclass writes each task's row
as soon as doit records it (WAL journal, so other builds reading the same file are not blocked)
and waits for locks instead of failing when several builds share the database. In rustwheel's
own runs (`TaskDependency`), a finished task's row is written once, whole.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any, Optional

from doit.dependency import Dependency, SqliteDB


class CommittingSqliteDB(SqliteDB):  # type: ignore[misc]
    desc = "sqlite3, committed after every task (rustwheel)"

    def _sqlite3(self, name: str) -> sqlite3.Connection:
        conn: sqlite3.Connection = super()._sqlite3(name)
        conn.execute("PRAGMA busy_timeout = 60000")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    holding = False
    """While True (`TaskDependency.save_success`), rows are written when the task is saved
    whole, not on every value."""

    def set(self, task_id: str, dependency: str, value: Any) -> None:
        super().set(task_id, dependency, value)
        if not self.holding:
            self._write(task_id)

    def keep_files(self, task_id: str, files: Iterable[str]) -> None:
        """Drop the saved states of files the task no longer depends on (doit's own keys
        end with ``:``)."""
        row = self._cache.get(task_id)
        if row is not None:
            wanted = set(files)
            for key in [k for k in row if not k.endswith(":") and k not in wanted]:
                del row[key]

    def remove(self, task_id: str) -> None:
        super().remove(task_id)
        self._conn.commit()

    def _write(self, task_id: str) -> None:
        self._conn.execute("insert or replace into doit values (?,?)",
                           (task_id, self.codec.encode(self._cache[task_id])))
        self._conn.commit()
        self._dirty.discard(task_id)


class TaskDependency(Dependency):  # type: ignore[misc]
    """doit's dependency manager for rustwheel's own runs: a successful task's row is written
    once (doit saves it value by value: five writes and commits of the whole row), and without
    the states of files it no longer depends on."""

    def save_success(self, task: Any, result_hash: Optional[str] = None) -> None:
        db: CommittingSqliteDB = self.backend
        db.holding = True
        try:
            super().save_success(task, result_hash)
        finally:
            db.holding = False
        db.keep_files(task.name, task.file_dep)
        db._write(task.name)
