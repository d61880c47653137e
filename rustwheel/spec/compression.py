"""The wheel's zip compression: maturin's ``--compression-method`` / ``--compression-level``
(checked when the options are resolved, without loading the compressor)."""

from __future__ import annotations

from typing import NamedTuple, Optional

DEFLATED, STORED = 8, 0
METHODS = {"deflated": (DEFLATED, 0, 9, 6), "stored": (STORED, 0, 0, 0)}
"""Supported methods: (zip method code, lowest level, highest level, default level)."""


class Compression(NamedTuple):
    """How members are compressed (maturin's ``--compression-method/-level``)."""

    method: str = "deflated"
    level: int = 6

    @property
    def code(self) -> int:
        return METHODS[self.method][0]

    @property
    def tag(self) -> str:
        """Names the streams this compression makes (member cache file names)."""
        return f"{self.method}{self.level}"


DEFAULT = Compression()


def compression(method: Optional[str], level: Optional[int]) -> Compression:
    """The `Compression` for ``--compression-method`` / ``--compression-level`` (None: the
    default); a method or level rustwheel does not support is a one-line `ConfigError`."""
    from rustwheel.errors import ConfigError

    name = (method or "deflated").lower()
    if name not in METHODS:
        extra = " (bzip2 and zstd are not supported)" if name in ("bzip2", "zstd") else ""
        raise ConfigError(f"unknown --compression-method '{method}'{extra}; use deflated or "
                          "stored")
    _, low, high, default = METHODS[name]
    if level is None:
        return Compression(name, default)
    if not low <= level <= high:
        raise ConfigError(f"--compression-level {level} is not valid for {name}: use "
                          f"{low}-{high}" if low != high else
                          f"--compression-level {level} is not valid for {name}: it has no "
                          "levels, leave the option out")
    return Compression(name, level)
