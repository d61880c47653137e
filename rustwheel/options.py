"""The options of a build: what ``rustwheel build`` flags and `rustwheel.build` keywords set.

Kept apart from their resolution (`rustwheel.config.options`) so that a build answered by the
no-op stamp imports nothing else; a named tuple, not a dataclass, for the same reason
(``dataclasses`` imports ``inspect``, a fifth of a no-op build's time).
"""

from __future__ import annotations

from typing import NamedTuple, Optional

CARGO_COLORS = ("auto", "always", "never")
"""The values of cargo's ``--color`` (`BuildOptions.color`)."""


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
    interpreters: tuple[str, ...] = ()
    """``-i``: paths, names (``python3.12``, ``pypy3.10``) or versions (``3.12``, ``3.13t``)."""
    find_interpreter: bool = False
    """``-f``: every interpreter found on PATH and in pyenv's and uv's installs."""
    targets: tuple[str, ...] = ()
    """``--target``: Rust target triples (default: ``CARGO_BUILD_TARGET``, else the host)."""
    jobs: Optional[int] = None
    """``-j``: how many cells build at once (default 1)."""
    timings: Optional[str] = None
    """``--timings FILE.html``: write a page of when each cell's stages ran."""
    strip: Optional[bool] = None
    compatibility: Optional[str] = None
    auditwheel: Optional[str] = None
    zig: bool = False
    quiet: bool = False
    verbose: int = 0
    rustc_args: tuple[str, ...] = ()
    cache_dir: Optional[str] = None
    no_cache: bool = False
    remote_cache: Optional[str] = None
    """``--remote-cache URL``: a store shared over the Bazel HTTP cache protocol."""
    remote_cache_read_only: bool = False
    editable: bool = False
    auto_rebuild: bool = False
    sdist: bool = False
    """Build the sdist first, then the wheel from the unpacked sdist."""
    compression_method: Optional[str] = None
    """``--compression-method``: deflated (default) or stored."""
    compression_level: Optional[int] = None
    """``--compression-level``: deflated 0-9 (default 6)."""
    ignore_rust_version: bool = False
    """cargo's ``--ignore-rust-version``: build even if the crate's ``rust-version`` is newer."""
    future_incompat_report: bool = False
    """cargo's ``--future-incompat-report``."""
    color: Optional[str] = None
    """cargo's ``--color``: auto, always or never."""
    sbom_include: tuple[str, ...] = ()
    """``--sbom-include``: more SBOM files for ``.dist-info/sboms/``, after the tool table's
    ``sbom.include`` (relative to the project root)."""
