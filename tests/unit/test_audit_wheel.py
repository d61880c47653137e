"""Auditing a real wheel built by rustwheel, the `rustwheel audit` command, and broken wheels."""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CRATES, build_wheel
from test_audit_elf import EM_AARCH64

from rustwheel.audit import AuditError
from rustwheel.audit.analyze import analyze
from rustwheel.audit.elf import ElfInfo, read_elf
from rustwheel.audit.elfsections import read_sections
from rustwheel.audit.resolve import Resolver, system_search_paths
from rustwheel.audit.result import AuditResult
from rustwheel.audit.wheel import audit_wheel, platform_arch
from rustwheel.commands.audit import cmd_audit

pytestmark = pytest.mark.slow
SO = "pyo3_pure_abi3/pyo3_pure_abi3.abi3.so"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory, target_dir: Path) -> Path:
    out = tmp_path_factory.mktemp("audit-wheel")
    return build_wheel(CRATES / "pyo3-pure-abi3" / "Cargo.toml", out, target_dir)


def _host_glibc() -> tuple[int, int]:
    version = os.confstr("CS_GNU_LIBC_VERSION") or "glibc 0.0"
    major, minor = version.split()[1].split(".")[:2]
    return int(major), int(minor)


def _rewrite(wheel: Path, dest: Path, change: Callable[[str, bytes], bytes | None]) -> Path:
    """A copy of ``wheel`` with each entry passed through ``change`` (None drops it)."""
    with zipfile.ZipFile(wheel) as src, zipfile.ZipFile(dest, "w") as out:
        for name in src.namelist():
            data = change(name, src.read(name))
            if data is not None:
                out.writestr(name, data)
    return dest


