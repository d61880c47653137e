"""The options of ``rustwheel build`` as argparse flags (maturin's names and defaults), shared by
``build``, ``develop`` and the build backend's ``build-args``, and turned into `BuildOptions`."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any, NoReturn, Optional

from rustwheel.errors import ConfigError, UsageError
from rustwheel.options import CARGO_COLORS, BuildOptions


def _bool_value(text: str) -> bool:
    lowered = text.lower()
    if lowered in ("true", "1", "yes", "on"):
        return True
    if lowered in ("false", "0", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got '{text}'")


def _cargo_arguments(add: Any) -> None:
    add("-m", "--manifest-path", metavar="PATH", help="path to Cargo.toml")
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
    add("--ignore-rust-version", action="store_true",
        help="build even if the crate's rust-version is newer than rustc (cargo's flag)")
    add("--future-incompat-report", action="store_true",
        help="cargo's future-incompatibility report of the dependencies")
    add("--color", choices=CARGO_COLORS,
        help="cargo's colours: auto, always or never")
    add("--config", action="append", metavar="KEY=VALUE", help="cargo --config (repeatable)")
    add("-Z", dest="unstable_flags", action="append", metavar="FLAG",
        help="unstable cargo -Z flag (repeatable)")
    add("--target", dest="targets", action="append", metavar="TRIPLE",
        help="Rust target triples (space or comma separated, repeatable; default: "
             "CARGO_BUILD_TARGET, else the host)")
    add("-j", "--jobs", type=_positive, metavar="N", help="build N cells at once")
    add("--timings", metavar="FILE.html",
        help="write a page showing when each cell's stages ran")
    add("--strip", nargs="?", const=True, default=None, type=_bool_value, metavar="BOOL",
        help="strip the library (rustc -C strip=symbols)")


def _wheel_arguments(add: Any) -> None:
    add("-b", "--bindings", metavar="BINDINGS", help="pyo3, pyo3-ffi, cffi, uniffi or bin")
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
    add("-q", "--quiet", action="store_true", help="print less")
    add("-v", "--verbose", action="count", default=0, help="more output (passed to cargo)")
    add("--cache-dir", metavar="DIR",
        help="content-addressed store (default: $RUSTWHEEL_CACHE_DIR or ~/.cache/rustwheel)")
    add("--no-cache", action="store_true", help="do not read or write the store")
    add("--remote-cache", metavar="URL",
        help="a store shared over HTTP (Bazel's cache protocol), behind the local one "
             "(default: $RUSTWHEEL_REMOTE_CACHE, else remote-cache in the user's config file)")
    add("--remote-cache-read-only", action="store_true",
        help="read the remote store, never write it (pull-request builds)")
    add("--sbom-include", action="append", nargs="+", metavar="PATH",
        help="more SBOM files for .dist-info/sboms/, after [tool.rustwheel.sbom] include "
             "(relative to the project root; repeatable)")
    add("--compression-method", metavar="METHOD",
        help="zip compression of the wheel's members: deflated (default; levels 0-9, default 6) "
             "or stored (no compression)")
    add("--compression-level", type=_level, metavar="N",
        help="zip compression level (default: the method's default)")
    # maturin's opt-in for members over 4 GiB: rustwheel always writes zip64 when a wheel needs
    # it, so the flag asks for what every build does.
    add("--compression-enable-large-file-support", action="store_true",
        help="zip64 for members over 4 GiB (always on: accepted for maturin's command lines)")


def _own_arguments(add: Any) -> None:
    """Options ``develop`` sets itself."""
    add("-o", "--out", metavar="DIR", help="output directory (default: <target dir>/wheels)")
    add("-i", "--interpreter", action="append", nargs="+", metavar="PYTHON",
        help="interpreters to build for: paths, names (python3.12, pypy3.10) or versions "
             "(3.12, 3.13t); repeatable")
    add("-f", "--find-interpreter", action="store_true",
        help="build for every interpreter found (PATH, pyenv, uv) that requires-python and "
             "pyo3 allow")
    add("--sdist", action="store_true",
        help="build the sdist first, then the wheel from the unpacked sdist")
    add("--editable", action="store_true",
        help="an editable wheel (PEP 660; mixed layouts: a .pth to the python source and the "
             "extension placed into the source tree)")
    add("--auto-rebuild", action="store_true", help=argparse.SUPPRESS)


def add_build_arguments(parser: argparse.ArgumentParser, *, develop: bool = False,
                        publish: bool = False) -> None:
    """``rustwheel build``'s flags (``develop``: without those develop chooses itself;
    ``publish``: release and the sdist by default, ``-r`` left to ``--repository``)."""
    add = _publish_adder(parser) if publish else parser.add_argument
    _cargo_arguments(add)
    _wheel_arguments(add)
    if not develop:
        _own_arguments(add)


def _publish_adder(parser: argparse.ArgumentParser) -> Any:
    """``parser.add_argument`` without ``-r/--release`` and ``--sdist``, whose opposites
    ``--debug`` and ``--no-sdist`` it adds (as maturin's publish)."""
    parser.add_argument("--debug", dest="release", action="store_false",
                        help="publish dev-profile wheels (default: release)")
    parser.add_argument("--no-sdist", dest="sdist", action="store_false",
                        help="do not build and upload the sdist")
    parser.set_defaults(release=True, sdist=True)

    def add(*names: str, **kwargs: Any) -> Any:
        if {"--release", "--sdist", "--editable"} & set(names):
            return None
        return parser.add_argument(*names, **kwargs)

    return add


def _split_list(values: Optional[list[str]]) -> tuple[str, ...]:
    out: list[str] = []
    for v in values or ():
        out += [p for p in v.replace(",", " ").split() if p]
    return tuple(out)


def _interpreters(ns: argparse.Namespace) -> tuple[str, ...]:
    found = [i for group in (getattr(ns, "interpreter", None) or ()) for i in group]
    if found and getattr(ns, "find_interpreter", False):
        raise ConfigError("-i/--interpreter and -f/--find-interpreter cannot be used together; "
                          "pass one of them")
    return tuple(found)


def _level(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number, got '{text}'")
    return value


def build_options(ns: argparse.Namespace, rustc_args: Sequence[str] = ()) -> BuildOptions:
    """The `BuildOptions` of parsed ``rustwheel build`` flags (and ``-- RUSTC_ARGS``)."""
    return BuildOptions(
        manifest_path=ns.manifest_path, out=getattr(ns, "out", None), release=ns.release,
        profile=ns.profile, features=_split_list(ns.features), all_features=ns.all_features,
        no_default_features=ns.no_default_features, target_dir=ns.target_dir,
        locked=ns.locked, frozen=ns.frozen, offline=ns.offline,
        config=tuple(ns.config or ()), unstable_flags=tuple(ns.unstable_flags or ()),
        bindings=ns.bindings, interpreters=_interpreters(ns),
        find_interpreter=getattr(ns, "find_interpreter", False), targets=_split_list(ns.targets),
        jobs=ns.jobs, timings=ns.timings, strip=ns.strip,
        compatibility=ns.compatibility, auditwheel=ns.auditwheel, zig=ns.zig, quiet=ns.quiet,
        verbose=ns.verbose, rustc_args=tuple(rustc_args), cache_dir=ns.cache_dir,
        no_cache=ns.no_cache, remote_cache=ns.remote_cache,
        remote_cache_read_only=ns.remote_cache_read_only, editable=getattr(ns, "editable", False),
        auto_rebuild=getattr(ns, "auto_rebuild", False), sdist=getattr(ns, "sdist", False),
        compression_method=ns.compression_method, compression_level=ns.compression_level,
        ignore_rust_version=ns.ignore_rust_version,
        future_incompat_report=ns.future_incompat_report, color=ns.color,
        sbom_include=tuple(path for group in ns.sbom_include or () for path in group))


def without_remote_url(args: Sequence[str]) -> list[str]:
    """``args`` without ``--remote-cache URL``, for writing them to a file: a URL's credentials
    are never written to disk (a rebuild from the file finds the remote store in the
    environment or the user's config file; the build's stamp does not depend on it)."""
    out: list[str] = []
    skip = False
    for arg in args:
        if skip or arg.startswith("--remote-cache="):
            skip = False
            continue
        skip = arg == "--remote-cache"
        if not skip:
            out.append(arg)
    return out


def parse_build_args(args: Sequence[str]) -> BuildOptions:
    """`BuildOptions` from ``rustwheel build`` arguments (``[FLAGS...] [-- RUSTC_ARGS]``), for
    the build backend's ``build-args``; a bad flag is a `ConfigError`."""
    args = list(args)
    rustc: list[str] = []
    if "--" in args:
        i = args.index("--")
        args, rustc = args[:i], args[i + 1:]
    parser = _RaisingParser(prog="rustwheel build", allow_abbrev=False, add_help=False)
    add_build_arguments(parser)
    return build_options(parser.parse_args(args), rustc)


class _RaisingParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise ConfigError(f"build arguments: {message}; see rustwheel build --help")


class CliParser(argparse.ArgumentParser):
    """argparse, but a bad command line is one ``error:`` line (`UsageError`), not usage text
    plus ``prog: error: ...``."""

    def error(self, message: str) -> NoReturn:
        if message.startswith("unrecognized arguments"):
            message += " (long options are never abbreviated)"
        prog = self.prog if self.prog != "rustwheel" else "rustwheel COMMAND"
        raise UsageError(f"{self.prog}: {message}; see {prog} --help")
