"""Content digests of files, computed once per file version.

A file version is ``(path, inode, size, mtime_ns)``; its BLAKE2b digest is remembered in a small
JSON file in the build's state directory, so a file that was touched but not changed is hashed
once, not on every run.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, ClassVar, Optional

from rustwheel.plan.codec import write_if_changed


def digest_file(path: str) -> str:
    h = hashlib.blake2b(digest_size=20)
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class DigestCache:
    """``path -> [inode, size, mtime_ns, digest]``, loaded and saved as one JSON file."""

    _shared: ClassVar[Optional[DigestCache]] = None

    @classmethod
    def shared(cls, path: Optional[Path] = None) -> DigestCache:
        """The process-wide cache; naming a file (re)loads it from there."""
        if cls._shared is None or (path is not None and cls._shared.path != path):
            cls._shared = DigestCache(path)
        return cls._shared

    def __init__(self, path: Optional[Path]) -> None:
        self.path = path
        self.entries: dict[str, list[Any]] = {}
        self.dirty = False
        if path is not None:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(data, dict):
                    self.entries = data
            except (OSError, ValueError):
                self.entries = {}

    def digest(self, file_path: str, st: os.stat_result) -> str:
        key = [st.st_ino, st.st_size, st.st_mtime_ns]
        cached = self.entries.get(file_path)
        if cached is not None and cached[:3] == key:
            return str(cached[3])
        value = digest_file(file_path)
        self.entries[file_path] = [*key, value]
        self.dirty = True
        return value

    def save(self) -> None:
        if self.path is not None and self.dirty:
            live = {p: v for p, v in self.entries.items() if os.path.exists(p)}
            write_if_changed(self.path, json.dumps(live, sort_keys=True) + "\n")
            self.dirty = False


