"""The no-op shortcut: after a successful build, remember the stat of everything it depended on.

`rustwheel build` with the same arguments, working directory and relevant environment first
compares that record with the files on disk — a few dozen `stat` calls, no hashing, no `cargo
metadata`, no doit. If every input is unchanged and every output is still in place, nothing can
have changed and the build reports all stages up to date at once; on any difference (or when
unsure: an interpreter or rustc chosen through a version-manager shim whose choice can change
without any file we watch changing) it runs the task graph as usual, which then decides
precisely what to do.

This module is imported on that hot path: standard library only.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time (the auto-rebuild hook's first import)
    from typing import Any, Optional

FORMAT = 1
_ENV_PREFIXES = ("CARGO", "RUST", "PYO3_", "CC", "CXX", "CFLAGS", "CXXFLAGS", "LDFLAGS", "AR",
                 "PKG_CONFIG", "RUSTWHEEL_", "MATURIN_", "SOURCE_DATE_EPOCH", "VIRTUAL_ENV",
                 "CONDA_PREFIX", "PATH", "HOME", "XDG_CACHE_HOME", "PYENV_VERSION",
                 "PYTHONPATH")


def stamp_key(argv: Sequence[str], cwd: str, env: Mapping[str, str]) -> str:
    import hashlib  # here: `rustwheel audit` and `cache` need no OpenSSL (~3 ms)

    relevant = {k: v for k, v in env.items() if k.startswith(_ENV_PREFIXES)}

    from rustwheel import __version__

    data = json.dumps({"argv": list(argv), "cwd": cwd, "env": relevant, "format": FORMAT,
                       "rustwheel": __version__}, sort_keys=True)
    return hashlib.sha256(data.encode("utf-8", "surrogateescape")).hexdigest()


def stamp_path(cache_root: Path, key: str, kind: str = "build") -> Path:
    """``kind`` "build": the no-op stamp; "plan": the resolved plan and what it was read from."""
    return cache_root / "stamps-v1" / key[:2] / f"{key}.{kind}.json"


def _stat(path: str) -> Optional[list[int]]:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_ino, st.st_size, st.st_mtime_ns]


def file_facts(path: str) -> Optional[list[int]]:
    """What a stamp records of a file: ``[inode, size, mtime_ns]``, None when it is missing."""
    return _stat(path)


def read_any(path: Path) -> Optional[dict[str, Any]]:
    """The stamp's data whether or not its files changed since (None: no usable stamp)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    return data


def read_fresh(path: Path) -> Optional[dict[str, Any]]:
    """The stamp's report data when every recorded file is unchanged, else None."""
    data = read_any(path)
    if data is None:
        return None
    for file, facts in data.get("files", {}).items():
        if _stat(file) != facts:
            return None
    return data


def write(path: Path, files: Iterable[str], **extra: Any) -> None:
    """Record the stat of ``files`` (inputs and outputs) and ``extra`` data; atomic."""
    from rustwheel.atomic import write_bytes

    path.parent.mkdir(parents=True, exist_ok=True)  # first: it may change a watched directory
    facts: dict[str, Any] = {}
    for f in sorted(set(files)):
        st = _stat(f)
        if st is None:
            return  # something vanished during the build: no shortcut next time
        facts[f] = st
    text = json.dumps({**extra, "format": FORMAT, "files": facts}, sort_keys=True)
    write_bytes(path, text.encode("utf-8"))
