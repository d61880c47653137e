"""Run the `cbindgen` CLI for the header stage, with the settings cffi can read.

The crate's own `cbindgen.toml` is honoured, but cffi's `cdef` understands neither `#include`
nor preprocessor directives, so (like maturin) the language is forced to C and includes,
defines, the include guard, `#pragma once` and C++ compatibility are switched off. cbindgen's
CLI has no flags for those, so a derived config file is written next to the output.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Optional

from rustwheel import _run
from rustwheel.errors import ToolError
from rustwheel.stages.header.plan import CONFIG_NAME
from rustwheel.toolerror import extract, failure

INSTALL_HINT = ("install it with `apt-get install cbindgen` (Debian/Ubuntu) or "
                "`cargo install cbindgen --locked`")

# What cffi needs, applied over the user's cbindgen.toml.
_FORCED: dict[str, Any] = {"language": "C", "no_includes": True, "sys_includes": [],
                           "defines": {}, "pragma_once": False, "cpp_compat": False}
_REMOVED = ("include_guard",)
_POSITION = re.compile(r" at line \d+ column \d+")


def _toml_key(key: str) -> str:
    return key if key and all(c.isalnum() or c in "-_" for c in key) else json.dumps(key)


def toml_value(value: Any) -> str:
    """``value`` as an inline TOML value (strings, numbers, booleans, arrays, tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # JSON string escapes are valid TOML basic-string escapes
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_toml_key(str(k))} = {toml_value(v)}"
                               for k, v in value.items()) + "}"
    return json.dumps(str(value))  # dates and times: cbindgen has no such settings


def derived_config(user: Mapping[str, Any]) -> str:
    """The text of a cbindgen config: the user's settings with cffi's requirements forced."""
    merged = {k: v for k, v in user.items() if k not in _REMOVED}
    merged.update(_FORCED)
    return "".join(f"{_toml_key(k)} = {toml_value(v)}\n" for k, v in merged.items())


def user_config(crate_dir: Path) -> dict[str, Any]:
    from rustwheel.config.pyproject import load_toml

    path = crate_dir / CONFIG_NAME
    return load_toml(path) if path.is_file() else {}


def version() -> str:
    """`cbindgen --version`, or a ToolError saying how to install cbindgen."""
    if _run.which("cbindgen") is None:
        raise ToolError("command 'cbindgen' was not found on PATH, but cffi bindings need it to "
                        f"write the C header; {INSTALL_HINT}")
    proc = _run.run(["cbindgen", "--version"], check=False)
    if proc.returncode != 0:
        raise ToolError(f"`cbindgen --version` failed with exit code {proc.returncode}; "
                        f"reinstall cbindgen ({INSTALL_HINT})")
    return proc.stdout.strip()


def _said(stderr: str) -> list[str]:
    """cbindgen's error lines, without positions in the derived config file (not the user's)."""
    return [_POSITION.sub("", line) for line in extract(stderr)]


def generate(crate_dir: Path, output: Path, work_dir: Path, lockfile: Optional[str]) -> None:
    """Write the C header of the crate at ``crate_dir`` to ``output`` with cbindgen."""
    config = work_dir / "cbindgen-cffi.toml"
    config.write_text(derived_config(user_config(crate_dir)), encoding="utf-8")
    argv = ["cbindgen", "--config", str(config), "--lang", "c", "--quiet",
            "--output", str(output)]
    if lockfile is not None:
        argv += ["--lockfile", lockfile]
    argv.append(str(crate_dir))
    proc = _run.run(argv, cwd=crate_dir, env=dict(os.environ), check=False,
                    hint=INSTALL_HINT)
    if proc.returncode != 0 or not output.is_file():
        where = crate_dir / CONFIG_NAME
        raise failure(_run.describe(argv), proc.returncode, _said(proc.stderr),
                      what=f" to write the header of {crate_dir}",
                      hint="fix the crate's sources" + (f" or {where}" if where.is_file() else "")
                      + ", or write the header from build.rs to <target dir>/header.h")
