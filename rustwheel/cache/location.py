"""Where the store lives by default (standard library only: used on the no-op fast path)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


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
