"""The no-op shortcut: after a successful build, remember the facts of everything it involved.

A build with the same options, working directory and relevant environment first compares that
record with the files on disk — a few dozen ``stat`` calls, no hashing, no ``cargo metadata``,
no doit. If every file has the facts the stamp holds, nothing can have changed and the build
reports all stages up to date at once; on any difference it runs the task graph, which then
decides precisely what to do.

What a stamp watches is never listed by hand: `rustwheel.freshness.watch` derives it from the
task dicts the pipeline yields and the stages' records. Two stamps per build key: ``build``
(everything: the no-op shortcut) and ``plan`` (what resolving the configuration read, with the
resolved plan: a build whose inputs changed but whose plan cannot have skips ``cargo metadata``).

This module is imported on that hot path (and by the auto-rebuild import hook): standard
library only.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from rustwheel.freshness import statefile
from rustwheel.freshness.facts import facts as facts_of

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time (the auto-rebuild hook's first import)
    from typing import Any, Optional

    from rustwheel.options import BuildOptions

FORMAT = 3
_ENV_PREFIXES = ("CARGO", "RUST", "PYO3_", "CC", "CXX", "CFLAGS", "CXXFLAGS", "LDFLAGS", "AR",
                 "PKG_CONFIG", "RUSTWHEEL_", "MATURIN_", "SOURCE_DATE_EPOCH", "VIRTUAL_ENV",
                 "CONDA_PREFIX", "PATH", "HOME", "XDG_CACHE_HOME", "PYENV_", "PYTHONPATH",
                 "UV_")


def _sha256_hex(data: bytes) -> str:
    """sha256 by CPython's own implementation when it has one: `hashlib` loads OpenSSL
    (~4 ms), which a no-op build, and a Rust edit's cargo started early, would wait for."""
    try:
        from _sha2 import sha256  # type: ignore[import-not-found]  # CPython 3.12+
    except ImportError:
        try:
            from _sha256 import sha256  # type: ignore[import-not-found]  # 3.8-3.11
        except ImportError:
            from hashlib import sha256
    return str(sha256(data).hexdigest())


def stamp_key(options: str, cwd: str, env: Mapping[str, str]) -> str:
    """The key of a build: its options (canonical JSON), directory and relevant environment."""
    relevant = {k: v for k, v in env.items()
                if k.startswith(_ENV_PREFIXES) and not k.startswith("RUSTWHEEL_REMOTE_CACHE")}

    from rustwheel import __version__

    data = json.dumps({"options": options, "cwd": cwd, "env": relevant, "format": FORMAT,
                       "rustwheel": __version__}, sort_keys=True)
    return _sha256_hex(data.encode("utf-8", "surrogateescape"))


def stamp_path(cache_root: Path, key: str, kind: str = "build") -> Path:
    """``kind`` "build": the no-op stamp; "plan": the resolved plan and what it was read from."""
    return cache_root / f"stamps-v{FORMAT}" / key[:2] / f"{key}.{kind}{statefile.SUFFIX}"


def store_root(stamp: Path) -> Path:
    """The store a stamp (`stamp_path`) belongs to."""
    return stamp.parents[2]


def read_any(path: Path) -> Optional[dict[str, Any]]:
    """The stamp's data whether or not its files changed since (None: no usable stamp)."""
    data = statefile.read(path)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    return data


def read_fresh(path: Path) -> Optional[dict[str, Any]]:
    """The stamp's data when every recorded file still has its facts, else None."""
    data = read_any(path)
    return data if data is not None and is_fresh(data) else None


def is_fresh(data: Mapping[str, Any]) -> bool:
    """Whether every file the stamp's ``data`` records still has its facts."""
    return not any_changed(data, data.get("files", {}))


def any_changed(data: Mapping[str, Any], paths: Iterable[str]) -> bool:
    """Whether one of ``paths`` no longer has the facts the stamp's ``data`` records."""
    recorded = data.get("files", {})
    return any((list(f) if (f := facts_of(p)) else None) != recorded.get(p) for p in paths)


def write(path: Path, files: Mapping[str, Optional[list[int]]], **extra: Any) -> None:
    """Record ``files`` (path -> facts, None for a path that must stay absent) and ``extra``
    data; atomic."""
    statefile.write(path, {**extra, "format": FORMAT, "files": dict(files)})


def stamps_of(opts: BuildOptions, env: Optional[Mapping[str, str]] = None,
              ) -> Optional[tuple[Path, Path]]:
    """(no-op stamp, plan stamp) of a build with ``opts`` in the current directory, or None
    when the store is off."""
    from rustwheel.cache.location import store_root

    env = os.environ if env is None else env
    root = store_root(opts.cache_dir, opts.no_cache, env, Path.cwd())
    if root is None:
        return None
    # the remote store changes where results come from, not what is built (and its URL can
    # hold credentials)
    fields = opts._replace(remote_cache=None, remote_cache_read_only=False)._asdict()
    key = stamp_key(json.dumps(fields, sort_keys=True), os.getcwd(), env)
    return stamp_path(root, key, "build"), stamp_path(root, key, "plan")


def stamp_of(opts: BuildOptions) -> Optional[Path]:
    """Where a build with ``opts`` in the current directory keeps its no-op stamp."""
    stamps = stamps_of(opts)
    return stamps[0] if stamps else None
