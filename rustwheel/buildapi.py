"""PEP 517 build backend: ``build-backend = "rustwheel"`` (wheels only, for now).

``build_wheel`` runs the same task graph as ``rustwheel build`` with the release profile (unless
``[tool.rustwheel] profile`` or the build arguments say otherwise), for the interpreter running
the hook, with the content-addressed store: a repeated ``pip install .`` from a fresh copy of
the same sources restores the compiled library instead of running cargo again.

Extra ``rustwheel build`` arguments come from ``config_settings["build-args"]`` (a string split
like a shell command line, or a list) or, when absent, from ``RUSTWHEEL_PEP517_ARGS``.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Optional, Union

_PROFILE_FLAGS = ("-r", "--release", "--profile")


def _build_args(config_settings: Optional[Mapping[str, Any]]) -> list[str]:
    value: Union[str, list[str], None] = None
    for key in ("build-args", "rustwheel.build-args", "maturin.build-args"):
        if config_settings and key in config_settings:
            value = config_settings[key]
            break
    if value is None:
        value = os.environ.get("RUSTWHEEL_PEP517_ARGS", "")
    args = shlex.split(value) if isinstance(value, str) else [str(v) for v in value]
    unknown = [k for k in (config_settings or {})
               if k not in ("build-args", "rustwheel.build-args", "maturin.build-args")]
    if unknown:
        from rustwheel.errors import ConfigError

        raise ConfigError(f"config setting(s) {', '.join(sorted(unknown))} are unknown to "
                          "rustwheel; pass build options as -C build-args='...'")
    return args


def _profile_from_pyproject() -> Optional[str]:
    from rustwheel.config.pyproject import load_pyproject

    path = Path("pyproject.toml")
    if not path.is_file():
        return None
    tool = load_pyproject(path).tool
    profile = tool.get("profile")
    return profile if isinstance(profile, str) else None


def build_wheel(wheel_directory: str, config_settings: Optional[Mapping[str, Any]] = None,
                metadata_directory: Optional[str] = None) -> str:
    from rustwheel.cli import main

    args = _build_args(config_settings)
    if not any(a in _PROFILE_FLAGS or a.startswith("--profile=") for a in args) \
            and _profile_from_pyproject() is None:
        args = ["--release", *args]
    if "-i" not in args and "--interpreter" not in args:
        args += ["-i", sys.executable]
    with tempfile.TemporaryDirectory(prefix="rustwheel-pep517-") as tmp:
        report = Path(tmp) / "report.json"
        code = main(["build", "-o", wheel_directory, "--report", str(report), *args])
        if code != 0:
            raise SystemExit(code)
        wheels = json.loads(report.read_text(encoding="utf-8"))["wheels"]
    if len(wheels) != 1:
        raise SystemExit(f"error: expected one wheel, rustwheel built {len(wheels)}")
    return Path(wheels[0]).name


def get_requires_for_build_wheel(config_settings: Optional[Mapping[str, Any]] = None,
                                 ) -> list[str]:
    """cffi bindings generate ffi.py with cffi in the build interpreter."""
    from rustwheel.config.pyproject import load_pyproject

    path = Path("pyproject.toml")
    if path.is_file() and load_pyproject(path).tool.get("bindings") == "cffi":
        return ["cffi"]
    return []
