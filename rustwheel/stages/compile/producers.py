"""Which checkout last produced an artifact in a shared cargo target dir.

cargo names cdylibs and binaries without a per-checkout hash, and two copies of one crate
(two clones sharing ``CARGO_TARGET_DIR``, pip's temporary copies) even share one fingerprint:
after copy B was edited and built, cargo calls copy A "fresh" and hands back B's file. The
compile stage records, beside each artifact it took, the manifest it built and the file's
facts (inode, size, mtime: cargo and the linker write a new file each time); a fresh artifact
whose record names another manifest and the same file version is that other copy's, and the
stage makes cargo rebuild it. Nothing is hashed: a Rust edit's rebuild does not read the
(often large) library for this.
"""

from __future__ import annotations

import json
from pathlib import Path

from rustwheel.atomic import write_bytes
from rustwheel.freshness.facts import facts

_DIR = ".rustwheel-producers"


def _record(artifact: str) -> Path:
    p = Path(artifact)
    return p.parent / _DIR / f"{p.name}.json"


def _version(artifact: str) -> list[int]:
    found = facts(artifact)
    if found is None:
        raise FileNotFoundError(artifact)
    return list(found)


def is_foreign(artifact: str, manifest: str) -> bool:
    """True when ``artifact`` is still the file a build of another manifest left (or when a
    record of another manifest in an older format cannot tell: cargo then runs once more)."""
    try:
        data = json.loads(_record(artifact).read_text(encoding="utf-8"))
        if data["manifest"] == manifest:
            return False
        return "version" not in data or bool(data["version"] == _version(artifact))
    except (OSError, ValueError, KeyError, TypeError):
        return False


def claim(artifact: str, manifest: str) -> None:
    text = json.dumps({"manifest": manifest, "version": _version(artifact)}, sort_keys=True)
    write_bytes(_record(artifact), text.encode("utf-8"))
