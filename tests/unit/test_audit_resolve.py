"""Library search: ld.so.conf with includes, LD_LIBRARY_PATH, RPATH/RUNPATH with $ORIGIN."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from test_audit_elf import EM_AARCH64, system_lib, with_machine

from rustwheel.audit.elf import read_elf
from rustwheel.audit.resolve import (
    DEFAULT_DIRS,
    Resolver,
    SearchPaths,
    expand_origin,
    library_dirs,
    parse_ld_so_conf,
    system_search_paths,
)


def test_ld_so_conf_with_include_globs_comments_and_cycles(tmp_path: Path) -> None:
    confd = tmp_path / "ld.so.conf.d"
    confd.mkdir()
    (confd / "b.conf").write_text("/opt/b/lib  # trailing comment\n")
    (confd / "a.conf").write_text("# multiarch\n/usr/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu\n")
    (confd / "loop.conf").write_text(f"include {tmp_path / 'ld.so.conf'}\n")
    (confd / "ignored.txt").write_text("/not/included\n")
    conf = tmp_path / "ld.so.conf"
    conf.write_text("include ld.so.conf.d/*.conf\n/usr/local/lib:/opt/x/lib,/opt/y/lib\n"
                    "hwcap 1 nosegneg\nrelative/dir\n/usr/local/lib\n")
    assert parse_ld_so_conf(conf) == ["/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu",
                                      "/opt/b/lib", "/usr/local/lib", "/opt/x/lib", "/opt/y/lib"]
    assert parse_ld_so_conf(tmp_path / "missing.conf") == []


def test_system_search_paths(tmp_path: Path) -> None:
    conf = tmp_path / "ld.so.conf"
    conf.write_text("/opt/lib\n")
    paths = system_search_paths({"LD_LIBRARY_PATH": "/a/lib::/b/lib;/a/lib"}, conf)
    assert paths == SearchPaths(env=("/a/lib", "/b/lib"), conf=("/opt/lib",))
    assert paths.default == DEFAULT_DIRS
    assert system_search_paths({}, conf).env == ()
    # The host's own configuration lists the Debian multiarch directory.
    if Path("/etc/ld.so.conf.d/x86_64-linux-gnu.conf").is_file():
        assert "/usr/lib/x86_64-linux-gnu" in system_search_paths({}).conf


def test_expand_origin() -> None:
    origin = Path("/w/pkg")
    assert expand_origin("$ORIGIN/../pkg.libs", origin) == "/w/pkg.libs"
    assert expand_origin("${ORIGIN}/lib", origin) == "/w/pkg/lib"
    assert expand_origin("/abs/lib", origin) == "/abs/lib"
    assert expand_origin("$ORIGINAL/x", origin) == "$ORIGINAL/x"


def test_search_order_rpath_env_runpath_conf_default(tmp_path: Path) -> None:
    libz = read_elf(system_lib("libz.so.1"))
    file = dataclasses.replace(libz, path=tmp_path / "pkg" / "ext.so", rpath=("$ORIGIN/r",))
    paths = SearchPaths(env=("/env",), conf=("/conf",))
    assert library_dirs(file, paths, ["/parent"]) == [
        str(tmp_path / "pkg" / "r"), "/parent", "/env", "/conf", *DEFAULT_DIRS]
    with_runpath = dataclasses.replace(file, runpath=("$ORIGIN/u",))  # RUNPATH hides RPATH
    assert library_dirs(with_runpath, paths, ["/parent"]) == [
        "/env", str(tmp_path / "pkg" / "u"), "/conf", *DEFAULT_DIRS]


def test_resolver_finds_system_libraries() -> None:
    libz = read_elf(system_lib("libz.so.1"))
    resolver = Resolver(system_search_paths({}))
    found = resolver.find("libc.so.6", libz)
    assert found is not None and found.name == "libc.so.6"
    assert read_elf(found).soname == "libc.so.6"
    assert resolver.find("libdoesnotexist.so.9", libz) is None


def test_rpath_origin_and_foreign_candidates_skipped(tmp_path: Path) -> None:
    real = system_lib("libz.so.1")
    pkg = tmp_path / "pkg"
    (pkg / "libs").mkdir(parents=True)
    shutil.copy(real, pkg / "libs" / "libdemo.so.1")
    requester = dataclasses.replace(read_elf(real), path=pkg / "ext.so", rpath=("$ORIGIN/libs",))
    resolver = Resolver(SearchPaths(default=()))
    assert resolver.find("libdemo.so.1", requester) == pkg / "libs" / "libdemo.so.1"
    assert Resolver(SearchPaths(default=())).find("libdemo.so.1", dataclasses.replace(
        requester, rpath=())) is None
    # An aarch64 library of the same name first on the path is skipped, as ld.so does;
    # a text file (a linker script) too.
    (tmp_path / "arm").mkdir()
    with_machine(real, tmp_path / "arm" / "libdemo.so.1", EM_AARCH64)
    (tmp_path / "script").mkdir()
    (tmp_path / "script" / "libdemo.so.1").write_text("GROUP ( libdemo.so.1 )\n")
    paths = SearchPaths(env=(str(tmp_path / "script"), str(tmp_path / "arm")),
                        conf=(str(pkg / "libs"),), default=())
    bare = dataclasses.replace(requester, rpath=())
    assert Resolver(paths).find("libdemo.so.1", bare) == pkg / "libs" / "libdemo.so.1"
    # A DT_NEEDED with a slash is a path, not searched.
    assert Resolver(paths).find(str(pkg / "libs" / "libdemo.so.1"), bare) is not None
