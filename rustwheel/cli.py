"""The ``rustwheel`` command: the only place (with the build backend's hook wrapper) that turns
errors into ``error: ...`` lines and exit codes. Each subcommand lives in `rustwheel.commands`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Optional

from rustwheel import __version__
from rustwheel.commands.options import CliParser
from rustwheel.errors import RustwheelError, UsageError, os_error_message


def _build_parser(sub: argparse._SubParsersAction[CliParser]) -> None:
    from rustwheel.commands.options import add_build_arguments

    build = sub.add_parser("build", aliases=["b"], help="build wheels", allow_abbrev=False,
                           description="Build the crate's wheel (maturin-compatible flags).")
    add_build_arguments(build)
    build.add_argument("--report", metavar="FILE.json",
                       help="write what ran and what was reused as JSON")


def _upload_parsers(sub: argparse._SubParsersAction[CliParser]) -> None:
    from rustwheel.commands.options import add_build_arguments
    from rustwheel.commands.upload import add_upload_arguments

    upload = sub.add_parser("upload", help="upload wheels and sdists to a package index",
                            allow_abbrev=False,
                            description="Check, then upload wheels and sdists (legacy upload "
                                        "API, as twine); files already uploaded are not sent "
                                        "again.")
    add_upload_arguments(upload)
    publish = sub.add_parser("publish", help="build the release wheels and the sdist, then "
                             "upload them", allow_abbrev=False,
                             description="Build (release profile, the sdist, the matrix the "
                                         "build flags give), then upload everything.")
    add_build_arguments(publish, publish=True)
    add_upload_arguments(publish, publish=True)


def _other_parsers(sub: argparse._SubParsersAction[CliParser]) -> None:
    sdist = sub.add_parser("sdist", help="build a source distribution", allow_abbrev=False,
                           description="Build the project's sdist (.tar.gz).")
    sdist.add_argument("-m", "--manifest-path", metavar="PATH", help="path to Cargo.toml")
    sdist.add_argument("-o", "--out", metavar="DIR",
                       help="output directory (default: <target dir>/wheels)")
    sdist.add_argument("--offline", action="store_true", help="run cargo without network access")
    sub.add_parser("develop", aliases=["dev"], add_help=False,
                   help="build and install an editable wheel into the active virtual env "
                        "(see rustwheel develop --help)")
    audit = sub.add_parser("audit", allow_abbrev=False,
                           help="show the manylinux/musllinux tag wheels are consistent with",
                           description="Audit wheels (or ELF files) like auditwheel show.")
    audit.add_argument("wheels", nargs="+", metavar="WHEEL", help="wheel (or ELF file) to audit")
    audit.add_argument("--json", action="store_true",
                       help="print a JSON list, one object per wheel")
    list_python = sub.add_parser(
        "list-python", allow_abbrev=False,
        help="list the Python interpreters -f/--find-interpreter finds",
        description="List the Python interpreters found on PATH and in pyenv's and uv's "
                    "installs: tag, version, implementation, path, where found.")
    list_python.add_argument("--json", action="store_true", help="print a JSON list")
    cache = sub.add_parser("cache", help="inspect and maintain the content-addressed store",
                           allow_abbrev=False,
                           description="Inspect and maintain the content-addressed store.")
    cache.add_argument("action", choices=["stats", "verify", "gc", "clear"])
    cache.add_argument("--cache-dir", metavar="DIR", help="the store (default as for build)")
    cache.add_argument("--max-size", metavar="SIZE",
                       help="gc: evict least recently used entries down to SIZE (e.g. 500M, 2G)")


def parser() -> argparse.ArgumentParser:
    p = CliParser(
        prog="rustwheel", allow_abbrev=False,
        description="Build Python wheels from Rust crates as an incremental task graph.")
    p.add_argument("--version", action="version", version=f"rustwheel {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=CliParser)
    _build_parser(sub)
    _upload_parsers(sub)
    _other_parsers(sub)
    return p


def _dispatch(args: list[str], rustc_args: list[str]) -> int:
    if args and args[0] in ("develop", "dev"):
        from rustwheel.commands.develop import cmd_develop

        return cmd_develop(args[1:], rustc_args)
    p = parser()
    ns, extra = p.parse_known_args(args)
    if extra:
        command = f"rustwheel {ns.command}" if ns.command else "rustwheel"
        raise UsageError(f"{command}: unrecognized arguments: {' '.join(extra)} (long options "
                         f"are never abbreviated); see {command} --help")
    if ns.command in ("build", "b"):
        from rustwheel.commands.build import cmd_build
        from rustwheel.commands.options import build_options

        return cmd_build(build_options(ns, rustc_args), ns.report)
    if ns.command in ("upload", "publish"):
        from rustwheel.commands.upload import cmd_publish, cmd_upload

        return cmd_upload(ns) if ns.command == "upload" else cmd_publish(ns, rustc_args)
    if ns.command == "sdist":
        from rustwheel.commands.sdist import cmd_sdist

        return cmd_sdist(ns.manifest_path, ns.out, ns.offline)
    if ns.command == "audit":
        from rustwheel.commands.audit import cmd_audit

        return cmd_audit(ns.wheels, ns.json)
    if ns.command == "list-python":
        from rustwheel.commands.list_python import cmd_list_python

        return cmd_list_python(ns.json)
    if ns.command == "cache":
        from rustwheel.commands.cache import cmd_cache

        return cmd_cache(ns.action, ns.cache_dir, ns.max_size)
    p.print_help(sys.stderr)
    return 2


def print_error(exc: RustwheelError) -> None:
    """``error: ...`` for each user error; a failed stage's other output as doit gave it."""
    errors = getattr(exc, "errors", None)
    details = getattr(exc, "details", ())
    for line in details:
        print(line, file=sys.stderr)
    for message in errors if errors is not None else [str(exc)]:
        print(f"error: {message}", file=sys.stderr)
    if errors == () and not details:
        print(f"error: {exc}", file=sys.stderr)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    rustc_args: list[str] = []
    if "--" in args:
        idx = args.index("--")
        args, rustc_args = args[:idx], args[idx + 1:]
    try:
        return _dispatch(args, rustc_args)
    except RustwheelError as exc:
        print_error(exc)
        return exc.exit_code
    except BrokenPipeError:  # stdout's reader left (`rustwheel list-python | head -1`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as exc:  # no space, no permission, a read-only file system: not a bug
        print(f"error: {os_error_message(exc, doing='accessing')}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
