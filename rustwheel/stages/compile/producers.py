"""Which checkout last produced an artifact in a shared cargo target dir.

cargo names cdylibs and binaries without a per-checkout hash, and two copies of one crate
(two clones sharing ``CARGO_TARGET_DIR``, pip's temporary copies) even share one fingerprint:
after copy B was edited and built, cargo calls copy A "fresh" and hands back B's file. The
compile stage records, beside each artifact it took, the manifest it built and the file's
digest; a fresh artifact whose record names another manifest with the same digest is that
other copy's, and the stage makes cargo rebuild it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from rustwheel.atomic import write_bytes
from rustwheel.freshness.facts import DigestCache

_DIR = ".rustwheel-producers"


def _record(artifact: str) -> Path:
    p = Path(artifact)
    return p.parent / _DIR / f"{p.name}.json"


def _digest(artifact: str) -> str:
    return DigestCache.shared().digest(artifact, os.stat(artifact))


def is_foreign(artifact: str, manifest: str) -> bool:
    """True when ``artifact`` is, byte for byte, what a build of another manifest left."""
    try:
        data = json.loads(_record(artifact).read_text(encoding="utf-8"))
        return bool(data["manifest"] != manifest and data["digest"] == _digest(artifact))
    except (OSError, ValueError, KeyError, TypeError):
        return False


def claim(artifact: str, manifest: str) -> None:
    text = json.dumps({"manifest": manifest, "digest": _digest(artifact)}, sort_keys=True)
    write_bytes(_record(artifact), text.encode("utf-8"))
