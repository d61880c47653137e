"""Recorded input sets: the files a stage really read, checked cheaply on the next run.

The compile stage learns its inputs only after cargo ran (from dep-info files), so they cannot be
doit `file_dep`s known at load time. Instead the stage records them with their stat facts and a
content digest, and `InputsUnchanged` is the task's `uptodate` check: a file whose
``(inode, size, mtime_ns)`` is unchanged is not read again; a touched file is re-hashed, and only
a changed digest (or a missing file) makes the stage run.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Optional

from rustwheel.freshness.digests import DigestCache, digest_file
from rustwheel.plan.codec import write_if_changed

FORMAT = 1


def _stat_key(st: os.stat_result) -> list[int]:
    return [st.st_ino, st.st_size, st.st_mtime_ns]


def env_digest(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    return hashlib.sha256(value.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def record_inputs(record_path: Path, files: Iterable[str], fingerprint: str,
                  env_vars: Iterable[str] = ()) -> None:
    """Write the record of ``files`` (missing ones are skipped: they were transient) and of the
    environment variables build scripts declared (digests only, never values)."""
    entries: dict[str, Any] = {}
    for f in sorted(set(files)):
        try:
            st = os.stat(f)
        except OSError:
            continue
        if not os.path.isfile(f):
            continue
        entries[f] = {"stat": _stat_key(st), "digest": digest_file(f)}
    env = {name: env_digest(os.environ.get(name)) for name in sorted(set(env_vars))}
    text = json.dumps({"format": FORMAT, "fingerprint": fingerprint, "files": entries, "env": env},
                      sort_keys=True, indent=0) + "\n"
    write_if_changed(record_path, text)


def read_record(record_path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(record_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    return data


def changed_inputs(record_path: Path, fingerprint: str) -> list[str] | None:
    """Files that changed since the record was written; None when there is no usable record."""
    data = read_record(record_path)
    if data is None or data.get("fingerprint") != fingerprint:
        return None
    changed = [f"${name}" for name, value in data.get("env", {}).items()
               if env_digest(os.environ.get(name)) != value]
    for path, facts in data["files"].items():
        try:
            st = os.stat(path)
        except OSError:
            changed.append(path)
            continue
        if _stat_key(st) == facts["stat"]:
            continue
        try:
            if DigestCache.shared().digest(path, st) != facts["digest"]:
                changed.append(path)
        except OSError:
            changed.append(path)
    return changed


class InputsUnchanged:
    """doit `uptodate` item: True while every recorded input is unchanged."""

    def __init__(self, record_path: str, fingerprint: str) -> None:
        self.record_path = record_path
        self.fingerprint = fingerprint

    def current_fingerprint(self) -> str:
        return self.fingerprint

    def __call__(self, task: object, values: dict[str, Any]) -> bool:
        return changed_inputs(Path(self.record_path), self.current_fingerprint()) == []

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.record_path!r})"
