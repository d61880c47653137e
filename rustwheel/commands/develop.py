"""`rustwheel develop`: build an editable wheel for the environment's python and install it.

Every `rustwheel build` option is accepted (except those that choose the interpreter or the
output); the build goes through `rustwheel.build`, so it runs the same task graph, store and
no-op stamp as `rustwheel build`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from rustwheel import ui
from rustwheel.develop.environment import PythonEnv, find_environment
from rustwheel.errors import ConfigError
from rustwheel.freshness.stamp import stamp_of
from rustwheel.options import BuildOptions

if TYPE_CHECKING:
    from rustwheel.api import BuildResult
    from rustwheel.develop.installer import WheelInfo

HOOK_ENV = "RUSTWHEEL_DEVELOP_HOOK"
"""Set by the auto-rebuild hook: rebuild and re-place only (no dependency install)."""
_NOT_FOR_DEVELOP = ("-i", "--interpreter", "-f", "--find-interpreter", "-o", "--out", "--sdist",
                    "--editable", "--report")


def parser() -> argparse.ArgumentParser:
    from rustwheel.commands.options import CliParser, add_build_arguments

    p = CliParser(
        prog="rustwheel develop", allow_abbrev=False,
        description="Build the crate as an editable wheel and install it into the active "
                    "virtual env (VIRTUAL_ENV, CONDA_PREFIX or ./.venv). Every `rustwheel build` "
                    "option is accepted too, except -i/-o/--sdist.")
    add = p.add_argument
    add("-E", "--extras", action="append", metavar="EXTRAS",
        help="comma separated extras whose dependencies are installed too (repeatable)")
    add("--group", action="append", metavar="GROUP",
        help="install the requirements of this PEP 735 dependency group of pyproject.toml "
             "too (repeatable)")
    add("--skip-install", action="store_true",
        help="build and place the extension in the source tree only; no pip/uv")
    add("--uv", action="store_true", help="install with `uv pip` instead of pip")
    add("--pip-path", metavar="PIP",
        help="install with this pip executable (pip 22.3 or later, run with --python and the "
             "environment's python): for an environment without pip of its own")
    add("--auto-rebuild", action="store_true",
        help="install an import hook that rebuilds first when the package is imported and "
             "any input changed")
    add_build_arguments(p, develop=True)
    return p


def _parse(args: Sequence[str], rustc_args: Sequence[str],
           ) -> tuple[argparse.Namespace, BuildOptions]:
    """develop's own options, and the build's (editable, for the environment's python)."""

    from rustwheel.commands.options import build_options

    p = parser()
    ns, rest = p.parse_known_args(list(args))
    bad = [a for a in rest if a.split("=", 1)[0] in _NOT_FOR_DEVELOP]
    if bad:
        raise ConfigError(f"rustwheel develop does not take {bad[0]}: it builds for the "
                          "environment's python into a directory of its own; use rustwheel "
                          "build for other builds")
    if rest:
        p.error(f"unrecognized arguments: {' '.join(rest)}")
    python_env = find_environment(os.environ, Path.cwd())
    options = build_options(ns, rustc_args)._replace(
        editable=True, interpreters=(str(python_env.python),), auto_rebuild=ns.auto_rebuild)
    if ns.auto_rebuild and stamp_of(options) is None:
        raise ConfigError("rustwheel develop --auto-rebuild checks the build's stamp in the "
                          "store; drop --no-cache (and unset RUSTWHEEL_NO_CACHE)")
    ns.python_env = python_env
    ns.options = options
    ns.group_requirements = _group_requirements(options, ns.group or ())
    ns.pip_path = _pip_path(ns.pip_path, ns.uv)
    return ns, options


def _pip_path(given: Optional[str], use_uv: bool) -> Optional[str]:
    """``--pip-path``'s executable, by absolute path; checked before anything is built."""
    if given is None:
        return None
    if use_uv:
        raise ConfigError("--pip-path and --uv both choose the installer; give one of them")
    from rustwheel._run import which

    found = which(given)
    if found is None:
        raise ConfigError(f"--pip-path {given}: not an executable file; give the path of a "
                          "pip executable")
    return os.path.abspath(found)


def _group_requirements(options: BuildOptions, names: Sequence[str]) -> list[str]:
    """The requirements of the ``--group`` groups, read before anything is built."""
    if not names:
        return []
    from rustwheel.config.options import find_project
    from rustwheel.config.pyproject import load_toml
    from rustwheel.develop.groups import TABLE, resolve

    _, pyproject = find_project(options.manifest_path, Path.cwd())
    if pyproject is None:
        raise ConfigError(f"--group {names[0]}: the project has no pyproject.toml to hold "
                          f"{TABLE}; add one or drop --group")
    table = load_toml(pyproject.path).get("dependency-groups")
    if table is None:
        raise ConfigError(f"--group {names[0]}: {pyproject.path} has no {TABLE} table; add the "
                          "group there or drop --group")
    return resolve(table, names, str(pyproject.path))


def _write_hook_config(site: Path, info: WheelInfo, args: Sequence[str],
                       stamp_file: Path) -> None:
    from rustwheel.commands.options import without_remote_url
    from rustwheel.develop import record
    from rustwheel.stages.wheel.editable import hook_module_name

    config = {"stamp": str(stamp_file), "args": without_remote_url(args), "cwd": os.getcwd(),
              "python": sys.executable,
              "rustwheel_path": str(Path(__file__).resolve().parent.parent.parent)}
    record.add_file(site, info.dist_info, f"{hook_module_name(info.dist)}.json",
                    (json.dumps(config, indent=1) + "\n").encode("utf-8"))


def _install(ns: argparse.Namespace, wheel: Path, result: BuildResult,
             args: Sequence[str]) -> None:
    from rustwheel.develop.installer import site_packages, wheel_metadata

    python_env: PythonEnv = ns.python_env
    info = wheel_metadata(wheel)
    site = site_packages(python_env, info.dist_info)
    from_hook = os.environ.get(HOOK_ENV) == "1"
    if not (from_hook and _is_mixed_editable(info)):
        extras = sorted({e for group in ns.extras or () for e in group.split(",") if e})
        _install_or_update(ns, wheel, info, site, extras, with_dependencies=not from_hook)
    if ns.auto_rebuild:
        if result.stamp is None:
            ui.warn("--auto-rebuild: this build left no no-op stamp (its build scripts read "
                    "environment variables, or an input changed during the build), so imports "
                    "cannot check it cheaply and will not rebuild; run rustwheel develop again")
        stamp_file = stamp_of(ns.options)
        assert stamp_file is not None  # checked before building
        _write_hook_config(site, info, list(args), stamp_file)
    ui.note(f"installed {info.dist_info.removesuffix('.dist-info')} (editable) into "
            f"{python_env.prefix}")


def _install_or_update(ns: argparse.Namespace, wheel: Path, info: WheelInfo, site: Path,
                       extras: Sequence[str], with_dependencies: bool) -> None:
    """Replace the changed files of the installed wheel in place when nothing else changed
    (`rustwheel.develop.inplace`); otherwise install it with pip or uv."""
    from rustwheel.develop import inplace
    from rustwheel.develop.installer import install, mark_editable

    python_env: PythonEnv = ns.python_env
    groups: list[str] = ns.group_requirements if with_dependencies else []
    context = [str(python_env.python), ",".join(extras), f"dependencies={with_dependencies}",
               *groups]
    replaced = inplace.update(site, wheel, context)
    if replaced is not None:
        ui.note(f"updated in place ({len(replaced)} changed file"
                f"{'' if len(replaced) == 1 else 's'}; metadata and file list unchanged, so "
                "no installer run)")
        return
    install(python_env, wheel, info, use_uv=ns.uv, extras=extras,
            with_dependencies=with_dependencies, groups=groups, pip_path=ns.pip_path)
    mark_editable(site, info.dist_info, Path.cwd())
    inplace.remember(site, wheel, context)


def cmd_develop(args: Sequence[str], rustc_args: Sequence[str]) -> int:
    from rustwheel.api import build

    ns, options = _parse(args, rustc_args)
    result = build(options)
    if len(result.wheels) != 1:
        raise ConfigError("rustwheel develop expected one wheel, the build made "
                          f"{len(result.wheels)}")
    wheel = result.wheels[0]
    if not ns.skip_install:
        _install(ns, wheel, result, args)
    print(wheel)
    return 0


def _is_mixed_editable(info: WheelInfo) -> bool:
    """Whether the editable wheel points at a source tree (a ``<dist>.pth`` of its own)."""
    from rustwheel.spec import tags

    return f"{tags.dist_name(info.dist)}.pth" in info.names
