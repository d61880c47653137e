"""The ``rustwheel`` command: the only place (with the build backend's hook wrapper) that turns
errors into ``error: ...`` lines and exit codes. Each subcommand lives in `rustwheel.commands`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import NoReturn, Optional

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


def _scaffold_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("-b", "--bindings", default="pyo3", choices=["pyo3", "cffi", "uniffi", "bin"],
                   help="the bindings (default: pyo3)")
    p.add_argument("--mixed", action="store_true",
                   help="a python package beside the Rust extension (python/<name>/)")
    p.add_argument("--src", action="store_true",
                   help="src layout: the python package in src/<name>/, the crate in rust/ "
                        "(implies --mixed)")
    p.add_argument("--name", help="the project's name (default: the directory's name)")


def _project_parsers(sub: argparse._SubParsersAction[CliParser]) -> None:
    new = sub.add_parser("new", allow_abbrev=False, help="create a new project",
                         description="Create a project that rustwheel builds, in a new (or "
                                     "empty) directory.")
    new.add_argument("path", metavar="PATH", help="the directory to create")
    _scaffold_arguments(new)
    init = sub.add_parser("init", allow_abbrev=False,
                          help="create a project in an existing directory",
                          description="Create a project that rustwheel builds in an existing "
                                      "directory; no file there is overwritten.")
    init.add_argument("path", metavar="PATH", nargs="?", help="the directory (default: .)")
    _scaffold_arguments(init)
    ci = sub.add_parser("generate-ci", allow_abbrev=False,
                        help="write a GitHub Actions release workflow",
                        description="Write a GitHub Actions workflow that builds the release "
                                    "matrix with rustwheel (Linux only) and publishes it.")
    ci.add_argument("ci", choices=["github"], help="the CI provider")
    ci.add_argument("-m", "--manifest-path", metavar="PATH", help="path to Cargo.toml")
    ci.add_argument("-o", "--output", metavar="FILE", default="-",
                    help="where to write the workflow (default: -, stdout)")
    ci.add_argument("--platform", dest="platforms", action="append", metavar="PLATFORM",
                    help="manylinux (alias linux), musllinux or all (repeatable; default: "
                         "[tool.rustwheel.generate-ci.github], else all)")
    ci.add_argument("--pytest", action="store_true", help="run the tests against the wheels")
    ci.add_argument("--zig", action="store_true",
                    help="link every manylinux wheel with zig (manylinux2014)")
    ci.add_argument("--skip-attestation", action="store_true",
                    help="no build provenance attestation in the release job")


def parser(command: Optional[str] = None) -> argparse.ArgumentParser:
    """The command line. For ``build`` (``command``) only its own parser is made: a no-op
    build's few milliseconds are not spent on the other commands' options and imports."""
    p = CliParser(
        prog="rustwheel", allow_abbrev=False,
        description="Build Python wheels from Rust crates as an incremental task graph.")
    p.add_argument("--version", action="version", version=f"rustwheel {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=CliParser)
    _build_parser(sub)
    if command not in ("build", "b"):
        _upload_parsers(sub)
        _other_parsers(sub)
        _project_parsers(sub)
    return p


def _dispatch(args: list[str], rustc_args: list[str]) -> int:
    if args and args[0] in ("develop", "dev"):
        from rustwheel.commands.develop import cmd_develop

        with _store_writes_after():
            return cmd_develop(args[1:], rustc_args)
    p = parser(args[0] if args else None)
    ns, extra = p.parse_known_args(args)
    if extra:
        command = f"rustwheel {ns.command}" if ns.command else "rustwheel"
        raise UsageError(f"{command}: unrecognized arguments: {' '.join(extra)} (long options "
                         f"are never abbreviated); see {command} --help")
    if ns.command in ("build", "b"):
        from rustwheel.commands.build import cmd_build
        from rustwheel.commands.options import build_options

        with _store_writes_after():
            return cmd_build(build_options(ns, rustc_args), ns.report)
    if ns.command in ("upload", "publish"):
        return _upload_command(ns, rustc_args)
    if ns.command == "sdist":
        from rustwheel.commands.sdist import cmd_sdist

        return cmd_sdist(ns.manifest_path, ns.out, ns.offline)
    if ns.command == "audit":
        from rustwheel.commands.audit import cmd_audit

        return cmd_audit(ns.wheels, ns.json)
    if ns.command == "list-python":
        from rustwheel.commands.list_python import cmd_list_python

        return cmd_list_python(ns.json)
    if ns.command in ("new", "init", "generate-ci"):
        return _project_command(ns)
    if ns.command == "cache":
        from rustwheel.commands.cache import cmd_cache

        return cmd_cache(ns.action, ns.cache_dir, ns.max_size)
    p.print_help(sys.stderr)
    return 2


@contextmanager
def _store_writes_after() -> Iterator[None]:
    """The command's results are stored after its work, by a detached writer
    (`rustwheel.cache.pending`): the wheel or the installed extension does not wait for it."""
    from rustwheel.cache.pending import WRITES

    WRITES.defer(os.environ)
    try:
        yield
    finally:
        WRITES.finish()


def _upload_command(ns: argparse.Namespace, rustc_args: list[str]) -> int:
    from rustwheel.commands.upload import cmd_publish, cmd_upload

    if ns.command == "upload":
        return cmd_upload(ns)
    with _store_writes_after():
        return cmd_publish(ns, rustc_args)


def _project_command(ns: argparse.Namespace) -> int:
    if ns.command == "generate-ci":
        from rustwheel.commands.generate_ci import cmd_generate_ci

        return cmd_generate_ci(ns)
    from rustwheel.commands.new import cmd_init, cmd_new

    command = cmd_new if ns.command == "new" else cmd_init
    return command(ns.path, ns.name, ns.bindings, ns.mixed, ns.src)


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


def run() -> NoReturn:
    """The ``rustwheel`` command: `main`, then exit at once.

    Once the command is done and its output flushed, tearing the interpreter down (clearing
    every module, a last garbage collection) only costs time: 15 ms, a sixth of a python-only
    edit's rebuild. The exit handlers still run (the digest cache is saved, a cargo started
    early is stopped); only when a thread of the command is still running does the exit wait
    for it, as a normal one would.

    The command makes few reference cycles: the collector's default of a pass over the young
    objects every 700 new ones found almost nothing and took 4–7 ms of a python-only edit's
    rebuild (3,000 python files: 108 passes). It runs every 100,000 instead."""
    import gc

    gc.set_threshold(100_000, 10, 10)
    code = main()
    threading = sys.modules.get("threading")
    if threading is not None and any(
            t is not threading.main_thread() and not t.daemon and t.is_alive()
            for t in threading.enumerate()):
        sys.exit(code)
    import atexit
    from contextlib import suppress

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):  # a closed or broken pipe: nothing more to say
            stream.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
