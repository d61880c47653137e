"""doit entry point: the same task graph `rustwheel build` runs, for plain `doit`.

    doit manifest=path/to/Cargo.toml                 # build (detect → compile → repair → wheel)
    doit list --all manifest=path/to/Cargo.toml      # the tasks, one per stage and cell
    doit info compile:<cell> manifest=...            # a task's inputs and targets

Other variables: release=1, profile=NAME, interpreter=PYTHON, out=DIR, target_dir=DIR,
features=a,b, bindings=NAME, strip=1, compatibility=TAG, auditwheel=MODE, zig=1. Without
`manifest` the current directory is used.
"""

from __future__ import annotations

import atexit
import sys
from typing import Any

from doit import get_var

from rustwheel.config.options import CliOptions, resolve_config
from rustwheel.errors import RustwheelError
from rustwheel.stages.detect import make_plan
from rustwheel.tasks import pipeline, statelock
from rustwheel.tasks.checker import FastChecker
from rustwheel.tasks.runner import doit_config


def _flag(name: str) -> bool:
    return str(get_var(name, "")).lower() in ("1", "true", "yes", "on")


try:
    _PLAN = make_plan(resolve_config(CliOptions(
        manifest_path=get_var("manifest", None),
        out=get_var("out", None),
        release=_flag("release"),
        profile=get_var("profile", None),
        features=tuple(f for f in str(get_var("features", "")).replace(",", " ").split() if f),
        target_dir=get_var("target_dir", None),
        bindings=get_var("bindings", None),
        interpreter=get_var("interpreter", None),
        strip=True if _flag("strip") else None,
        compatibility=get_var("compatibility", None),
        auditwheel=get_var("auditwheel", None),
        zig=_flag("zig"),
    )))
except RustwheelError as _exc:
    print(f"error: {_exc}", file=sys.stderr)
    raise SystemExit(1) from None

_LOCK = statelock.acquire(_PLAN.state_dir)  # held until doit exits
DOIT_CONFIG: dict[str, Any] = doit_config(_PLAN)
# Plain doit resolves backend names before it imports this file, so rustwheel's committing
# backend cannot be named here; doit's own sqlite3 backend reads and writes the same database.
DOIT_CONFIG["backend"] = "sqlite3"
atexit.register(FastChecker.cache.save)


def task_detect() -> Any:
    """Resolve configuration into per-stage plan files."""
    yield from pipeline.detect_tasks(_PLAN)


def task_compile() -> Any:
    """cargo rustc, one sub-task per cell."""
    yield from pipeline.compile_tasks(_PLAN)


def task_wheel() -> Any:
    """Write the wheel, one sub-task per cell."""
    yield from pipeline.wheel_tasks(_PLAN)


if any(cell.repair is not None for cell in _PLAN.cells):  # unless compatibility=linux

    def task_repair() -> Any:
        """manylinux/musllinux audit and repair, one sub-task per cell."""
        yield from pipeline.repair_tasks(_PLAN)


if any(cell.header is not None for cell in _PLAN.cells):  # cffi bindings only

    def task_header() -> Any:
        """C header and cffi's ffi.py, one sub-task per cell."""
        yield from pipeline.header_tasks(_PLAN)


if any(cell.uniffi is not None for cell in _PLAN.cells):  # uniffi bindings only

    def task_bindgen() -> Any:
        """uniffi-bindgen's python modules, one sub-task per cell."""
        yield from pipeline.bindgen_tasks(_PLAN)
