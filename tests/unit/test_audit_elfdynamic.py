"""The fast ELF reader (dynamic segment, struct) gives exactly the facts of the complete one
(section headers, pyelftools), and reads a wheel member only up to its dynamic segment."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Optional

import pytest
from test_audit_elf import system_lib

from rustwheel.audit import AuditError
from rustwheel.audit.elf import ElfInfo, is_elf, read_elf, read_elf_stream
from rustwheel.audit.elfdynamic import MACHINES, read_dynamic
from rustwheel.audit.elfsections import read_sections
from rustwheel.audit.elfsource import FileBytes, StreamBytes

LIB_DIR = Path("/usr/lib/x86_64-linux-gnu")


def both(path: Path) -> tuple[Optional[ElfInfo], ElfInfo]:
    with open(path, "rb") as f:
        fast = read_dynamic(FileBytes(f), path)
        return fast, read_sections(path, f, os.fstat(f.fileno()).st_size, str(path))


def cc(tmp: Path, source: str, out: str, *flags: str) -> Path:
    (tmp / f"{out}.c").write_text(source)
    subprocess.run(["cc", "-fPIC", "-o", str(tmp / out), str(tmp / f"{out}.c"), *flags],
                   check=True, cwd=tmp)
    return tmp / out


def test_same_facts_as_pyelftools_for_system_files() -> None:
    files = [Path(sys.executable).resolve()]
    files += sorted(p for p in LIB_DIR.glob("lib*.so*") if p.is_file() and not p.is_symlink())
    files = [p for p in files if is_elf(p)][:400]
    assert len(files) > 20, f"too few libraries in {LIB_DIR} to compare"
    declined = []
    for path in files:
        fast, full = both(path)
        if fast is None:
            declined.append(path)
        else:
            assert fast == full, path
    assert len(declined) < len(files) / 10, declined
    for name in ("libc.so.6", "libz.so.1", "libm.so.6"):
        fast, full = both(system_lib(name))
        assert fast is not None and fast == full


def test_isa_level_runpath_and_needed_from_cc_built_libraries(tmp_path: Path) -> None:
    cc(tmp_path, "int inner(void) { return 41; }\n", "libinner.so", "-shared",
       "-Wl,-soname,libinner.so")
    outer = "int inner(void);\nint PyInit_outer(void) { return inner() + 1; }\n"
    v3 = cc(tmp_path, outer, "v3.so", "-shared", "-L.", "-linner", "-Wl,-z,x86-64-v3")
    ext = cc(tmp_path, outer, "outer.so", "-shared", "-L.", "-linner",
             "-Wl,-rpath,$ORIGIN/../pkg.libs", "-Wl,--enable-new-dtags")
    for path in (v3, ext):
        fast, full = both(path)
        assert fast is not None and fast == full
    assert read_elf(v3).isa_level == "x86_64_v3"
    info = read_elf(ext)
    assert info.isa_level is None and info.needed[0] == "libinner.so"
    assert info.runpath == ("$ORIGIN/../pkg.libs",) and info.rpath == ()
    assert info.python_inits == ("PyInit_outer",) and info.is_python_extension


def test_object_files_go_to_the_complete_reader(tmp_path: Path) -> None:
    obj = cc(tmp_path, "int f(void) { return 1; }\n", "f.o", "-c")
    fast, full = both(obj)
    assert fast is None  # no dynamic segment: the fast reader declines
    assert read_elf(obj) == full and full.needed == () and full.arch == "x86_64"


def test_wheel_member_is_inflated_only_up_to_its_dynamic_segment(tmp_path: Path) -> None:
    data = system_lib("libz.so.1").read_bytes() + os.urandom(2_000_000)  # a long tail
    wheel = tmp_path / "demo.zip"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("demo/libz.so.1", data)
    with zipfile.ZipFile(wheel) as zf, zf.open("demo/libz.so.1") as src:
        stream = StreamBytes(src, len(data))
        info = read_dynamic(stream, Path("demo/libz.so.1"))
        assert stream.inflated < 1_000_000
    assert info == dataclasses.replace(read_elf(system_lib("libz.so.1")),
                                       path=Path("demo/libz.so.1"))
    cut = tmp_path / "cut.zip"
    with zipfile.ZipFile(cut, "w") as zf:
        zf.writestr("demo/libz.so.1", data[:3000])
    with zipfile.ZipFile(cut) as zf, zf.open("demo/libz.so.1") as src, \
            pytest.raises(AuditError, match="demo/libz.so.1 is a truncated or corrupt ELF"):
        read_elf_stream(src, 3000, Path("x/libz.so.1"), label="demo/libz.so.1")


def test_machine_names_are_pyelftools_names() -> None:
    from elftools.elf.enums import ENUM_E_MACHINE

    for number, name in MACHINES.items():
        assert ENUM_E_MACHINE[name] == number
