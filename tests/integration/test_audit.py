"""`rustwheel audit` agrees with `auditwheel show` on wheels built from the test crates."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CONSISTENT, CRATES, auditwheel_show, build_wheel, copy_crate

from rustwheel.audit.resolve import Resolver, system_search_paths
from rustwheel.audit.result import AuditResult
from rustwheel.audit.wheel import audit_wheel
from rustwheel.commands.audit import cmd_audit

pytestmark = pytest.mark.slow


def assert_same_as_auditwheel(wheel: Path, capsys: pytest.CaptureFixture[str]) -> AuditResult:
    shown, data = auditwheel_show(wheel)
    result = audit_wheel(wheel, resolver=Resolver(system_search_paths()))
    assert result.tag == shown == data["overall_tag"], (result.tag, shown)
    # auditwheel's symbol tag counts the versions of the libraries a repair would bundle.
    assert (result.repair_tag or result.tag) == data["sym_tag"]
    ours = {lib: set(v) for lib, v in result.versioned_symbols.items()}
    theirs = {lib: set(v) for lib, v in data["versioned_symbols"].items()}
    if result.needs_repair:  # auditwheel adds the versions the bundled libraries require
        assert all(ours[lib] <= theirs.get(lib, set()) for lib in ours), (ours, theirs)
    else:
        assert ours == theirs
    # auditwheel lists, for each policy better than its tag, the libraries to eliminate.
    best = 0 if result.tag.startswith("linux_") else result.verdict(result.tag).priority
    for verdict in (v for v in result.verdicts if v.priority > best):
        upgrade = data["policy_upgrades"].get(verdict.tag, {})
        assert sorted(verdict.external_libs) == upgrade.get("libs_to_eliminate", []), verdict.tag
    assert cmd_audit([str(wheel)], as_json=False) == 0
    m = CONSISTENT.search(capsys.readouterr().out.splitlines()[0])
    assert m is not None and m.group(1) == shown
    return result


@pytest.mark.parametrize("crate", ["pyo3-pure-abi3", "pyo3-mixed", "bin-only", "cffi-pure",
                                   "bin-pyo3"])
def test_same_tag_as_auditwheel(crate: str, tmp_path: Path, target_dir: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    wheel = build_wheel(CRATES / crate / "Cargo.toml", tmp_path / "dist", target_dir)
    result = assert_same_as_auditwheel(wheel, capsys)
    if crate == "bin-pyo3":  # links libpython: only a repair (dropping it) gives manylinux
        assert result.tag == "linux_x86_64" and result.repair_tag is not None
    else:
        assert result.tag.startswith("manylinux_") and not result.needs_repair


def test_non_whitelisted_system_library(tmp_path: Path, target_dir: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    dev = [Path(d) / "libsqlite3.so" for d in system_search_paths({}).conf]
    # scripts/setup.sh installs Debian's libsqlite3-dev
    assert any(p.exists() for p in dev), "libsqlite3.so is missing: apt-get install libsqlite3-dev"
    crate = copy_crate("bin-sqlite", tmp_path)
    # --compatibility linux: the binary as linked, not repaired (test_repair.py repairs it).
    wheel = build_wheel(crate / "Cargo.toml", tmp_path / "dist", target_dir,
                        "--compatibility", "linux")
    result = assert_same_as_auditwheel(wheel, capsys)
    assert result.tag == "linux_x86_64" and result.repair_tag is not None
    verdict = result.verdict(result.repair_tag)
    assert verdict.status == "repair" and "libsqlite3.so.0" in verdict.external_libs
    assert Path(verdict.external_libs["libsqlite3.so.0"] or "").is_file()
