"""Policy verdicts over real ELF facts (libz), varied one fact at a time (dataclasses.replace)."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Optional

import pytest
from test_audit_elf import system_lib

from rustwheel.audit import AuditError
from rustwheel.audit.analyze import LIBPYTHON_NOTE, analyze, version_key
from rustwheel.audit.elf import ElfInfo, read_elf
from rustwheel.audit.resolve import Resolver, SearchPaths
from rustwheel.audit.result import FAIL, OK, REPAIR

NO_SYSTEM = Resolver(SearchPaths(default=()))


@pytest.fixture(scope="module")
def libz() -> ElfInfo:
    return read_elf(system_lib("libz.so.1"))


def test_libz_is_manylinux2014_and_names_the_too_new_symbol(libz: ElfInfo) -> None:
    result = analyze({"libz.so.1": libz}, name="libz", resolver=NO_SYSTEM)
    assert (result.arch, result.libc) == ("x86_64", "glibc")
    assert result.tag == "manylinux_2_17_x86_64"
    assert result.aliases == ("manylinux2014_x86_64",) and result.repair_tag is None
    assert [v.tag for v in result.stricter()] == ["manylinux_2_5_x86_64", "manylinux_2_12_x86_64"]
    why = result.verdict("manylinux2010_x86_64")
    assert why.status == FAIL and why.reasons[0].kind == "symbol-version"
    assert why.reasons[0].message().startswith(
        "too-new versioned symbols: libc.so.6: memcpy@GLIBC_2.14")
    assert why.reasons[0].files == ("libz.so.1",)
    assert all(v.status == OK for v in result.verdicts[2:])
    assert "GLIBC_2.14" in result.versioned_symbols["libc.so.6"]
    data = json.loads(result.to_json())
    assert data["tag"] == "manylinux_2_17_x86_64" and data["needs_repair"] is False
    assert data["policies"][0]["reasons"][0]["items"][0] == "memcpy@GLIBC_2.14"
    assert data["policies"][0]["aliases"] == ["manylinux1_x86_64"]


def test_version_key_orders_numerically() -> None:
    assert sorted(["GLIBC_2.14", "GLIBC_2.2.5", "GLIBC_2.3"], key=version_key) == [
        "GLIBC_2.2.5", "GLIBC_2.3", "GLIBC_2.14"]


class _FakeInfo(Resolver):
    """Reports chosen facts for one library file (its symbol versions, say)."""

    def __init__(self, paths: SearchPaths, path: Path, info: Optional[ElfInfo]) -> None:
        super().__init__(paths)
        self._infos[path] = info


def test_external_library_needs_repair(tmp_path: Path, libz: ElfInfo) -> None:
    libdir = tmp_path / "sys"
    libdir.mkdir()
    shutil.copy(system_lib("libz.so.1"), libdir / "libextern.so.1")
    ext = dataclasses.replace(libz, needed=(*libz.needed, "libextern.so.1"))
    resolver = Resolver(SearchPaths(env=(str(libdir),), default=()))
    result = analyze({"pkg/ext.so": ext}, resolver=resolver)
    assert result.tag == "linux_x86_64" and result.aliases == ()
    assert result.repair_tag == "manylinux_2_17_x86_64" and result.needs_repair
    verdict = result.verdict("manylinux_2_17_x86_64")
    assert verdict.status == REPAIR
    assert verdict.external_libs == {"libextern.so.1": str(libdir / "libextern.so.1")}
    assert [r.kind for r in verdict.reasons] == ["library"]
    assert "libextern.so.1" in verdict.reasons[0].message() and verdict.reasons[0].repairable

    # The bundled library's own symbol versions count for the repaired policies.
    path = libdir / "libextern.so.1"
    newer = dataclasses.replace(read_elf(path), version_requirements={
        "libc.so.6": frozenset({"GLIBC_2.2.5", "GLIBC_2.28"})}, versioned_symbols={})
    result = analyze({"pkg/ext.so": ext}, resolver=_FakeInfo(resolver.paths, path, newer))
    assert result.repair_tag == "manylinux_2_28_x86_64"
    blocked = result.verdict("manylinux_2_27_x86_64")
    assert blocked.status == FAIL
    assert blocked.reasons[0].items == ("GLIBC_2.28",)
    assert blocked.reasons[0].files == ("libextern.so.1 (bundled)",)

    missing = dataclasses.replace(ext, needed=("libc.so.6", "libnowhere.so.3"))
    result = analyze({"ext.so": missing}, resolver=resolver)
    assert result.verdicts[-1].external_libs == {"libnowhere.so.3": None}
    assert result.verdicts[-1].reasons[0].items == ("not found",)


def test_libpython_is_external_but_not_bundled(libz: ElfInfo) -> None:
    ext = dataclasses.replace(libz, needed=("libc.so.6", "libpython3.11.so.1.0"))
    result = analyze({"bin/tool": ext}, resolver=NO_SYSTEM)
    assert result.tag == "linux_x86_64" and result.repair_tag == "manylinux_2_17_x86_64"
    assert result.verdicts[0].reasons[-1].items == (LIBPYTHON_NOTE,)


def test_library_inside_the_wheel_is_not_external(tmp_path: Path, libz: ElfInfo) -> None:
    root = tmp_path / "unpacked"
    (root / "pkg.libs").mkdir(parents=True)
    shutil.copy(system_lib("libz.so.1"), root / "pkg.libs" / "libinside-1234abcd.so.1")
    ext = dataclasses.replace(libz, path=root / "pkg" / "ext.so", rpath=("$ORIGIN/../pkg.libs",),
                              needed=("libinside-1234abcd.so.1", "libc.so.6"))
    result = analyze({"pkg/ext.so": ext}, root=root, resolver=NO_SYSTEM)
    assert result.tag == "manylinux_2_17_x86_64" and result.repair_tag is None
    assert all(not v.external_libs for v in result.verdicts)


def test_blacklisted_symbol(libz: ElfInfo) -> None:
    ext = dataclasses.replace(libz, undefined_symbols=libz.undefined_symbols | {
        "__cxa_thread_atexit_impl"})
    result = analyze({"ext.so": ext}, resolver=NO_SYSTEM)
    assert result.tag == "manylinux_2_24_x86_64"  # libc's blacklist ends with manylinux2014
    reasons = result.verdict("manylinux2014_x86_64").reasons
    assert [(r.kind, r.library, r.items) for r in reasons] == [
        ("blacklist", "libc.so.6", ("__cxa_thread_atexit_impl",))]
    assert reasons[0].message() == \
        "uses black-listed symbols of libc.so.6: __cxa_thread_atexit_impl"


def test_isa_level_and_unsupported_architecture(libz: ElfInfo) -> None:
    v3 = dataclasses.replace(libz, isa_level="x86_64_v3")
    result = analyze({"ext.so": v3}, resolver=NO_SYSTEM)
    assert result.tag == "linux_x86_64" and result.repair_tag is None
    assert result.verdicts[-1].reasons[0].message() == \
        "requires the x86_64_v3 instruction set (ext.so)"

    riscv = dataclasses.replace(libz, arch="riscv64", machine="EM_RISCV", versioned_symbols={},
                                version_requirements={"libc.so.6": frozenset({"GLIBC_2.27"})})
    result = analyze({"ext.so": riscv}, resolver=NO_SYSTEM)
    assert result.tag == "manylinux_2_31_riscv64"
    assert result.verdict("manylinux_2_28_riscv64").reasons[0].message() == \
        "unsupported architecture riscv64"
    ppc64 = dataclasses.replace(libz, arch="ppc64", machine="EM_PPC64", little_endian=False,
                                version_requirements={"libc.so.6": frozenset({"GLIBC_2.3"})})
    assert analyze({"x.so": ppc64}, resolver=NO_SYSTEM).tag == "manylinux_2_17_ppc64"


def test_unknown_prefixes_are_not_checked(libz: ElfInfo) -> None:
    ext = dataclasses.replace(libz, version_requirements={
        **libz.version_requirements, "libssl.so.3": frozenset({"OPENSSL_3.0.0"})})
    assert analyze({"ext.so": ext}, resolver=NO_SYSTEM).tag == "manylinux_2_17_x86_64"


def test_musl(libz: ElfInfo) -> None:
    musl = dataclasses.replace(libz, needed=("libc.musl-x86_64.so.1",), version_requirements={},
                               versioned_symbols={})
    result = analyze({"ext.so": musl}, resolver=NO_SYSTEM)
    assert (result.libc, result.tag) == ("musl", "musllinux_1_2_x86_64")
    assert [v.tag for v in result.verdicts] == ["musllinux_1_2_x86_64"]
    old = analyze({"ext.so": musl}, resolver=NO_SYSTEM, musl_policy="musllinux_1_1")
    assert old.tag == "musllinux_1_1_x86_64"
    with pytest.raises(AuditError, match="musllinux policy 'musllinux_9_9' is unknown"):
        analyze({"ext.so": musl}, resolver=NO_SYSTEM, musl_policy="musllinux_9_9")
    with pytest.raises(AuditError, match="mixes C libraries"):
        analyze({"a.so": musl, "b.so": libz}, resolver=NO_SYSTEM)


def test_input_errors(libz: ElfInfo) -> None:
    with pytest.raises(AuditError, match="w.whl contains no ELF files"):
        analyze({}, name="w.whl")
    arm = dataclasses.replace(libz, arch="aarch64", machine="EM_AARCH64")
    with pytest.raises(AuditError, match=r"mixes architectures: b.so is built for aarch64 but "
                                         r"a.so for x86_64"):
        analyze({"a.so": libz, "b.so": arm}, resolver=NO_SYSTEM)
    odd = dataclasses.replace(libz, arch=None, machine="EM_SPARCV9")
    with pytest.raises(AuditError, match=r"odd.so in w.whl is built for EM_SPARCV9"):
        analyze({"odd.so": odd}, name="w.whl", resolver=NO_SYSTEM)
