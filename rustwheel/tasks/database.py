"""doit's sqlite3 dependency database, committed after every write.

doit's own `SqliteDB` keeps every change in memory and writes it only when the whole run ends,
so a killed build forgets every task that had finished. This subclass writes each task's row
as soon as doit records it (WAL journal, so other builds reading the same file are not blocked)
and waits for locks instead of failing when several builds share the database.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from doit.dependency import SqliteDB


class CommittingSqliteDB(SqliteDB):  # type: ignore[misc]
    desc = "sqlite3, committed after every task (rustwheel)"

    def _sqlite3(self, name: str) -> sqlite3.Connection:
        conn: sqlite3.Connection = super()._sqlite3(name)
        conn.execute("PRAGMA busy_timeout = 60000")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    def set(self, task_id: str, dependency: str, value: Any) -> None:
        super().set(task_id, dependency, value)
        self._write(task_id)

    def remove(self, task_id: str) -> None:
        super().remove(task_id)
        self._conn.commit()

    def _write(self, task_id: str) -> None:
        self._conn.execute("insert or replace into doit values (?,?)",
                           (task_id, self.codec.encode(self._cache[task_id])))
        self._conn.commit()
        self._dirty.discard(task_id)
