"""Where the store lives by default (standard library only: used on the no-op fast path)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Optional


def default_cache_dir(env: Mapping[str, str]) -> Path:
    """`RUSTWHEEL_CACHE_DIR`, else `$XDG_CACHE_HOME/rustwheel`, else `~/.cache/rustwheel`."""
    explicit = env.get("RUSTWHEEL_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = env.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():  # the XDG spec says to ignore relative paths
        return Path(xdg) / "rustwheel"
    home = env.get("HOME")
    return (Path(home) if home else Path.home()) / ".cache" / "rustwheel"


def store_root(cache_dir: Optional[str], no_cache: bool, env: Mapping[str, str],
               cwd: Path) -> Optional[Path]:
    """The store a build uses: None with --no-cache or RUSTWHEEL_NO_CACHE, else --cache-dir,
    else the default location."""
    if no_cache or env.get("RUSTWHEEL_NO_CACHE", "").strip().lower() in ("1", "true", "yes", "on"):
        return None
    if cache_dir:
        return (cwd / cache_dir).resolve()
    return default_cache_dir(env).resolve()
