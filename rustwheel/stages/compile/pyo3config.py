"""How pyo3 learns its interpreter without cargo recompiling it (pure: planned per cell).

cargo keeps one build of a unit per *metadata hash*, and a build script's environment is not
part of that hash: with ``PYO3_PYTHON`` naming the interpreter, building for 3.12, then 3.13,
then 3.12 again reruns pyo3's build script and recompiles pyo3-ffi, pyo3 and everything after
them every time, and a new virtual env (pip's and ``python -m build``'s isolated builds) does
the same with one interpreter. Two measures stop it:

- **A pyo3 config file per interpreter** (``PYO3_CONFIG_FILE``, pyo3 >= 0.14) in the target
  dir, written from the interpreter's probed facts (implementation, version, build flags,
  libpython's name and directory), never its path. Its name carries a digest of its content,
  so the compile stage writes it only when it is missing or different, with a fixed old mtime
  (a copy a CI cache dropped and the stage wrote again does not rerun pyo3's build script).
  ``PYO3_PYTHON`` is not set (unless the crate has a build script of its own, see
  `own_build_script`), so a new virtual env of the same Python changes nothing cargo watches.
- **A cargo slot per interpreter**: a per-interpreter ``codegen-units`` (`slot_units`) for the
  first crate whose build reads the interpreter (``pyo3-build-config`` when it has a build
  script, as before pyo3 0.30; ``pyo3-ffi`` since) changes its metadata hash, and every unit
  depending on it (pyo3-ffi, pyo3, the macros of older pyo3, the crate) gets a hash of its own.
  Each interpreter's pyo3 then stays built beside the others, while syn, quote, libc and the
  rest are compiled once for all. The value only changes how rustc splits that crate into
  codegen units (an FFI declaration crate, or build-script code), not what the wheel does; it
  derives from the interpreter's ABI facts only, so it is the same on every machine. cargo
  gives the crate's build script the same profile, so that is compiled once per slot as well
  (pyo3 0.25's pyo3-build-config: 0.36 s of CPU per interpreter in a cold build), and no
  profile setting can spare it: the script's output is what differs per interpreter.

A user's own ``PYO3_CONFIG_FILE`` or ``PYO3_CROSS*`` settings are left in charge (the
variables naming the interpreter are set as before); the slot applies to them too.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from rustwheel.cargo.metadata import CargoMetadata
    from rustwheel.host.interpreter import Interpreter
    from rustwheel.plan.matrix import CellSpec
    from rustwheel.plan.project import Project
    from rustwheel.stages.detect.bindings import Bindings

CONFIG_DIR = ("rustwheel", "pyo3")
"""Where the config files go, under the cargo target dir."""
_IMPLEMENTATIONS = {"cpython": "CPython", "pypy": "PyPy", "graalpy": "GraalVM"}
_USER_SETTINGS = ("PYO3_CONFIG_FILE", "PYO3_CROSS")
_FIRST_WITH_CONFIG_FILE = (0, 14)


@dataclass(frozen=True)
class Pyo3Config:
    """A pyo3 config file the compile stage writes (if its content changed) before cargo."""

    path: str
    text: str


@dataclass(frozen=True)
class Pyo3Setup:
    """What a cell's cargo runs get for pyo3."""

    env: dict[str, str]
    cargo_args: tuple[str, ...] = ()
    config: Optional[Pyo3Config] = None


def _lib_name(interp: Interpreter) -> Optional[str]:
    """libpython's name as pyo3 derives it from ``LDVERSION``."""
    if not interp.ld_version:
        return None
    if interp.implementation == "pypy":
        return f"pypy{interp.ld_version}-c"
    if interp.implementation == "graalpy":
        return "python-native"
    return f"python{interp.ld_version}"


def config_text(interp: Interpreter, *, cross: bool) -> Optional[str]:
    """The config file's content (None: an implementation pyo3's file cannot name). Linking
    facts (libpython's name and directory, the pointer width) are left out for another
    target than the host's: the host interpreter's would be wrong there."""
    implementation = _IMPLEMENTATIONS.get(interp.implementation)
    if implementation is None:
        return None
    lines = [f"implementation={implementation}", f"version={interp.version}",
             f"shared={'true' if interp.shared else 'false'}"]
    lib_name = _lib_name(interp)
    if not cross and lib_name is not None:
        lines.append(f"lib_name={lib_name}")
    if not cross and interp.lib_dir:
        lines.append(f"lib_dir={interp.lib_dir}")
    if not cross:
        lines.append(f"pointer_width={interp.pointer_width}")
    lines.append(f"build_flags={interp.build_flags}")
    return "\n".join(lines) + "\n"


_IMPLEMENTATION_SLOTS = {"cpython": 0, "pypy": 1, "graalpy": 2}


