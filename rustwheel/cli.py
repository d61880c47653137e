"""The `rustwheel` command: the only place that prints errors and chooses exit codes."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, TypeVar

from rustwheel import __version__
from rustwheel.errors import RustwheelError
from rustwheel.freshness import stamp

if TYPE_CHECKING:
    from rustwheel.config.options import CliOptions
    from rustwheel.plan.cells import BuildPlan


def _split_list(values: Optional[list[str]]) -> tuple[str, ...]:
    out: list[str] = []
    for v in values or ():
        out += [p for p in v.replace(",", " ").split() if p]
    return tuple(out)


def _bool_value(text: str) -> bool:
    lowered = text.lower()
    if lowered in ("true", "1", "yes", "on"):
        return True
    if lowered in ("false", "0", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got '{text}'")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rustwheel",
        description="Build Python wheels from Rust crates as an incremental task graph.")
    parser.add_argument("--version", action="version", version=f"rustwheel {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    build = sub.add_parser("build", aliases=["b"], help="build wheels",
                           description="Build the crate's wheel (maturin-compatible flags).")
    add = build.add_argument
    add("-m", "--manifest-path", metavar="PATH", help="path to Cargo.toml")
    add("-o", "--out", metavar="DIR", help="output directory (default: <target dir>/wheels)")
    add("-r", "--release", action="store_true", help="build with the release profile")
    add("--profile", metavar="NAME", help="cargo profile (default: dev)")
    add("-F", "--features", action="append", metavar="FEATURES",
        help="space or comma separated features to enable (repeatable)")
    add("--all-features", action="store_true", help="enable all features")
    add("--no-default-features", action="store_true", help="disable the default feature")
    add("--target-dir", metavar="DIR", help="cargo target directory")
    add("--locked", action="store_true", help="require Cargo.lock to be up to date")
    add("--frozen", action="store_true", help="require Cargo.lock and cache up to date")
    add("--offline", action="store_true", help="run cargo without network access")
    add("--config", action="append", metavar="KEY=VALUE", help="cargo --config (repeatable)")
    add("-Z", dest="unstable_flags", action="append", metavar="FLAG",
        help="unstable cargo -Z flag (repeatable)")
    add("-b", "--bindings", metavar="BINDINGS", help="pyo3, pyo3-ffi, cffi, uniffi or bin")
    add("-i", "--interpreter", action="append", nargs="+", metavar="PYTHON",
        help="python interpreter to build for (path or name)")
    add("--compatibility", "--manylinux", metavar="TAG",
        help="platform tag: manylinux_2_17 / manylinux2014 / musllinux_1_2 / linux / pypi "
             "(default: the most compatible one the binaries allow)")
    add("--auditwheel", choices=["repair", "check", "warn", "skip"],
        help="bundle external libraries (repair, default), fail if they would be needed "
             "(check), only warn (warn) or skip the audit (skip)")
    add("--skip-auditwheel", action="store_const", const="skip", dest="auditwheel",
        help=argparse.SUPPRESS)
    add("--zig", action="store_true",
        help="link with zig (pip install ziglang) against an older glibc: manylinux2014 "
             "unless --compatibility says otherwise")
    add("--strip", nargs="?", const=True, default=None, type=_bool_value, metavar="BOOL",
        help="strip the library (rustc -C strip=symbols)")
    add("-q", "--quiet", action="store_true", help="print less")
    add("-v", "--verbose", action="count", default=0, help="more output (passed to cargo)")
    add("--cache-dir", metavar="DIR",
        help="content-addressed store (default: $RUSTWHEEL_CACHE_DIR or ~/.cache/rustwheel)")
    add("--no-cache", action="store_true", help="do not read or write the store")
    add("--report", metavar="FILE.json", help="write what ran and what was reused as JSON")
    add("--sdist", action="store_true",
        help="build the sdist first, then the wheel from the unpacked sdist")
    add("--editable", action="store_true",
        help="an editable wheel (PEP 660; mixed layouts: a .pth to the python source and the "
             "extension placed into the source tree)")
    add("--auto-rebuild", action="store_true", help=argparse.SUPPRESS)
    sdist = sub.add_parser("sdist", help="build a source distribution",
                           description="Build the project's sdist (.tar.gz).")
    sdist.add_argument("-m", "--manifest-path", metavar="PATH", help="path to Cargo.toml")
    sdist.add_argument("-o", "--out", metavar="DIR",
                       help="output directory (default: <target dir>/wheels)")
    sdist.add_argument("--offline", action="store_true", help="run cargo without network access")
    sub.add_parser("develop", aliases=["dev"], add_help=False,
                   help="build and install an editable wheel into the active virtual env "
                        "(see rustwheel develop --help)")
    audit = sub.add_parser("audit", help="show the manylinux/musllinux tag wheels are consistent with",
                           description="Audit wheels (or ELF files) like auditwheel show.")
    audit.add_argument("wheels", nargs="+", metavar="WHEEL", help="wheel (or ELF file) to audit")
    audit.add_argument("--json", action="store_true", help="print a JSON list, one object per wheel")
    cache = sub.add_parser("cache", help="inspect and maintain the content-addressed store",
                           description="Inspect and maintain the content-addressed store.")
    cache.add_argument("action", choices=["stats", "verify", "gc", "clear"])
    cache.add_argument("--cache-dir", metavar="DIR", help="the store (default as for build)")
    cache.add_argument("--max-size", metavar="SIZE",
                       help="gc: evict least recently used entries down to SIZE (e.g. 500M, 2G)")
    return parser


def _build_options(ns: argparse.Namespace, rustc_args: Sequence[str]) -> CliOptions:
    from rustwheel.config.options import CliOptions

    interpreters = [i for group in (ns.interpreter or ()) for i in group]
    if len(interpreters) > 1:
        raise RustwheelError("-i/--interpreter: only one interpreter per build is supported so "
                             "far; run rustwheel build once per interpreter")
    return CliOptions(
        manifest_path=ns.manifest_path, out=ns.out, release=ns.release, profile=ns.profile,
        features=_split_list(ns.features), all_features=ns.all_features,
        no_default_features=ns.no_default_features, target_dir=ns.target_dir,
        locked=ns.locked, frozen=ns.frozen, offline=ns.offline,
        config=tuple(ns.config or ()), unstable_flags=tuple(ns.unstable_flags or ()),
        bindings=ns.bindings, interpreter=interpreters[0] if interpreters else None,
        strip=ns.strip, compatibility=ns.compatibility,
        auditwheel=ns.auditwheel, zig=ns.zig, quiet=ns.quiet, verbose=ns.verbose,
        rustc_args=tuple(rustc_args), cache_dir=ns.cache_dir, no_cache=ns.no_cache,
        editable=ns.editable, auto_rebuild=ns.auto_rebuild)


def build_options(args: Sequence[str], rustc_args: Sequence[str] = ()) -> CliOptions:
    """The options of ``rustwheel build ARGS -- RUSTC_ARGS`` (for the build backend)."""
    return _build_options(_parser().parse_args(["build", *args]), rustc_args)


def _write_report(path: str, log: Any, wheels: list[str],
                  shortcut: Optional[str] = None) -> None:
    """``shortcut``: "no-op" or "wheel-only" when the build took one (see `cmd_build`)."""
    import json

    from rustwheel.plan.codec import write_if_changed

    data = {**log.to_json(), "wheels": wheels, "shortcut": shortcut}
    try:
        write_if_changed(Path(path).resolve(), json.dumps(data, indent=2) + "\n")
    except OSError as exc:
        raise RustwheelError(f"--report {path}: cannot be written ({exc.strerror}); "
                             "choose a writable path") from None


Stamps = Optional[tuple[Path, Path]]
"""(no-op stamp, plan stamp) of this invocation, or None when the store is off."""


def _stage_line(status: str, task: str, seconds: Optional[float] = None) -> None:
    """One stage's line, as the doit reporter prints it (`rustwheel.tasks.reporter`), for the
    shortcuts that do not load it."""
    timing = f"  {seconds:6.2f}s" if seconds is not None else ""
    print(f"  {status:<11} {task}{timing}", file=sys.stderr)


def _shortcut(ns: argparse.Namespace, argv: Sequence[str]) -> tuple[Stamps, bool]:
    """(the stamps, True when nothing changed since the last identical build)."""
    from rustwheel.cache.location import store_root

    root = store_root(ns.cache_dir, ns.no_cache, os.environ, Path.cwd())
    if root is None:
        return None, False
    key = stamp.stamp_key(argv, os.getcwd(), os.environ)
    stamps = (stamp.stamp_path(root, key, "build"), stamp.stamp_path(root, key, "plan"))
    data = stamp.read_fresh(stamps[0])
    if data is None:
        return stamps, False
    if not ns.quiet:
        for task in data["tasks"]:
            _stage_line("up to date", task)
    if ns.report:
        from rustwheel.tasks.reporter import RunLog, StageResult

        log = RunLog(results=[StageResult(t, "up to date") for t in data["tasks"]])
        _write_report(ns.report, log, data["wheels"], "no-op")
    for wheel in data["wheels"]:
        print(wheel)
    return stamps, True


def _wheel_only(ns: argparse.Namespace, stamps: tuple[Path, Path]) -> bool:
    """The python-edit shortcut (`rustwheel.tasks.wheelonly`); True when it did the build."""
    from rustwheel.tasks.wheelonly import try_wheel_only

    done = try_wheel_only(stamps[1], stamps[0], ns.quiet)
    if done is None:
        return False
    plan, order, files = done
    from rustwheel.tasks.reporter import RunLog, StageResult

    log = RunLog(results=[StageResult(t, status, secs) for t, status, secs in order])
    if not ns.quiet:
        for r in log.results:
            _stage_line(r.status, r.task, r.seconds if r.status == "ran" else None)
    wheels = plan.wheels
    if ns.report:
        _write_report(ns.report, log, wheels, "wheel-only")
    stamp.write(stamps[0], files, tasks=[r.task for r in log.results], wheels=wheels)
    for wheel in wheels:
        print(wheel)
    return True


def _plan(ns: argparse.Namespace, rustc_args: Sequence[str], plan_stamp: Optional[Path],
          ) -> tuple[BuildPlan, Optional[list[str]]]:
    """The build plan: reused from the last identical build while nothing it was resolved from
    changed, else resolved anew. Also returns the files it depends on (None: unknown)."""
    from rustwheel.plan import codec as plancodec
    from rustwheel.plan.cells import BuildPlan

    if plan_stamp is not None:
        data = stamp.read_fresh(plan_stamp)
        if data is not None:
            try:
                return plancodec.from_plain(BuildPlan, data["plan"]), sorted(data["files"])
            except (KeyError, TypeError, ValueError, AttributeError):
                pass  # written by another rustwheel version: resolve anew
    from rustwheel.config.options import resolve_config
    from rustwheel.freshness.watch import detect_files
    from rustwheel.stages.detect import make_plan

    config = resolve_config(_build_options(ns, rustc_args))
    plan = make_plan(config)
    files = detect_files(config, plan) if plan_stamp is not None else None
    if plan_stamp is not None and files is not None:
        stamp.write(plan_stamp, files, plan=plancodec.to_plain(plan))
    return plan, files


def cmd_build(ns: argparse.Namespace, rustc_args: Sequence[str], argv: Sequence[str],
              use_stamps: bool = True) -> int:
    if ns.sdist:
        from rustwheel.commands.sdist import build_via_sdist

        return build_via_sdist(ns, rustc_args, _build_options(ns, rustc_args), cmd_build)
    stamps, fresh = _shortcut(ns, argv) if use_stamps else (None, False)
    if fresh:
        return 0
    if stamps is not None and not ns.editable and _wheel_only(ns, stamps):
        return 0
    from rustwheel.tasks.reporter import RunLog
    from rustwheel.tasks.runner import run_plan

    plan, detected = _plan(ns, rustc_args, stamps[1] if stamps else None)
    log = RunLog(quiet=ns.quiet)
    code = run_plan(plan, log)
    if ns.report:
        _write_report(ns.report, log, plan.wheels if code == 0 and not log.failed else [])
    for message in log.user_errors:
        print(f"error: {message}", file=sys.stderr)
    for message in log.other_errors:
        print(message, file=sys.stderr)
    if code != 0 or log.failed:
        if not log.user_errors and not log.other_errors:
            print("error: the build failed; see the messages above", file=sys.stderr)
        return code or 1
    placed: list[Path] = []
    if ns.editable:
        from rustwheel.develop.placement import place_in_tree

        placed = place_in_tree(plan)
    if stamps is not None and detected is not None:
        from rustwheel.freshness.watch import build_files

        files = build_files(plan, detected)
        if files is not None:
            files += [str(p) for p in placed]
            stamp.write(stamps[0], files, tasks=[r.task for r in log.results],
                        wheels=plan.wheels)
    for wheel in plan.wheels:
        print(wheel)
    return 0


T = TypeVar("T")


def report_errors(action: Callable[[], T]) -> T:
    """Run a build-backend hook: a user error is printed as ``error: ...`` and ends the hook
    with a non-zero `SystemExit`, without a traceback."""
    try:
        return action()
    except RustwheelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(exc.exit_code) from None


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    rustc_args: list[str] = []
    if "--" in args:
        idx = args.index("--")
        args, rustc_args = args[:idx], args[idx + 1:]
    parser = _parser()
    develop = bool(args) and args[0] in ("develop", "dev")
    ns = parser.parse_args(args) if not develop else argparse.Namespace(command="develop")
    try:
        if develop:
            from rustwheel.commands.develop import cmd_develop

            return cmd_develop(args[1:], rustc_args)
        if ns.command == "sdist":
            from rustwheel.commands.sdist import cmd_sdist

            return cmd_sdist(ns.manifest_path, ns.out, ns.offline)
        if ns.command in ("build", "b"):
            return cmd_build(ns, rustc_args, [*args, "--", *rustc_args])
        if ns.command == "audit":
            from rustwheel.commands.audit import cmd_audit

            return cmd_audit(ns.wheels, ns.json)
        if ns.command == "cache":
            from rustwheel.commands.cache import cmd_cache

            return cmd_cache(ns.action, ns.cache_dir, ns.max_size)
        parser.print_help(sys.stderr)
        return 2
    except RustwheelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
