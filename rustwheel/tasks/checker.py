"""doit's file checker, made cheap for touched-but-unchanged files.

doit's MD5 checker hashes a file whenever its mtime differs from the one saved at the last
successful run; when the content turned out unchanged the task is up to date, nothing is saved,
and the same file is hashed again on every later run. `FastChecker` remembers digests by
``(path, inode, size, mtime_ns)`` in a small cache file, so each version of a file is hashed
once, and uses BLAKE2b (faster than MD5 on 64-bit CPUs).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar, Optional

from doit.dependency import FileChangedChecker

from rustwheel.freshness.digests import DigestCache

State = tuple[float, int, str]


class FastChecker(FileChangedChecker):  # type: ignore[misc]
    """State per file: (mtime, size, BLAKE2b digest)."""

    cache: ClassVar[DigestCache] = DigestCache.shared()

    @classmethod
    def use_cache_file(cls, path: Path) -> None:
        cls.cache = DigestCache.shared(path)

    def check_modified(self, file_path: str, file_stat: os.stat_result, state: Any) -> bool:
        timestamp, size, digest = state
        if file_stat.st_mtime == timestamp:
            return False
        if file_stat.st_size != size:
            return True
        return bool(self.cache.digest(file_path, file_stat) != digest)

    def get_state(self, dep: str, current_state: Any) -> Optional[State]:
        st = os.stat(dep)
        if current_state and current_state[0] == st.st_mtime:
            return None
        return (st.st_mtime, st.st_size, self.cache.digest(dep, st))