def test_wheel_extension_facts(wheel: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        zf.extract(SO, tmp_path)
    info = read_elf(tmp_path / SO)
    assert info.exports_pyinit and info.python_inits == ("PyInit_pyo3_pure_abi3",)
    assert info.is_python_extension and info.arch == "x86_64"
    assert "libc.so.6" in info.needed and info.libc == "glibc"
    assert not any(s.startswith("Py") for s in info.version_requirements)


def test_audit_built_wheel(wheel: Path) -> None:
    result = audit_wheel(wheel)
    assert result.name == wheel.name and result.arch == "x86_64"
    assert result.tag.startswith("manylinux_2_") and result.tag.endswith("_x86_64")
    major, minor = (int(x) for x in result.tag.split("_")[1:3])
    assert (major, minor) <= _host_glibc()
    assert result.repair_tag is None and "libc.so.6" in result.versioned_symbols
    assert result.verdict(result.tag).status == "ok"
    for verdict in result.stricter():
        assert verdict.status == "fail"
        assert any("@GLIBC_" in item for r in verdict.reasons for item in r.items)


def test_cmd_audit_text_and_json(wheel: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tag = audit_wheel(wheel).tag
    assert cmd_audit([str(wheel)], as_json=False) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f'{wheel.name} is consistent with the following platform tag: "{tag}".'
    assert any(line.startswith("  versioned symbols required: ") for line in lines)
    assert cmd_audit([str(wheel), str(wheel)], as_json=True) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["tag"] for d in data] == [tag, tag] and data[0]["name"] == wheel.name


def test_broken_wheels(wheel: Path, tmp_path: Path) -> None:
    with pytest.raises(AuditError, match="does not exist"):
        audit_wheel(tmp_path / "gone-1.0-py3-none-any.whl")
    text = tmp_path / "fake-1.0-py3-none-any.whl"
    text.write_text("not a zip")
    with pytest.raises(AuditError, match="is not a wheel"):
        audit_wheel(text)
    pure = _rewrite(wheel, tmp_path / "pure-1.0-py3-none-any.whl",
                    lambda n, d: None if n.endswith(".so") else d)
    with pytest.raises(AuditError, match="contains no ELF files"):
        audit_wheel(pure)
    cut = _rewrite(wheel, tmp_path / wheel.name.replace("pyo3_pure", "cut"),
                   lambda n, d: d[:2000] if n.endswith(".so") else d)
    with pytest.raises(AuditError, match=rf"^{SO} in cut.* is a truncated or corrupt ELF"):
        audit_wheel(cut)

    def to_arm(name: str, data: bytes) -> bytes:
        if not name.endswith(".so"):
            return data
        return data[:18] + EM_AARCH64.to_bytes(2, "little") + data[20:]

    arm = _rewrite(wheel, tmp_path / wheel.name.replace("pyo3_pure", "arm"), to_arm)
    with pytest.raises(AuditError, match=rf"{SO} in arm.* is built for aarch64 but the wheel is "
                                         "tagged manylinux_2_34_x86_64"):
        audit_wheel(arm)
    # Tagged for aarch64, it is audited as one (nothing to find on this host but libc).
    retagged = arm.rename(tmp_path / arm.name.replace("x86_64", "aarch64"))
    assert audit_wheel(retagged).arch == "aarch64"


def test_platform_arch() -> None:
    assert platform_arch("linux_x86_64") == "x86_64"
    assert platform_arch("manylinux_2_17_aarch64") == "aarch64"
    assert platform_arch("manylinux2014_ppc64le") == "ppc64le"
    assert platform_arch("musllinux_1_2_armv7l") == "armv7l"
    assert platform_arch("any") is None and platform_arch("macosx_11_0_arm64") is None


def _unpacked_audit(wheel: Path, dest: Path) -> AuditResult:
    """The audit as earlier versions did it: unpack the ELF members, read them completely."""
    files: dict[str, ElfInfo] = {}
    with zipfile.ZipFile(wheel) as zf:
        for name in zf.namelist():
            if zf.read(name)[:4] == b"\x7fELF":
                zf.extract(name, dest)
                path = dest / name
                with open(path, "rb") as f:
                    files[name] = read_sections(path, f, path.stat().st_size, name)
    return analyze(files, name=wheel.name, root=dest, resolver=Resolver(system_search_paths()))


def test_library_bundled_in_the_wheel_found_through_runpath(tmp_path: Path) -> None:
    """An extension finds a library shipped in ``pkg.libs/`` through ``$ORIGIN``: it is part of
    the wheel, not external; a library shipped nowhere is "not found"; the audit read from the
    archive equals the audit of the unpacked files."""
    build = tmp_path / "build"
    build.mkdir()
    for lib, body in (("libinner.so", "int inner(void) { return 41; }"),
                      ("libgone.so", "int gone(void) { return 1; }")):
        (build / f"{lib}.c").write_text(body + "\n")
        subprocess.run(["cc", "-shared", "-fPIC", "-o", lib, f"{lib}.c", f"-Wl,-soname,{lib}"],
                       cwd=build, check=True)
    (build / "ext.c").write_text("int inner(void); int gone(void);\n"
                                 "int PyInit_ext(void) { return inner() + gone(); }\n")
    subprocess.run(["cc", "-shared", "-fPIC", "-o", "ext.so", "ext.c", "-L.", "-linner",
                    "-lgone", "-Wl,-rpath,$ORIGIN/../pkg.libs", "-Wl,--enable-new-dtags"],
                   cwd=build, check=True)
    wheel = tmp_path / "pkg-1.0-cp311-cp311-linux_x86_64.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(build / "ext.so", "pkg/ext.so")
        zf.write(build / "libinner.so", "pkg.libs/libinner.so")
        zf.writestr("pkg-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\n")
    result = audit_wheel(wheel)
    verdict = result.verdict("manylinux_2_17_x86_64")
    assert verdict.external_libs == {"libgone.so": None}
    assert result.tag == "linux_x86_64"
    assert result == _unpacked_audit(wheel, tmp_path / "unpacked")


def test_member_read_to_the_end_has_its_crc_checked(wheel: Path, tmp_path: Path) -> None:
    """A member the fast reader declines is read to its end, and then its CRC must match."""
    cut = tmp_path / wheel.name.replace("pyo3_pure", "cut")
    with zipfile.ZipFile(wheel) as src, zipfile.ZipFile(cut, "w", zipfile.ZIP_DEFLATED) as out:
        for name in src.namelist():
            out.writestr(name, src.read(name)[:5000] if name.endswith(".so") else src.read(name))
    with pytest.raises(AuditError, match=rf"^{SO} in cut.* is a truncated or corrupt ELF"):
        audit_wheel(cut)
    with zipfile.ZipFile(cut) as zf:
        crc = zf.getinfo(SO).CRC.to_bytes(4, "little")
    raw = cut.read_bytes()
    assert raw.count(crc) == 2  # the local header and the central directory
    bad = tmp_path / cut.name.replace("cut", "badcrc")
    bad.write_bytes(raw.replace(crc, bytes(b ^ 0xFF for b in crc)))
    with pytest.raises(AuditError, match="is not a wheel"):
        audit_wheel(bad)
