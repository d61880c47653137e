"""Find and probe the Python interpreter a build targets."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional

from rustwheel import _run
from rustwheel.errors import ConfigError, ToolError

_PROBE = r"""
import json, os, platform, struct, sys, sysconfig
cv = sysconfig.get_config_var
print(json.dumps({
    "implementation": sys.implementation.name,
    "major": sys.version_info[0],
    "minor": sys.version_info[1],
    "abiflags": getattr(sys, "abiflags", ""),
    "ext_suffix": sysconfig.get_config_var("EXT_SUFFIX") or "",
    "soabi": sysconfig.get_config_var("SOABI") or "",
    "platform": sysconfig.get_platform(),
    "pointer_width": struct.calcsize("P") * 8,
    "executable": sys.executable,
    "gil_disabled": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
    "shared": bool(cv("Py_ENABLE_SHARED") or cv("PYTHONFRAMEWORK")
                   or sys.implementation.name in ("pypy", "graalpy")
                   or os.path.exists(os.path.join(sys.base_prefix, "conda-meta"))),
    "ld_version": cv("LDVERSION") or "",
    "lib_dir": cv("LIBDIR") or "",
    "build_flags": ",".join(f for f in ("Py_DEBUG", "Py_REF_DEBUG", "Py_GIL_DISABLED",
                                        "COUNT_ALLOCS") if str(cv(f)) == "1"),
}))
"""


@dataclass(frozen=True)
class Interpreter:
    implementation: str
    major: int
    minor: int
    abiflags: str
    ext_suffix: str
    soabi: str
    platform: str
    pointer_width: int
    executable: str
    gil_disabled: bool
    # Facts for pyo3's build configuration (how to link libpython); not part of a cell's
    # identity: two installations of one Python version build the same cell.
    shared: bool = field(default=True, compare=False)
    """libpython is a shared library (pyo3's rule: Py_ENABLE_SHARED, a framework, PyPy,
    GraalPy or conda)."""
    ld_version: str = field(default="", compare=False)
    """``LDVERSION`` (``3.12``, ``3.13t``): libpython's name is ``python<ld_version>``."""
    lib_dir: str = field(default="", compare=False)
    """``LIBDIR``: where libpython is (the base installation's, also in a virtual env)."""
    build_flags: str = field(default="", compare=False)
    """pyo3's build flags the interpreter was built with, comma-separated (``Py_DEBUG``,
    ``Py_REF_DEBUG``, ``Py_GIL_DISABLED``, ``COUNT_ALLOCS``)."""

    @property
    def version(self) -> str:
        return f"{self.major}.{self.minor}"

    @property
    def python_tag(self) -> str:
        short = {"cpython": "cp", "pypy": "pp"}.get(self.implementation, self.implementation)
        return f"{short}{self.major}{self.minor}"

    @property
    def abi_tag(self) -> str:
        if self.implementation == "cpython":
            return f"cp{self.major}{self.minor}{self.abiflags}"
        # PyPy and others: derived from SOABI, e.g. pypy311-pp73 -> pypy311_pp73
        return self.soabi.replace("-", "_").replace(".", "_")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _candidate(name: str, env: Mapping[str, str]) -> Optional[Path]:
    """Resolve ``-i`` values: a path, a program name, or a bare version like ``3.12``."""
    names = [name]
    if name[:1].isdigit():
        names = [f"python{name}"]
    for n in names:
        found = _run.which(n, env.get("PATH"))
        if found is not None:
            return found
    return None


def default_interpreter(env: Mapping[str, str]) -> str:
    """The interpreter used when -i is not given: the active virtual env's, else python3."""
    for var in ("VIRTUAL_ENV", "CONDA_PREFIX"):
        prefix = env.get(var)
        if prefix:
            exe = Path(prefix) / "bin" / "python"
            if exe.exists():
                return str(exe)
    return "python3"


def probe(name: str, env: Mapping[str, str], *, given: bool) -> Interpreter:
    """Run the interpreter once and read its facts."""
    origin = "-i/--interpreter" if given else "the default interpreter"
    exe = _candidate(name, env)
    if exe is None:
        raise ConfigError(
            f"interpreter '{name}' (from {origin}) was not found; pass an existing python "
            "executable path or a name on PATH such as python3.12")
    probe_env = dict(env)
    probe_env["PYTHONNOUSERSITE"] = "1"
    proc = _run.run([str(exe), "-c", _PROBE], env=probe_env, check=False)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise ToolError(f"interpreter '{name}' (from {origin}) could not be run: {last}; "
                        "pass a working python with -i/--interpreter")
    try:
        facts = json.loads(proc.stdout.strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        raise ToolError(f"interpreter '{name}' (from {origin}) printed unexpected output; "
                        "pass a working python with -i/--interpreter") from None
    interp = Interpreter(**facts)
    if (interp.major, interp.minor) < (3, 7):
        raise ConfigError(f"interpreter '{name}' is Python {interp.version}; Python 3.7 or newer "
                          "is required")
    return interp
