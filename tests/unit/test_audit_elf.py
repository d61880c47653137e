"""ELF facts from real system libraries, and clear errors for files that are not usable ELF."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from rustwheel.audit import AuditError
from rustwheel.audit.elf import is_elf, read_elf
from rustwheel.errors import RustwheelError

LIB_DIRS = ("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64")
EM_AARCH64 = 183


def system_lib(name: str) -> Path:
    for d in LIB_DIRS:
        if (Path(d) / name).is_file():
            return Path(d) / name
    raise AssertionError(f"{name} not found in {LIB_DIRS} (the audit tests need an x86-64 "
                         "glibc host)")


def with_machine(src: Path, dest: Path, machine: int) -> Path:
    """A copy of ``src`` whose ELF header claims another ``e_machine`` (little-endian files)."""
    data = bytearray(src.read_bytes())
    data[18:20] = machine.to_bytes(2, "little")
    dest.write_bytes(bytes(data))
    return dest


def test_libc_facts() -> None:
    libc = read_elf(system_lib("libc.so.6"))
    assert libc.arch == "x86_64" and libc.machine == "EM_X86_64" and libc.elf_class == 64
    assert libc.soname == "libc.so.6"
    assert any(n.startswith("ld-linux") for n in libc.needed)
    assert libc.libc == "glibc" and not libc.exports_pyinit and libc.isa_level is None


def test_libz_version_requirements_and_symbols() -> None:
    libz = read_elf(system_lib("libz.so.1"))
    assert libz.soname == "libz.so.1" and libz.needed == ("libc.so.6",)
    assert libz.rpath == () and libz.runpath == ()
    glibc = libz.version_requirements["libc.so.6"]
    assert "GLIBC_2.2.5" in glibc and all(v.startswith("GLIBC_") for v in glibc)
    assert "memcpy" in libz.versioned_symbols["libc.so.6"]["GLIBC_2.14"]
    assert {"memcpy", "malloc", "free"} <= libz.undefined_symbols
    assert "__cxa_finalize" not in libz.undefined_symbols  # weak: ignored like auditwheel does


def test_executable_has_interpreter() -> None:
    python = Path(sys.executable).resolve()
    assert is_elf(python), f"{python} is not an ELF executable"
    info = read_elf(python)
    assert info.interpreter is not None and "ld-linux" in info.interpreter
    assert info.libc == "glibc"


def test_text_file_is_not_elf(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("just text\n")
    assert not is_elf(text)
    with pytest.raises(AuditError, match=r"notes.txt is not an ELF file") as err:
        read_elf(text)
    assert isinstance(err.value, RustwheelError)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AuditError, match="cannot be read"):
        read_elf(tmp_path / "gone.so")
    assert not is_elf(tmp_path / "gone.so")


@pytest.mark.parametrize("size", [40, 100, 4096, -10])
def test_truncated_elf(tmp_path: Path, size: int) -> None:
    data = system_lib("libz.so.1").read_bytes()
    cut = tmp_path / "libz-cut.so"
    cut.write_bytes(data[:size])
    assert is_elf(cut)
    with pytest.raises(AuditError, match=r"libz-cut.so is a truncated or corrupt ELF file"):
        read_elf(cut, label="pkg/libz-cut.so")
    with pytest.raises(AuditError, match=r"^pkg/libz-cut.so is a truncated"):
        read_elf(cut, label="pkg/libz-cut.so")


def test_other_architecture(tmp_path: Path) -> None:
    arm = with_machine(system_lib("libz.so.1"), tmp_path / "libarm.so", EM_AARCH64)
    info = read_elf(arm)
    assert info.arch == "aarch64" and info.machine == "EM_AARCH64"
    with pytest.raises(AuditError, match=r"libarm.so is built for aarch64, not x86_64; rebuild"):
        read_elf(arm, expect_arch="x86_64")
    odd = read_elf(with_machine(arm, tmp_path / "libodd.so", 0x7777))
    assert odd.arch is None and odd.machine == str(0x7777)
