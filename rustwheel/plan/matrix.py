"""The build matrix: one cell per interpreter × target × compatibility combination.

Pure: the interpreters' facts and the target platforms are parameters (probed and resolved by
the detect stage). An abi3 build gives one cell for every interpreter that can load its abi3
module; the others (PyPy, free-threaded builds, versions below the abi3 minimum) get
version-specific cells, as in maturin, and `abi3_warnings` says so. Interpreters with the same
ABI tag give one cell too. A cell's name names its tasks
(``compile:<name>``) and its state directory, so two different cells may never share one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from rustwheel.errors import ConfigError
from rustwheel.spec import tags

if TYPE_CHECKING:
    from rustwheel.config.compat import Compatibility
    from rustwheel.host.interpreter import Interpreter
    from rustwheel.stages.detect.bindings import Bindings


@dataclass(frozen=True)
class ZigLink:
    python: str
    """The interpreter that has ``ziglang`` installed."""
    target: str
    """zig's target: ``x86_64-linux-gnu.2.17``."""
    wrapper: str
    """Where the compile stage writes the linker wrapper."""


@dataclass(frozen=True)
class Platform:
    """One target and the compatibility asked for it."""

    triple: str
    """The Rust target triple (``x86_64-unknown-linux-gnu``)."""
    arch: str
    """The architecture as platform tags spell it (``x86_64``, ``armv7l``)."""
    tag: str
    """The platform tag known when planning (``linux_x86_64``, or the policy's tags when the
    audit is skipped); the repair stage may choose another."""
    compatibility: Compatibility
    zig_glibc: Optional[str] = None
    """``--zig``: the glibc version to link against (``2.17``)."""
    explicit: bool = False
    """The target was asked for (``--target``, ``CARGO_BUILD_TARGET``): cargo is given
    ``--target`` and puts its outputs under ``<target dir>/<triple>/``."""


@dataclass(frozen=True)
class CellSpec:
    """What one cell is built for; every stage plans one cell from its `CellSpec`."""

    name: str
    """Unique within a build, e.g. ``cp312-x86_64-unknown-linux-gnu``."""
    interpreter: Optional[Interpreter]
    """The interpreter the cell is built for and with (None: the bindings need none)."""
    platform: Platform
    tag: str
    """The wheel tag when planning, ``cp312-cp312-linux_x86_64``."""
    ext_suffix: Optional[str]
    """File name suffix of the extension module (pyo3 and pyo3-ffi bindings only)."""
    zig: Optional[ZigLink] = None
    """``--zig``: the linker wrapper of this cell."""


def _abi3_minimum(bindings: Bindings) -> Optional[tuple[int, int]]:
    """The abi3 feature's minimum version (None: not abi3, or the oldest interpreter's)."""
    return bindings.abi3 if bindings.abi3 not in (None, (0, 0)) else None


def abi3_ineligible(bindings: Bindings, interp: Interpreter) -> Optional[str]:
    """Why ``interp`` cannot load the abi3 module of an abi3 build (None: it can, or the
    build is not abi3): PyPy, free-threaded builds, versions below the abi3 minimum."""
    if bindings.abi3 is None or not bindings.is_pyo3_extension:
        return None
    if interp.gil_disabled:
        return f"free-threaded {interp.version}t"
    if interp.implementation != "cpython":
        return interp.description  # PyPy 3.10
    minimum = _abi3_minimum(bindings)
    if minimum is not None and (interp.major, interp.minor) < minimum:
        return f"Python {interp.version} (below abi3-py{minimum[0]}{minimum[1]})"
    return None


def abi3_warnings(bindings: Bindings, interpreters: Sequence[Interpreter]) -> list[str]:
    """One warning per interpreter that gets a version-specific wheel in an abi3 build."""
    reasons = dict.fromkeys(r for i in interpreters
                            if (r := abi3_ineligible(bindings, i)) is not None)
    return [f"abi3 is not supported by {r}: its wheel is version-specific" for r in reasons]


def _abi3_cell(bindings: Bindings, capable: Sequence[Interpreter], platform: Platform) -> CellSpec:
    """The one abi3 cell, built with the oldest interpreter (an unversioned ``abi3`` feature
    makes the oldest one's version the minimum)."""
    oldest = min(capable, key=lambda i: (i.major, i.minor))
    minimum = _abi3_minimum(bindings) or (oldest.major, oldest.minor)
    return CellSpec(f"cp{minimum[0]}{minimum[1]}-abi3-{platform.triple}", oldest, platform,
                    tags.abi3_tag(minimum, platform.tag), ".abi3.so")


def _interpreter_cell(interp: Interpreter, platform: Platform,
                      ext_suffix: Optional[str]) -> CellSpec:
    return CellSpec(f"{interp.abi_tag}-{platform.triple}", interp, platform,
                    tags.interpreter_tag(interp.python_tag, interp.abi_tag, platform.tag),
                    ext_suffix)


def _extension_cells(bindings: Bindings, interpreters: Sequence[Interpreter],
                     platform: Platform) -> list[CellSpec]:
    assert interpreters, "pyo3 bindings are planned with at least one interpreter"
    capable = [i for i in interpreters
               if bindings.abi3 is not None and abi3_ineligible(bindings, i) is None]
    cells = []
    for interp in interpreters:
        if interp not in capable:
            suffix = tags.ext_suffix_for(interp.ext_suffix, platform.triple)
            cells.append(_interpreter_cell(interp, platform, suffix))
        elif interp is capable[0]:
            cells.append(_abi3_cell(bindings, capable, platform))
    return cells


def _platform_cells(bindings: Bindings, interpreters: Sequence[Interpreter],
                    platform: Platform) -> list[CellSpec]:
    if bindings.is_pyo3_extension:
        return _extension_cells(bindings, interpreters, platform)
    if bindings.kind == "bin" and bindings.pyo3_crate is not None and interpreters:
        return [_interpreter_cell(i, platform, None) for i in interpreters]
    first = interpreters[0] if interpreters else None
    return [CellSpec(f"py3-{platform.triple}", first, platform, tags.generic_tag(platform.tag),
                     None)]


def _describe(cell: CellSpec) -> str:
    who = cell.interpreter.executable if cell.interpreter is not None else "no interpreter"
    compat = cell.platform.compatibility
    wanted = "linux" if compat.linux else compat.policy or "the most compatible tag"
    return f"{who} for {cell.platform.triple}, {wanted}"


def _without_executable(cell: CellSpec) -> CellSpec:
    if cell.interpreter is None:
        return cell
    return dataclasses.replace(
        cell, interpreter=dataclasses.replace(cell.interpreter, executable=""))


def unique_cells(cells: Sequence[CellSpec]) -> list[CellSpec]:
    """``cells`` with repeats of one cell dropped (the first is kept: interpreters differing
    only in their path build the same cell); two different cells with one name are an error."""
    kept: dict[str, CellSpec] = {}
    for cell in cells:
        first = kept.setdefault(cell.name, cell)
        if first is not cell and _without_executable(first) != _without_executable(cell):
            raise ConfigError(
                f"two different cells would both be named '{cell.name}' ({_describe(first)}; "
                f"{_describe(cell)}); build them separately, with one -i/--interpreter "
                "and one compatibility each")
    return list(kept.values())


def cells_for(bindings: Bindings, interpreters: Sequence[Interpreter],
              platforms: Sequence[Platform]) -> list[CellSpec]:
    """The cells of a build, in the order of ``platforms`` then of ``interpreters``."""
    return unique_cells([cell for platform in platforms
                         for cell in _platform_cells(bindings, interpreters, platform)])
