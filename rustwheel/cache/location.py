"""Where the store lives by default (standard library only: used on the no-op fast path)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Optional

DEFAULT_MAX_SIZE = 10 * 1024**3
LAYOUT_VERSION = "v1"
"""The store's layout (`rustwheel.cache.layout`): everything lives below ``<root>/v1``."""
"""The store's size bound unless `RUSTWHEEL_CACHE_MAX_SIZE` says otherwise (sccache's too)."""
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
_SIZE = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*([kmgt]?)(?:i?b)?", re.IGNORECASE)


def parse_size(text: str, what: str = "cache size") -> int:
    """Bytes in a size like ``1024``, ``500M``, ``2G`` or ``1.5GiB`` (K/M/G/T: powers of 1024)."""
    match = _SIZE.fullmatch(text.strip())
    if match is None:
        from rustwheel.errors import CacheError

        raise CacheError(f"invalid {what} {text!r}: use a number of bytes with an optional "
                         "K, M, G or T suffix, e.g. 500M or 2G")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def max_size(env: Mapping[str, str]) -> int:
    """The store's size bound: `RUSTWHEEL_CACHE_MAX_SIZE`, else `DEFAULT_MAX_SIZE`."""
    value = env.get("RUSTWHEEL_CACHE_MAX_SIZE", "").strip()
    return parse_size(value, "RUSTWHEEL_CACHE_MAX_SIZE") if value else DEFAULT_MAX_SIZE


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
