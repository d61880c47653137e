"""doit's file checker over rustwheel's file facts (`rustwheel.freshness.facts`).

doit's MD5 checker hashes a file whenever its mtime differs from the one saved at the last
successful run; when the content turned out unchanged the task is up to date, nothing is saved,
and the same file is hashed again on every later run. `FastChecker` asks the digest cache, which
hashes each version of a file (its inode, size and mtime) once, with sha256. It is the checker
of rustwheel's own tasks and of any task in a ``dodo.py`` that uses `rustwheel.tasks.DOIT_CONFIG`.
"""

from __future__ import annotations

import os
from typing import Any, Optional

from doit.dependency import FileChangedChecker

from rustwheel.freshness.facts import DigestCache

State = tuple[float, int, str]


class FastChecker(FileChangedChecker):  # type: ignore[misc]
    """State per file: (mtime, size, sha256 digest)."""

    def check_modified(self, file_path: str, file_stat: os.stat_result, state: Any) -> bool:
        timestamp, size, digest = state
        if file_stat.st_mtime == timestamp:
            return False
        if file_stat.st_size != size:
            return True
        return bool(DigestCache.shared().digest(file_path, file_stat) != digest)

    def get_state(self, dep: str, current_state: Any) -> Optional[State]:
        st = os.stat(dep)
        if current_state and current_state[0] == st.st_mtime:
            return None
        return (st.st_mtime, st.st_size, DigestCache.shared().digest(dep, st))
