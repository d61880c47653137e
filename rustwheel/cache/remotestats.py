"""How often the remote store answered a lookup, kept beside the local store in
``v1/remote-stats.json`` by every build that uses a remote, and shown by ``rustwheel cache
stats``. A lookup is one action entry the local store did not have: a hit when the remote had
it (verified, with its blobs), a miss otherwise; lookups while the server is unavailable are not
counted."""

from __future__ import annotations

import json
import os
from contextlib import suppress

from rustwheel.cache.layout import StorePaths

STATS_FILE = "remote-stats.json"
FIELDS = ("remote_hits", "remote_misses")


def count(paths: StorePaths, field: str) -> None:
    """Add one to ``field`` in the store's remote counters (``v1/remote-stats.json``)."""
    import fcntl

    with suppress(OSError):
        paths.base.mkdir(parents=True, exist_ok=True)
        fd = os.open(paths.base / STATS_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        with os.fdopen(fd, "r+b") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            counts = _parse(fh.read())
            counts[field] = counts.get(field, 0) + 1
            fh.seek(0)
            fh.truncate()
            fh.write(json.dumps(counts, sort_keys=True).encode("utf-8") + b"\n")


def _parse(raw: bytes) -> dict[str, int]:
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {}
    if not isinstance(doc, dict):
        return {}
    return {k: v for k, v in doc.items() if isinstance(v, int) and not isinstance(v, bool)}


def read_counts(paths: StorePaths) -> dict[str, int]:
    """The remote counters of the store (zeros when no build used a remote)."""
    try:
        raw = (paths.base / STATS_FILE).read_bytes()
    except OSError:
        raw = b""
    counts = _parse(raw)
    return {name: counts.get(name, 0) for name in FIELDS}
