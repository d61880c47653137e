"""An interpreter's facts, read by running it once (`run_probe`).

The probe script runs on every Python from 2.7 on, so that an interpreter too old to build for
is reported by its version rather than by a traceback. Finding interpreters is
`rustwheel.host.discovery`'s and `rustwheel.host.locate`'s; remembering their facts is
`rustwheel.host.probecache`'s.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rustwheel import _run
from rustwheel.errors import ToolError
from rustwheel.spec import tags

_PROBE = r"""
import json, os, platform, struct, sys, sysconfig
var = sysconfig.get_config_var
impl = getattr(sys, "implementation", None)
name = impl.name if impl is not None else platform.python_implementation().lower()
ext = var("EXT_SUFFIX") or var("SO") or ""
if name == "pypy":
    try:
        import importlib.machinery
        ext = importlib.machinery.EXTENSION_SUFFIXES[0]
    except Exception:
        pass
base = getattr(sys, "base_prefix", sys.prefix)
print(json.dumps({
    "implementation": name,
    "major": sys.version_info[0],
    "minor": sys.version_info[1],
    "micro": sys.version_info[2],
    "abiflags": getattr(sys, "abiflags", ""),
    "ext_suffix": ext,
    "soabi": var("SOABI") or "",
    "platform": sysconfig.get_platform(),
    "pointer_width": struct.calcsize("P") * 8,
    "executable": sys.executable,
    "gil_disabled": bool(var("Py_GIL_DISABLED")),
    "shared": bool(var("Py_ENABLE_SHARED") or var("PYTHONFRAMEWORK")
                   or name in ("pypy", "graalpy")
                   or os.path.exists(os.path.join(base, "conda-meta"))),
    "ld_version": var("LDVERSION") or "",
    "lib_dir": var("LIBDIR") or "",
    "build_flags": ",".join(f for f in ("Py_DEBUG", "Py_REF_DEBUG", "Py_TRACE_REFS",
                                        "Py_GIL_DISABLED", "COUNT_ALLOCS") if str(var(f)) == "1"),
}, sort_keys=True))
"""

PROBE_VERSION = hashlib.sha256(_PROBE.encode()).hexdigest()[:16]
"""Changes with the probe script: facts remembered from another script are probed again."""


@dataclass(frozen=True)
class Interpreter:
    implementation: str
    """``sys.implementation.name``: cpython, pypy, graalpy."""
    major: int
    minor: int
    abiflags: str
    ext_suffix: str
    soabi: str
    platform: str
    pointer_width: int
    executable: str
    gil_disabled: bool
    micro: int = field(default=0, compare=False)
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
    ``Py_REF_DEBUG``, ``Py_TRACE_REFS``, ``Py_GIL_DISABLED``, ``COUNT_ALLOCS``)."""

    @property
    def version(self) -> str:
        return f"{self.major}.{self.minor}"

    @property
    def full_version(self) -> str:
        return f"{self.major}.{self.minor}.{self.micro}"

    @property
    def python_tag(self) -> str:
        return tags.python_tag(self.implementation, self.major, self.minor)

    @property
    def abi_tag(self) -> str:
        return tags.abi_tag(self.implementation, self.major, self.minor, self.abiflags,
                            self.gil_disabled, self.soabi, self.ext_suffix)

    @property
    def short_tag(self) -> str:
        """What names this interpreter in lists: cp312, cp313t, pp310."""
        return self.abi_tag if self.implementation == "cpython" else self.python_tag

    @property
    def description(self) -> str:
        """``CPython 3.12``, ``free-threaded CPython 3.13t``, ``PyPy 3.10``."""
        name = {"cpython": "CPython", "pypy": "PyPy", "graalpy": "GraalPy"}.get(
            self.implementation, self.implementation)
        if self.gil_disabled:
            return f"free-threaded {name} {self.version}t"
        return f"{name} {self.version}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Interpreter:
        """The facts as `to_json` (or the probe) gives them; unknown keys are ignored."""
        return cls(**{f.name: data[f.name] for f in dataclasses.fields(cls) if f.name in data})


class NotRunnable(Exception):
    """The program could not be run as a Python interpreter; the message says why."""


def _reason(stderr: str, shim: bool) -> str:
    """The line of a failed run's output that says why: a version manager's shim says it
    first (``pyenv: python3.12: command not found``), a Python traceback last."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    if not lines:
        return "it exited with an error and no output"
    return lines[0] if shim else lines[-1]


def run_probe(exe: Path, env: Mapping[str, str], *, shim: bool = False) -> Interpreter:
    """Run ``exe`` once and read its facts (`NotRunnable` when it is no working Python)."""
    probe_env = dict(env)
    probe_env["PYTHONNOUSERSITE"] = "1"
    try:
        proc = _run.run([str(exe), "-c", _PROBE], env=probe_env, check=False)
    except (ToolError, OSError) as exc:  # not found, not executable, not a program
        raise NotRunnable(str(exc)) from None
    if proc.returncode != 0:
        raise NotRunnable(_reason(proc.stderr, shim))
    try:
        facts = json.loads(proc.stdout.strip().splitlines()[-1])
        return Interpreter.from_json(facts)
    except (json.JSONDecodeError, IndexError, TypeError):
        raise NotRunnable("it printed unexpected output") from None


def default_interpreter(env: Mapping[str, str]) -> str:
    """The interpreter used when -i is not given: the active virtual env's, else python3."""
    for var in ("VIRTUAL_ENV", "CONDA_PREFIX"):
        prefix = env.get(var)
        if prefix:
            exe = Path(prefix) / "bin" / "python"
            if exe.exists():
                return str(exe)
    return "python3"
