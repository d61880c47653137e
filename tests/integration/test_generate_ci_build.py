"""The workflow `rustwheel generate-ci github` writes, run here: the `rustwheel build` command
lines of its manylinux x86_64 job (the matrix row's values put in for ``${{ matrix.* }}``) and
the sdist job's command produce the wheels and the sdist. Only the runner's setup (checkout,
setup-python, rustup, pip install rustwheel, the caches) is left out, and CARGO_TARGET_DIR
points cargo at the suite's shared target dir."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import HOST_PLATFORM, copy_crate, run_rustwheel

pytestmark = pytest.mark.slow

EXPRESSION = re.compile(r"\$\{\{\s*matrix\.([\w-]+)\s*\}\}")


def rustwheel_commands(job: dict[str, Any], row: dict[str, Any]) -> list[list[str]]:
    """The job's ``rustwheel ...`` command lines, with the matrix row's values in them."""
    commands = []
    for step in job["steps"]:
        for line in step.get("run", "").splitlines():
            if line.startswith("rustwheel "):
                line = EXPRESSION.sub(lambda m: str(row[m.group(1)]), line)
                commands.append(shlex.split(line))
    return commands


def run_linux_x86_64_job(crate: Path, target_dir: Path) -> list[str]:
    proc = run_rustwheel(["generate-ci", "github"], cwd=crate)
    document = yaml.safe_load(proc.stdout)
    row = next(r for r in document["jobs"]["manylinux"]["strategy"]["matrix"]["include"]
               if r["arch"] == "x86_64")
    commands = (rustwheel_commands(document["jobs"]["manylinux"], row)
                + rustwheel_commands(document["jobs"]["sdist"], {}))
    assert [c[:2] for c in commands] == [["rustwheel", "build"], ["rustwheel", "sdist"]]
    env = {"CARGO_TARGET_DIR": str(target_dir)}
    for command in commands:
        run_rustwheel(command[1:], cwd=crate, env=env)
    return sorted(p.name for p in (crate / "dist").iterdir())


def test_abi3_crate_linux_job_builds_its_cells(tmp_path: Path, target_dir: Path) -> None:
    crate = copy_crate("pyo3-pure-abi3", tmp_path)
    assert run_linux_x86_64_job(crate, target_dir) == [
        f"pyo3_pure_abi3-0.3.0a1-cp39-abi3-{HOST_PLATFORM}.whl", "pyo3_pure_abi3-0.3.0a1.tar.gz"]


def test_bin_crate_linux_job_builds_its_cell(tmp_path: Path, target_dir: Path) -> None:
    crate = copy_crate("bin-only", tmp_path)
    assert run_linux_x86_64_job(crate, target_dir) == [
        f"bin_only-0.2.0-py3-none-{HOST_PLATFORM}.whl", "bin_only-0.2.0.tar.gz"]


def test_zig_linux_job_builds_manylinux2014(tmp_path: Path, target_dir: Path) -> None:
    """With ``zig = true`` the x86_64 row links with zig, as the aarch64 row always does."""
    crate = copy_crate("bin-only", tmp_path)
    with (crate / "pyproject.toml").open("a") as fh:
        fh.write("\n[tool.rustwheel.generate-ci.github]\nzig = true\n")
    arch = HOST_PLATFORM.split("_", 3)[-1]
    assert run_linux_x86_64_job(crate, target_dir) == [
        f"bin_only-0.2.0-py3-none-manylinux_2_17_{arch}.manylinux2014_{arch}.whl",
        "bin_only-0.2.0.tar.gz"]


def test_cross_rows_are_accepted_and_need_only_the_targets_std(tmp_path: Path) -> None:
    """The aarch64 and musllinux rows cannot build here (no standard library for those
    targets), but their command lines parse and fail only on that, with rustup's fix."""
    crate = copy_crate("pyo3-pure-abi3", tmp_path)
    document = yaml.safe_load(run_rustwheel(["generate-ci", "github"], cwd=crate).stdout)
    rows = [(job, r) for job in ("manylinux", "musllinux")
            for r in document["jobs"][job]["strategy"]["matrix"]["include"]
            if r["arch"] != "x86_64" or job == "musllinux"]
    assert [r["target"] for _, r in rows] == ["aarch64-unknown-linux-gnu",
                                              "x86_64-unknown-linux-musl"]
    for job, row in rows:
        command, = rustwheel_commands(document["jobs"][job], row)
        proc = run_rustwheel(command[1:], cwd=crate, check=False)
        assert proc.returncode == 1, proc.stderr
        assert proc.stderr.strip() == (
            f"error: --target {row['target']}: the Rust standard library for {row['target']} "
            f"is not installed; run `rustup target add {row['target']}`")
