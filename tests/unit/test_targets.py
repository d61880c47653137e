"""Target decisions that need no other standard library to check: which triples are built
(``--target``, ``CARGO_BUILD_TARGET``), the missing-std error, the cells' names, tags and
extension suffixes, and what cargo, pyo3 and zig are told for another target than the host's.

`has_std` is real: ``RUSTC`` names a script that reports a sysroot made here, holding the
aarch64 standard library's directory and no other."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest
from planfacts import cpython
from test_plans import config
from test_pyo3config import linked, pyo3_project

from rustwheel.config.options import _targets
from rustwheel.config.toolkeys import parse_tool_config
from rustwheel.errors import ConfigError
from rustwheel.options import BuildOptions
from rustwheel.plan.build import plan_cell
from rustwheel.plan.project import Project
from rustwheel.stages.compile import zig
from rustwheel.stages.detect.cells import platforms, resolve_cells

AARCH64 = "aarch64-unknown-linux-gnu"
MUSL = "x86_64-unknown-linux-musl"


@pytest.fixture
def rustc(tmp_path: Path) -> dict[str, str]:
    """An environment whose ``rustc --print sysroot`` is a sysroot with aarch64's std."""
    sysroot = tmp_path / "sysroot"
    (sysroot / "lib" / "rustlib" / AARCH64 / "lib").mkdir(parents=True)
    script = tmp_path / "rustc"
    script.write_text(f"#!/bin/sh\necho {sysroot}\n")
    script.chmod(0o755)
    return {"RUSTC": str(script), "PATH": "/usr/bin:/bin"}


def project(env: dict[str, str], *targets: str, **changes: object) -> Project:
    proj = pyo3_project()
    cfg = config(env=env, targets=targets, **changes)
    return dataclasses.replace(proj, config=cfg,
                               interpreters=(linked(cpython(12)), linked(cpython(13))))


def test_cargo_build_target_is_read_and_target_flags_win() -> None:
    env = {"CARGO_BUILD_TARGET": AARCH64}
    assert _targets(BuildOptions(), env) == (AARCH64,)
    assert _targets(BuildOptions(targets=(MUSL,)), env) == (MUSL,)
    assert _targets(BuildOptions(), {}) == ()


def test_a_target_without_its_std_is_one_error_naming_rustup(rustc: dict[str, str]) -> None:
    with pytest.raises(ConfigError) as error:
        platforms(project(rustc, AARCH64, MUSL))
    assert str(error.value) == (f"--target {MUSL}: the Rust standard library for {MUSL} is not "
                                f"installed; run `rustup target add {MUSL}`")


def test_a_target_other_than_linux_is_refused(rustc: dict[str, str]) -> None:
    with pytest.raises(ConfigError, match="aarch64-apple-darwin"):
        platforms(project(rustc, "aarch64-apple-darwin"))


def test_each_target_gets_cells_with_its_tags_and_suffixes(rustc: dict[str, str]) -> None:
    host = pyo3_project().rustc.host
    cells = resolve_cells(project(rustc, AARCH64, host))
    assert [c.name for c in cells] == [f"cp312-{AARCH64}", f"cp313-{AARCH64}",
                                       f"cp312-{host}", f"cp313-{host}"]
    first = cells[0]
    assert first.tag == "cp312-cp312-linux_aarch64"
    assert first.ext_suffix == ".cpython-312-aarch64-linux-gnu.so"
    assert cells[2].ext_suffix == ".cpython-312-x86_64-linux-gnu.so"
    assert all(c.platform.explicit for c in cells)


def test_another_targets_compile_plan(rustc: dict[str, str]) -> None:
    proj = project(rustc, AARCH64)
    compile_plan = plan_cell(proj, resolve_cells(proj)[0]).compile
    args = list(compile_plan.cargo_args)
    assert args[args.index("--target") + 1] == AARCH64
    assert [u.staged_name for u in compile_plan.units] == ["demo.cpython-312-aarch64-linux-gnu.so"]
    config_file = compile_plan.pyo3_config
    assert config_file is not None
    # The host interpreter's linking facts would be wrong for aarch64: left out.
    assert "lib_dir=" not in config_file.text and "pointer_width=" not in config_file.text
    assert "version=3.12\n" in config_file.text


def test_zig_links_another_target_against_the_old_glibc(rustc: dict[str, str],
                                                        tmp_path: Path) -> None:
    proj = project(rustc, AARCH64, zig=True)
    cell = resolve_cells(proj)[0]
    assert cell.zig is not None and cell.zig.target == "aarch64-linux-gnu.2.17"
    assert cell.zig.python == sys.executable
    env = zig.cargo_env(AARCH64, cell.zig)
    assert env["CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER"] == cell.zig.wrapper
    # manylinux2014 unless --compatibility says otherwise; the repair stage gives the tag.
    assert cell.platform.compatibility.policy == "manylinux_2_17"
    assert cell.platform.zig_glibc == "2.17"
    compile_plan = plan_cell(proj, cell).compile
    assert compile_plan.env.get("CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER") == \
        cell.zig.wrapper



def test_target_tables_are_read_from_either_tool_table() -> None:
    """maturin's ``[tool.maturin.target."<triple>"]`` tables parse the same under either name;
    a key that is not a target setting is one error naming it."""
    table = {"target": {"x86_64-apple-darwin": {"macos-deployment-target": "11.0"}}}
    for name in ("tool.rustwheel", "tool.maturin"):
        assert parse_tool_config(table, name).target == table["target"]
    with pytest.raises(ConfigError, match=r"^pyproject.toml: \[tool.maturin\] target"
                                          r"\.\"x86_64-apple-darwin\"\.linker is not a target "
                                          r"setting; the only one is macos-deployment-target"):
        parse_tool_config({"target": {"x86_64-apple-darwin": {"linker": "cc"}}}, "tool.maturin")
