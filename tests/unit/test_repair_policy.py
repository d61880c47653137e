"""The repair stage's choice of tag and libraries, over audits of real ELF facts (libz)."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Optional

import pytest
from test_audit_elf import system_lib

from rustwheel.audit.analyze import analyze
from rustwheel.audit.elf import ElfInfo, read_elf
from rustwheel.audit.resolve import Resolver, SearchPaths
from rustwheel.audit.result import AuditResult
from rustwheel.stages.repair.plan import RepairError, RepairFile, RepairPlan
from rustwheel.stages.repair.policy import choose

NO_SYSTEM = Resolver(SearchPaths(default=()))


@pytest.fixture(scope="module")
def libz() -> ElfInfo:
    return read_elf(system_lib("libz.so.1"))


def _plan(mode: str = "repair", policy: Optional[str] = None, pypi: bool = False,
          binary: bool = False) -> RepairPlan:
    return RepairPlan(cell="c", mode=mode, policy=policy, pypi=pypi,
                      arch="x86_64",
                      files=(RepairFile("pkg/ext.so", "/nonexistent", binary),),
                      libs_dir="pkg.libs", scripts_dir="pkg.scripts", work_dir="/w",
                      manifest="/m", inputs_record="/r")


def _audit(info: ElfInfo, resolver: Resolver = NO_SYSTEM) -> AuditResult:
    return analyze({"pkg/ext.so": info}, resolver=resolver)


def test_most_compatible_tag_with_both_spellings(libz: ElfInfo) -> None:
    decision = choose(_audit(libz), _plan())
    assert decision.platform == "manylinux_2_17_x86_64.manylinux2014_x86_64"
    assert decision.bundle == {} and decision.notes == []


def test_policy_asked_for(libz: ElfInfo) -> None:
    with pytest.raises(RepairError, match=r"cannot be tagged manylinux_2_12_x86_64: too-new "
                                          r"versioned symbols: libc.so.6: memcpy@GLIBC_2.14"):
        choose(_audit(libz), _plan(policy="manylinux_2_12"))
    newer = choose(_audit(libz), _plan(policy="manylinux_2_28"))
    assert newer.platform == "manylinux_2_28_x86_64"
    assert newer.notes == [("the wheel is eligible for manylinux_2_17_x86_64, more compatible "
                           "than the manylinux_2_28_x86_64 asked for")]
    with pytest.raises(RepairError, match="does not apply to these glibc binaries"):
        choose(_audit(libz), _plan(policy="musllinux_1_2"))


def test_nothing_fits(libz: ElfInfo) -> None:
    v3 = dataclasses.replace(libz, isa_level="x86_64_v3")
    decision = choose(_audit(v3), _plan())
    assert decision.platform == "linux_x86_64"
    assert decision.notes[0].startswith("no manylinux or musllinux tag fits, so the wheel is "
                                        "tagged linux_x86_64, which PyPI rejects")
    with pytest.raises(RepairError, match=r"PyPI rejects linux_x86_64 wheels \(--compatibility "
                                          r"pypi\): manylinux_2_\d+_x86_64: requires the "
                                          "x86_64_v3 instruction set"):
        choose(_audit(v3), _plan(pypi=True))
    assert choose(_audit(libz), _plan(pypi=True)).platform.startswith("manylinux_2_17_x86_64")


def test_libpython(libz: ElfInfo) -> None:
    linked = dataclasses.replace(libz, needed=("libc.so.6", "libpython3.11.so.1.0"))
    assert choose(_audit(linked), _plan(binary=True)).platform.startswith("manylinux_2_17")
    with pytest.raises(RepairError, match="links libpython3.11.so.1.0, which an extension "
                                          "module must not do"):
        choose(_audit(linked), _plan())


def test_modes_for_an_external_library(tmp_path: Path, libz: ElfInfo) -> None:
    libdir = tmp_path / "sys"
    libdir.mkdir()
    shutil.copy(system_lib("libz.so.1"), libdir / "libextern.so.1")
    ext = dataclasses.replace(libz, needed=(*libz.needed, "libextern.so.1"))
    result = _audit(ext, Resolver(SearchPaths(env=(str(libdir),), default=())))
    repaired = choose(result, _plan())
    assert repaired.platform.startswith("manylinux_2_17_x86_64")
    assert repaired.bundle == {"libextern.so.1": libdir / "libextern.so.1"}
    with pytest.raises(RepairError, match="links libextern.so.1, which manylinux_2_17_x86_64 "
                                          "does not allow; re-run with --auditwheel=repair"):
        choose(result, _plan(mode="check"))
    warned = choose(result, _plan(mode="warn"))
    assert warned.bundle == {} and "--auditwheel=warn" in warned.notes[0]

    missing = dataclasses.replace(libz, needed=("libc.so.6", "libnowhere.so.3"))
    with pytest.raises(RepairError, match="cannot bundle libnowhere.so.3 into the wheel"):
        choose(_audit(missing), _plan())
