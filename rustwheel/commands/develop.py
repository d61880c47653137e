"""`rustwheel develop`: build an editable wheel for the environment's python and install it.

Every `rustwheel build` option is accepted (except those that choose the interpreter or the
output); ``develop``'s own are parsed here and the rest is handed to the build unchanged, so the
build runs through the same task graph, store and no-op stamp as `rustwheel build`.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from rustwheel.develop.environment import PythonEnv, find_environment
from rustwheel.errors import ConfigError

HOOK_ENV = "RUSTWHEEL_DEVELOP_HOOK"
"""Set by the auto-rebuild hook: rebuild and re-place only (no dependency install)."""
_NOT_FOR_DEVELOP = ("-i", "--interpreter", "-o", "--out", "--sdist", "--editable",
                    "--auto-rebuild", "--report")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="rustwheel develop",
        description="Build the crate as an editable wheel and install it into the active "
                    "virtual env (VIRTUAL_ENV, CONDA_PREFIX or ./.venv). Every `rustwheel build` "
                    "option is accepted too, except -i/-o/--sdist.")
    add = p.add_argument
    add("-E", "--extras", action="append", metavar="EXTRAS",
        help="comma separated extras whose dependencies are installed too (repeatable)")
    add("--skip-install", action="store_true",
        help="build and place the extension in the source tree only; no pip/uv")
    add("--uv", action="store_true", help="install with `uv pip` instead of pip")
    add("--auto-rebuild", action="store_true",
        help="install an import hook that rebuilds first when the package is imported and "
             "any input changed")
    return p


def _stamp_path(build_argv: Sequence[str], env: dict[str, str]) -> Path:
    """Where the build about to run records its no-op stamp (as `rustwheel.cli` computes it)."""
    from rustwheel.cache.location import store_root
    from rustwheel.freshness import stamp

    ns = argparse.Namespace(cache_dir=None, no_cache=False)
    rest = list(build_argv)
    for i, arg in enumerate(rest):
        if arg == "--cache-dir" and i + 1 < len(rest):
            ns.cache_dir = rest[i + 1]
        elif arg.startswith("--cache-dir="):
            ns.cache_dir = arg.split("=", 1)[1]
        elif arg == "--no-cache":
            ns.no_cache = True
    root = store_root(ns.cache_dir, ns.no_cache, env, Path.cwd())
    if root is None:
        raise ConfigError("rustwheel develop --auto-rebuild checks the build's stamp in the "
                          "store; drop --no-cache (and unset RUSTWHEEL_NO_CACHE)")
    key = stamp.stamp_key(build_argv, os.getcwd(), env)
    return stamp.stamp_path(root, key, "build")


def _build(build_args: list[str], rustc_args: Sequence[str]) -> tuple[int, list[str]]:
    """Run the build; its exit code and the wheels it printed."""
    from rustwheel.cli import main

    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        code = main([*build_args, "--", *rustc_args])
    wheels = [line for line in captured.getvalue().splitlines() if line.endswith(".whl")]
    return code, wheels


def _write_hook_config(python_env: PythonEnv, wheel: Path, args: Sequence[str],
                       stamp_file: Path) -> None:
    from rustwheel.atomic import write_bytes
    from rustwheel.develop.installer import site_packages, wheel_metadata
    from rustwheel.stages.wheel.editable import hook_module_name

    dist_info, dist, _ = wheel_metadata(wheel)
    site = site_packages(python_env)
    target = site / f"{hook_module_name(dist)}.json"
    config = {"stamp": str(stamp_file), "args": list(args), "cwd": os.getcwd(),
              "python": sys.executable,
              "rustwheel_path": str(Path(__file__).resolve().parent.parent.parent)}
    write_bytes(target, (json.dumps(config, indent=1) + "\n").encode("utf-8"))
    record = site / dist_info / "RECORD"  # so that uninstalling removes it too
    try:
        text = record.read_text(encoding="utf-8")
    except OSError:
        return
    line = f"{target.name},,\n"
    if line not in text:
        write_bytes(record, (text if text.endswith("\n") else text + "\n").encode("utf-8")
                    + line.encode("utf-8"))


def cmd_develop(args: Sequence[str], rustc_args: Sequence[str]) -> int:
    ns, rest = parser().parse_known_args(list(args))
    bad = [a for a in rest if a.split("=", 1)[0] in _NOT_FOR_DEVELOP]
    if bad:
        raise ConfigError(f"rustwheel develop does not take {bad[0]}: it builds for the "
                          "environment's python into a directory of its own; use rustwheel "
                          "build for other builds")
    from_hook = os.environ.get(HOOK_ENV) == "1"
    python_env = find_environment(os.environ, Path.cwd())
    build_args = ["build", "--editable", *rest, "-i", str(python_env.python)]
    if ns.auto_rebuild:
        build_args.append("--auto-rebuild")
    code, wheels = _build(build_args, rustc_args)
    if code != 0:
        return code
    if len(wheels) != 1:
        raise ConfigError(f"rustwheel develop expected one wheel, the build made {len(wheels)}")
    wheel = Path(wheels[0])
    if not ns.skip_install:
        from rustwheel.develop.installer import install, mark_editable, wheel_metadata

        in_tree = _is_mixed_editable(wheel)
        if not (from_hook and in_tree):
            extras = [e for group in ns.extras or () for e in group.split(",") if e]
            install(python_env, wheel, use_uv=ns.uv, extras=extras,
                    with_dependencies=not from_hook)
            mark_editable(python_env, wheel, Path.cwd())
        if ns.auto_rebuild:
            stamp_file = _stamp_path([*build_args, "--", *rustc_args], dict(os.environ))
            if not stamp_file.is_file():
                print("warning: --auto-rebuild: this build left no no-op stamp (its build "
                      "scripts read environment variables, or an input changed during the "
                      "build), so imports cannot check it cheaply and will not rebuild; run "
                      "rustwheel develop again", file=sys.stderr)
            _write_hook_config(python_env, wheel, list(args), stamp_file)
        dist_info, _, _ = wheel_metadata(wheel)
        print(f"installed {dist_info.removesuffix('.dist-info')} (editable) into "
              f"{python_env.prefix}", file=sys.stderr)
    print(wheel)
    return 0


def _is_mixed_editable(wheel: Path) -> bool:
    """Whether the editable wheel points at a source tree (a ``<dist>.pth`` of its own)."""
    import zipfile

    from rustwheel.develop.installer import wheel_metadata
    from rustwheel.spec import tags

    _, dist, _ = wheel_metadata(wheel)
    with zipfile.ZipFile(wheel) as zf:
        return f"{tags.dist_name(dist)}.pth" in zf.namelist()
