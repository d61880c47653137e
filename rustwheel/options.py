"""The options of a build: what ``rustwheel build`` flags and `rustwheel.build` keywords set.

Kept apart from their resolution (`rustwheel.config.options`) so that a build answered by the
no-op stamp imports nothing else; a named tuple, not a dataclass, for the same reason
(``dataclasses`` imports ``inspect``, a fifth of a no-op build's time).
"""

from __future__ import annotations

from typing import NamedTuple, Optional


class BuildOptions(NamedTuple):
    """The options of a build, as `rustwheel.build` and ``rustwheel build`` take them; None or
    empty means "not given" (then the environment, pyproject.toml or the default decides)."""

    manifest_path: Optional[str] = None
    out: Optional[str] = None
    release: bool = False
    profile: Optional[str] = None
    features: tuple[str, ...] = ()
    all_features: bool = False
    no_default_features: bool = False
    target_dir: Optional[str] = None
    locked: bool = False
    frozen: bool = False
    offline: bool = False
    config: tuple[str, ...] = ()
    unstable_flags: tuple[str, ...] = ()
    bindings: Optional[str] = None
    interpreter: Optional[str] = None
    strip: Optional[bool] = None
    compatibility: Optional[str] = None
    auditwheel: Optional[str] = None
    zig: bool = False
    quiet: bool = False
    verbose: int = 0
    rustc_args: tuple[str, ...] = ()
    cache_dir: Optional[str] = None
    no_cache: bool = False
    editable: bool = False
    auto_rebuild: bool = False
    sdist: bool = False
    """Build the sdist first, then the wheel from the unpacked sdist."""
