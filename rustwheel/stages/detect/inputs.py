"""What resolving the configuration read: while none of it changes, the same plan results
(temporary home until resolution reports it itself)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from rustwheel.plan.cells import BuildPlan

if TYPE_CHECKING:  # only needed when the plan is resolved anew: not imported on a rebuild
    from rustwheel.config.options import BuildConfig


def _toolchain_files(env: Mapping[str, str], cfg: BuildConfig) -> Optional[list[str]]:
    rustc = shutil.which(env.get("RUSTC", "rustc"), path=env.get("PATH"))
    if rustc is None:
        return None
    files = [rustc]
    rustup_home = Path(env.get("RUSTUP_HOME", str(Path.home() / ".rustup")))
    if rustup_home.is_dir():  # rustc is a rustup proxy: watch what selects the toolchain
        files += [str(rustup_home / "settings.toml"), str(rustup_home / "toolchains")]
        # A rust-toolchain file appearing in the crate's directory changes that directory
        # (watched below); existing ones further up are watched themselves. Ancestors such as
        # /tmp change all the time, so they are not watched as directories.
        files.append(str(cfg.manifest_path.parent))
        for d in [cfg.manifest_path.parent, *cfg.manifest_path.parent.parents]:
            for name in ("rust-toolchain", "rust-toolchain.toml"):
                if (d / name).is_file():
                    files.append(str(d / name))
    return [f for f in files if os.path.exists(f)]


def _interpreter_files(cfg: BuildConfig, plan: BuildPlan) -> Optional[list[str]]:
    cffi = any(c.header is not None for c in plan.cells)
    if not any("PYO3_PYTHON" in c.compile.env for c in plan.cells) and cfg.interpreter is None \
            and not cffi:
        return []
    from rustwheel.host.interpreter import default_interpreter

    name = cfg.interpreter or default_interpreter(cfg.env)
    found = shutil.which(name, path=cfg.env.get("PATH")) if os.sep not in name else name
    if found is None or "shims" in Path(found).parts:
        return None  # a version manager decides at run time: never take the shortcut
    files = [found]
    files += [c.compile.env["PYO3_PYTHON"] for c in plan.cells if "PYO3_PYTHON" in c.compile.env]
    return files


def _walked_dirs(plan: BuildPlan) -> list[str]:
    """Directories the wheel's files were listed from (a new file there changes the plan);
    not rustwheel's own state dir, whose files are outputs of the build."""
    dirs: set[str] = set()
    for cell in plan.cells:
        for item in cell.wheel.files:
            p = Path(item.source).parent
            if not p.is_relative_to(plan.state_dir):
                dirs.add(str(p))
    return sorted(dirs)


def detect_files(cfg: BuildConfig, plan: BuildPlan) -> Optional[list[str]]:
    """Everything resolving the configuration read (or listed): while none of it changes,
    the same plan results. None when that cannot be known from files alone."""
    tools = _toolchain_files(cfg.env, cfg)
    interp = _interpreter_files(cfg, plan)
    if tools is None or interp is None:
        return None
    files = [*plan.detect_inputs, *tools, *interp, *_walked_dirs(plan)]
    files += [str(r) for r in {cfg.project_root, cfg.manifest_path.parent}]
    if cfg.pyproject is not None:
        files.append(str(cfg.pyproject.path))
    for cell in plan.cells:
        files += cell.compile.extra_inputs
        files += cell.wheel.metadata_inputs
        files += cell.wheel.listed_dirs  # a new file there can match an include glob
    return sorted(set(files))