def slot_units(interp: Interpreter, extension: bool) -> int:
    """The ``codegen-units`` value naming the interpreter's slot, from its ABI facts only
    (never a path: the same on every machine): implementation, version, free-threading,
    a debug build, and whether pyo3 links libpython. A CPython extension's is its minor
    version (3.12: 12), so rustc splits the slot's crate no finer than its default of 16
    would (a larger value costs time in every cold build); two debug builds with different
    flags share a slot, which only makes them rebuild pyo3 in turn."""
    debug = any(f and f != "Py_GIL_DISABLED" for f in interp.build_flags.split(","))
    return (interp.minor + 32 * interp.gil_disabled + 64 * debug + 128 * (not extension)
            + 256 * _IMPLEMENTATION_SLOTS.get(interp.implementation, 3)
            + 1024 * (interp.major - 3))


def slot_root(meta: CargoMetadata) -> Optional[str]:
    """The first crate whose build depends on the interpreter."""
    build_config = meta.find_dependency("pyo3-build-config")
    if any("custom-build" in t.kind for p in build_config for t in p.targets):
        return "pyo3-build-config"
    if meta.find_dependency("pyo3-ffi"):
        return "pyo3-ffi"
    return "pyo3-build-config" if build_config else None


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("-")[0].split(".")[:2] if part.isdigit())


def reads_config_file(meta: CargoMetadata) -> bool:
    """Whether the graph's pyo3 reads ``PYO3_CONFIG_FILE``."""
    return any(_version(p.version) >= _FIRST_WITH_CONFIG_FILE
               for p in meta.find_dependency("pyo3-build-config"))


def _env_with_path(interp: Interpreter, extension: bool) -> dict[str, str]:
    """The variables naming the interpreter by its path (the user configures pyo3, or pyo3
    is too old for a config file)."""
    env = {"PYO3_PYTHON": interp.executable, "PYTHON_SYS_EXECUTABLE": interp.executable,
           "PYO3_ENVIRONMENT_SIGNATURE":
               f"{interp.implementation}-{interp.version}-{interp.pointer_width}bit"}
    if extension:
        env["PYO3_BUILD_EXTENSION_MODULE"] = "1"
    return env


def below_abi3t_minimum(bindings: Bindings, interp: Interpreter) -> bool:
    """A version-specific build of an ``abi3t-py3XY`` crate for an older interpreter: pyo3-build-
    config 0.29.0-0.29.2 refuses a config file there ("cannot set a minimum Python version
    3.15 higher than the interpreter version") but reads the interpreter itself, as maturin
    lets it."""
    minimum = bindings.abi3t
    return minimum is not None and minimum != (0, 0) and (interp.major, interp.minor) < minimum


def own_build_script(project: Project) -> bool:
    """Whether the crate or one of its path dependencies has a build script. It may run the
    build's interpreter from ``PYO3_PYTHON`` (``cryptography`` runs cffi so, and maturin sets it
    for every pyo3 build), so such a crate gets it beside the config file. pyo3 reads the config
    file and never the variable, so its builds stay in their slots; only the crate's plan names
    the interpreter's path (another virtual env compiles it again)."""
    return any("custom-build" in t.kind for p in project.local_packages for t in p.targets)


def _config(project: Project, cell: CellSpec, interp: Interpreter) -> Optional[Pyo3Config]:
    if any(k.startswith(_USER_SETTINGS) for k in project.config.env):
        return None
    if not reads_config_file(project.meta) or below_abi3t_minimum(project.bindings, interp):
        return None
    text = config_text(interp, cross=cell.platform.triple != project.rustc.host)
    if text is None:
        return None
    name = (f"{interp.implementation}-{interp.version}{interp.abiflags}-"
            f"{interp.pointer_width}bit-{_digest(text)}.txt")
    return Pyo3Config(str(Path(project.target_dir, *CONFIG_DIR, name)), text)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def setup(project: Project, cell: CellSpec) -> Pyo3Setup:
    """The pyo3 environment, config file and cargo slot of ``cell``."""
    interp, bindings = cell.interpreter, project.bindings
    if interp is None or bindings.pyo3_crate is None:
        return Pyo3Setup({})
    extension = bindings.is_pyo3_extension
    config = _config(project, cell, interp)
    if config is None:
        env = _env_with_path(interp, extension)
    else:
        env = {"PYO3_CONFIG_FILE": config.path}
        if extension:
            env["PYO3_BUILD_EXTENSION_MODULE"] = "1"
        if own_build_script(project):
            env["PYO3_PYTHON"] = interp.executable
    root = slot_root(project.meta)
    if root is None:
        return Pyo3Setup(env, (), config)
    units = slot_units(interp, extension)
    item = f"profile.{project.config.profile}.package.{root}.codegen-units={units}"
    return Pyo3Setup(env, ("--config", item), config)
