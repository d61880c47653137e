"""`rustwheel generate-ci github`: the settings, the matrix of rustwheel cells, the YAML
writer, and the workflow for real test crates (`cargo metadata` only, nothing compiles; the
workflow's build commands run in tests/integration/test_generate_ci_build.py)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import CRATES, REPO, run_rustwheel

from rustwheel.ci import github
from rustwheel.ci.matrix import CrateFacts, interpreters, matrix
from rustwheel.ci.settings import CliChoices, parse_settings
from rustwheel.ci.yaml import dump
from rustwheel.errors import ConfigError

WHERE = "pyproject.toml: [tool.rustwheel.generate-ci.github]"
ABI3 = CrateFacts(name="ext", bindings="pyo3", per_interpreter=False, abi3=(3, 9),
                  requires_python=">=3.9")
VERSIONED = CrateFacts(name="ext", bindings="pyo3", per_interpreter=True,
                       requires_python=">=3.10")
BIN = CrateFacts(name="tool", bindings="bin", per_interpreter=False)


def workflow_of(args: list[str]) -> dict[str, Any]:
    proc = run_rustwheel(["generate-ci", "github", *args])
    document = yaml.safe_load(proc.stdout)
    assert isinstance(document, dict)
    return document


def rows(document: dict[str, Any], job: str) -> list[dict[str, Any]]:
    return list(document["jobs"][job]["strategy"]["matrix"]["include"])


# --- the workflow of real crates ------------------------------------------------------------

def test_pyo3_abi3_crate_matrix() -> None:
    document = workflow_of(["-m", str(CRATES / "pyo3-pure-abi3" / "Cargo.toml")])
    assert set(document["jobs"]) == {"manylinux", "musllinux", "sdist", "release"}
    manylinux = rows(document, "manylinux")
    assert [(r["arch"], r["cells"], r["runner"]) for r in manylinux] == [
        ("x86_64", "cp39-abi3-x86_64-unknown-linux-gnu", "ubuntu-22.04"),
        ("aarch64", "cp39-abi3-aarch64-unknown-linux-gnu", "ubuntu-22.04")]
    assert manylinux[0]["args"].startswith(
        "--target x86_64-unknown-linux-gnu -i 3.9 --compatibility pypi -m ")
    assert manylinux[1]["args"].startswith("--target aarch64-unknown-linux-gnu -i 3.9 --zig -m ")
    musl, = rows(document, "musllinux")
    assert musl["cells"] == "cp39-abi3-x86_64-unknown-linux-musl"
    assert "--compatibility musllinux_1_2" in musl["args"]
    assert musl["args"].endswith("-- -C target-feature=-crt-static")
    install = next(s for s in document["jobs"]["manylinux"]["steps"]
                   if s.get("name") == "Install rustwheel")
    assert install["run"] == "python -m pip install 'rustwheel[zig]'"


def test_bin_crate_matrix() -> None:
    document = workflow_of(["-m", str(CRATES / "bin-only" / "Cargo.toml")])
    assert [(r["cells"], r["python"]) for r in rows(document, "manylinux")] == [
        ("py3-x86_64-unknown-linux-gnu", "3.x"), ("py3-aarch64-unknown-linux-gnu", "3.x")]
    assert all(" -i " not in r["args"] for r in rows(document, "manylinux"))
    musl, = rows(document, "musllinux")
    assert musl["cells"] == "py3-x86_64-unknown-linux-musl" and "crt-static" not in musl["args"]


def test_every_job_caches_the_store_and_cargos_registry() -> None:
    document = workflow_of(["-m", str(CRATES / "bin-only" / "Cargo.toml")])
    for name in ("manylinux", "musllinux", "sdist"):
        steps = document["jobs"][name]["steps"]
        caches = [s["with"] for s in steps if s.get("uses") == "actions/cache@v4"]
        assert [c["path"] for c in caches] == [
            "~/.cargo/registry/index/\n~/.cargo/registry/cache/\n~/.cargo/git/db/\n",
            "${{ env.RUSTWHEEL_CACHE_DIR }}"], name
        assert any("RUSTWHEEL_CACHE_DIR=" in s.get("run", "") for s in steps), name
    env = document["env"]
    assert env["RUSTWHEEL_REMOTE_CACHE"] == "${{ secrets.RUSTWHEEL_REMOTE_CACHE }}"
    read_only = env["RUSTWHEEL_REMOTE_CACHE_READ_ONLY"]
    assert "startsWith(github.ref, 'refs/tags/')" in read_only and "default_branch" in read_only
    assert read_only.endswith("&& '0' || '1' }}")


def test_release_job_publishes_with_trusted_publishing() -> None:
    document = workflow_of(["-m", str(CRATES / "bin-only" / "Cargo.toml")])
    release = document["jobs"]["release"]
    assert release["needs"] == ["manylinux", "musllinux", "sdist"]
    assert release["if"] == "startsWith(github.ref, 'refs/tags/')"
    assert release["permissions"]["id-token"] == "write"
    publish = release["steps"][-1]
    assert publish["run"] == "rustwheel upload --skip-existing dist/*" and "env" not in publish
    uploads = [s["with"]["name"] for job in ("manylinux", "musllinux", "sdist")
               for s in document["jobs"][job]["steps"]
               if s.get("uses") == "actions/upload-artifact@v4"]
    assert uploads == ["wheels-manylinux-${{ matrix.arch }}",
                       "wheels-musllinux-${{ matrix.arch }}", "wheels-sdist"]


def test_output_file_and_config_table(tmp_path: Path) -> None:
    crate = tmp_path / "bin-only"
    shutil.copytree(CRATES / "bin-only", crate, ignore=shutil.ignore_patterns("target"))
    with (crate / "pyproject.toml").open("a") as fh:
        fh.write('\n[tool.maturin.generate-ci.github]\npytest = true\n'
                 'trusted-publishing = false\npublishing-environment = "pypi"\n'
                 '[tool.maturin.generate-ci.github.linux]\ntargets = ["x86_64"]\n')
    out = tmp_path / "release.yml"
    proc = run_rustwheel(["generate-ci", "github", "-o", str(out)], cwd=crate)
    assert proc.stdout == ""
    document = yaml.safe_load(out.read_text())
    assert set(document["jobs"]) == {"manylinux", "sdist", "release"}
    row, = rows(document, "manylinux")
    assert row["pytest"] is True
    release = document["jobs"]["release"]
    assert release["environment"] == "pypi"
    assert release["steps"][-1]["env"] == {"RUSTWHEEL_PYPI_TOKEN": "${{ secrets.PYPI_API_TOKEN }}"}
    assert out.read_text().startswith("# Generated by rustwheel")


@pytest.mark.parametrize(("table", "message"), [
    ("[tool.rustwheel.generate-ci.github.macos]\n", "macos is not covered: rustwheel builds "
     "on Linux only"),
    ("[tool.rustwheel.generate-ci.github]\nplatforms = [\"windows\"]\n",
     "windows is not covered: rustwheel builds on Linux only"),
    ("[tool.rustwheel.generate-ci.github]\nsccache = true\n", "has unknown key 'sccache'"),
    ("[tool.rustwheel.generate-ci.github.linux]\ncontainer = \"x\"\n", "not in a container"),
    ("[tool.rustwheel.generate-ci.github.linux]\ntargets = [\"armv7\"]\n",
     "architecture 'armv7' is not covered"),
])
def test_config_errors_are_one_line(tmp_path: Path, table: str, message: str) -> None:
    crate = tmp_path / "bin-only"
    shutil.copytree(CRATES / "bin-only", crate, ignore=shutil.ignore_patterns("target"))
    text = (crate / "pyproject.toml").read_text()
    (crate / "pyproject.toml").write_text(text + "\n[tool.rustwheel]\n" + table)
    proc = run_rustwheel(["generate-ci", "github"], cwd=crate, check=False)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: "), proc.stderr
    assert message in proc.stderr


@pytest.mark.parametrize("platform", ["macos", "windows"])
def test_platform_flag_is_linux_only(platform: str, tmp_path: Path) -> None:
    proc = run_rustwheel(["generate-ci", "github", "--platform", platform], cwd=tmp_path,
                         check=False)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr == (f"error: --platform: {platform} is not covered: rustwheel builds "
                           "on Linux only, so its workflow has manylinux and musllinux jobs "
                           "(x86_64, aarch64) and the sdist; build "
                           f"{platform} wheels with another tool (e.g. maturin generate-ci) "
                           f"and leave {platform} out here\n")


def test_generate_ci_is_not_imported_by_a_build() -> None:
    code = ("import sys, rustwheel.cli as c; c.parser(); "
            "print(sorted(m for m in sys.modules if m.startswith(('rustwheel.ci', "
            "'rustwheel.scaffold', 'rustwheel.commands.new', 'rustwheel.commands.generate'))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, text=True,
                         capture_output=True, check=True).stdout
    assert out.strip() == "[]"


# --- pure parts -------------------------------------------------------------------------------

def test_interpreters_follow_requires_python_pyo3_and_abi3() -> None:
    assert interpreters(ABI3) == ((3, 9),)
    assert interpreters(VERSIONED) == ((3, 10), (3, 11), (3, 12), (3, 13), (3, 14))
    narrow = CrateFacts("ext", "pyo3", True, cpython=((3, 7), (3, 12)))
    assert interpreters(narrow) == ((3, 9), (3, 10), (3, 11), (3, 12))
    with pytest.raises(ConfigError, match="widen requires-python"):
        interpreters(CrateFacts("ext", "pyo3", True, requires_python=">=3.20"))


def test_versioned_matrix_has_a_cell_per_interpreter() -> None:
    settings = parse_settings({"zig": True, "args": "-F fast"}, CliChoices(("linux",)), WHERE)
    entries = matrix(VERSIONED, settings, WHERE)
    assert list(entries) == ["manylinux"]
    x86, arm = entries["manylinux"]
    assert x86.cells == tuple(f"cp3{m}-x86_64-unknown-linux-gnu" for m in range(10, 15))
    assert x86.args == ("--target", "x86_64-unknown-linux-gnu", "-i", "3.10", "3.11", "3.12",
                        "3.13", "3.14", "--zig", "-F", "fast")
    assert x86.zig and arm.zig and x86.native and not arm.native


def test_target_overrides_and_policies() -> None:
    table = {"linux": {"manylinux": "2_28", "target": [
        {"arch": "aarch64", "runner": "ubuntu-24.04-arm", "args": "--strip"}]},
        "musllinux": {"targets": ["aarch64"]}}
    settings = parse_settings(table, CliChoices(), WHERE)
    arm, = matrix(ABI3, settings, WHERE)["manylinux"]
    assert arm.native and not arm.zig and arm.runner == "ubuntu-24.04-arm"
    assert arm.args[-3:] == ("--compatibility", "2_28", "--strip")
    musl_arm, = matrix(ABI3, settings, WHERE)["musllinux"]
    assert musl_arm.runner == "ubuntu-24.04-arm" and musl_arm.native
    with pytest.raises(ConfigError, match="is not a manylinux policy"):
        matrix(ABI3, parse_settings({"linux": {"manylinux": "musllinux_1_2"}}, CliChoices(),
                                    WHERE), WHERE)
    with pytest.raises(ConfigError, match="needs a runner of that architecture"):
        matrix(ABI3, parse_settings({"musllinux": {"targets": ["aarch64"],
                                                   "runner": "ubuntu-22.04"}},
                                    CliChoices(), WHERE), WHERE)


def test_cli_flags_turn_options_on() -> None:
    settings = parse_settings({}, CliChoices(("all",), True, True, True), WHERE)
    assert [p.name for p in settings.platforms] == ["manylinux", "musllinux"]
    assert settings.pytest and settings.zig and settings.skip_attestation
    release = github.release_job(settings, ["manylinux"])
    assert all(s.get("uses") != "actions/attest-build-provenance@v2" for s in release["steps"])
    assert release["permissions"] == {"contents": "read", "id-token": "write"}


def test_yaml_round_trips() -> None:
    document = {"on": {"push": {"tags": ["*"]}, "pull_request": None},
                "a": "${{ x == 'y' }}", "b": "3.10", "c": "--flag", "d": "x: y",
                "e": "two\nlines\n", "f": "no newline\nat the end", "g": [{"h": True, "i": 2}],
                "j": "it's \"quoted\"", "k": {}, "m": []}
    assert yaml.safe_load(dump(document, ["comment"])) == document
