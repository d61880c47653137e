"""Interpreters on this machine: ``rustwheel list-python``, ``-i`` values resolved through
pyenv's installs when its shims cannot run them, ``-f`` planning one cell per interpreter
found (one for all of an abi3 build's). The interpreters are the machine's own (pyenv's
versions, Debian's pypy3); what is not installed is skipped."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest
from conftest import CRATES, PYENV_VERSIONS, copy_crate, pyenv_python

from rustwheel import ui
from rustwheel.config.options import resolve_config
from rustwheel.errors import ConfigError
from rustwheel.options import BuildOptions
from rustwheel.stages.detect import make_plan

pytestmark = pytest.mark.slow

Run = Callable[..., "subprocess.CompletedProcess[str]"]
MIXED = CRATES / "pyo3-mixed" / "Cargo.toml"



def test_list_python_lists_pyenvs_versions_and_pypy(rustwheel: Run) -> None:
    expected = {f"cp3{m}" for m in range(8, 14)}
    text = rustwheel(["list-python"]).stdout
    rows = [line.split() for line in text.splitlines()]
    assert all(len(row) == 5 for row in rows), text
    assert expected <= {row[0] for row in rows}, text
    for tag, version, implementation, path, source in rows:
        assert re.fullmatch(r"(cp3\d+[mt]?|pp3\d+)", tag) and version.startswith("3.")
        assert implementation in ("cpython", "pypy") and Path(path).is_file()
        assert source in ("PATH", "pyenv", "uv")
    listed = json.loads(rustwheel(["list-python", "--json"]).stdout)
    assert [(e["tag"], e["version"], e["path"], e["source"]) for e in listed] == \
        [(r[0], r[1], r[3], r[4]) for r in rows]
    pypy = shutil.which("pypy3")
    assert pypy is not None, "pypy3 is not installed (scripts/setup.sh installs it)"
    (entry,) = [e for e in listed if e["implementation"] == "pypy"]
    assert os.path.realpath(entry["path"]) == os.path.realpath(pypy)
    assert entry["python_tag"] == entry["tag"] and entry["tag"].startswith("pp3")
    assert entry["abi_tag"] == f"pypy{entry['tag'][2:]}_pp73"
    assert entry["ext_suffix"] == f".pypy{entry['tag'][2:]}-pp73-x86_64-linux-gnu.so"



def test_a_reader_leaving_early_is_no_traceback() -> None:
    """``rustwheel list-python | head -1``: the pipe closes before everything was written
    (here before anything was: ``true`` reads nothing)."""
    code = "import sys; from rustwheel.cli import main; sys.exit(main(['list-python']))"
    proc = subprocess.run(f"'{sys.executable}' -c \"{code}\" | true", shell=True,
                          capture_output=True, text=True, check=False,
                          executable="/bin/bash")
    assert proc.stderr == "", proc.stderr

def test_versions_and_names_through_pyenvs_installs(rustwheel: Run, target_dir: Path,
                                                    tmp_path: Path) -> None:
    """``-i 3.12 -i python3.10``: pyenv's shims on PATH cannot run them (only the global
    version), its installs can; both wheels install into their interpreter's venv."""
    pythons = {"cp312": pyenv_python(12), "cp310": pyenv_python(10)}
    proc = rustwheel(["build", "-m", str(MIXED), "-o", str(tmp_path / "out"), "--target-dir",
                      str(target_dir), "-i", "3.12", "-i", "python3.10"])
    wheels = [Path(line) for line in proc.stdout.splitlines() if line.endswith(".whl")]
    assert [w.name.split("-")[2:4] for w in wheels] == [["cp312", "cp312"], ["cp310", "cp310"]]
    for wheel in wheels:
        python = pythons[wheel.name.split("-")[2]]
        venv = tmp_path / wheel.name.split("-")[2]
        subprocess.run([str(python), "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps",
                        "--disable-pip-version-check", str(wheel)], check=True)
        out = subprocess.run([str(venv / "bin" / "python"), "-c",
                              "import sys, mixed_pkg; "
                              "print(sys.version_info[1], mixed_pkg.sum_as_string(2, 3))"],
                             capture_output=True, text=True, check=True).stdout
        assert out.split() == [python.name.removeprefix("python3."), "5"]


def test_an_interpreter_found_nowhere_is_one_error(rustwheel: Run, target_dir: Path) -> None:
    proc = rustwheel(["build", "-m", str(MIXED), "--target-dir", str(target_dir), "-i", "3.99"],
                     check=False)
    assert proc.returncode == 1
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("error: interpreter '3.99' (from -i/--interpreter) was not found")
    assert str(PYENV_VERSIONS) in line and "pyenv install 3.99" in line


def _plan_cells(manifest: Path, target_dir: Path) -> tuple[list[str], list[str]]:
    """(the cell names of ``-f``'s plan, the warnings given while planning)."""
    cfg = resolve_config(BuildOptions(manifest_path=str(manifest), find_interpreter=True,
                                      target_dir=str(target_dir)))
    with ui.collecting() as warnings:
        plan = make_plan(cfg)
    return [c.name.removesuffix("-x86_64-unknown-linux-gnu") for c in plan.cells], warnings


def test_find_interpreter_plans_what_requires_python_and_pyo3_allow(target_dir: Path) -> None:
    cells, warnings = _plan_cells(MIXED, target_dir)  # requires-python >= 3.9, pyo3 0.30
    assert {f"cp3{m}" for m in range(9, 14)} <= set(cells)
    assert not {"cp37m", "cp38"} & set(cells)
    pypy = shutil.which("pypy3")
    if pypy is not None:  # Debian's is PyPy 3.9; pyo3 0.30 supports 3.11 and 3.12
        (warning,) = [w for w in warnings if "PyPy" in w]
        assert warning.startswith("-f/--find-interpreter skipped PyPy 3.9 (")
        assert warning.endswith("pyo3 0.30.1 supports CPython 3.9 to 3.15 and PyPy 3.11 to 3.12")


def test_find_interpreter_with_abi3_plans_one_cell(target_dir: Path) -> None:
    cells, warnings = _plan_cells(CRATES / "pyo3-pure-abi3" / "Cargo.toml", target_dir)
    assert cells == ["cp39-abi3"]  # PyPy and older versions are left out, as maturin does
    assert warnings == []


def test_find_interpreter_finding_nothing_allowed_is_one_error(tmp_path: Path,
                                                               target_dir: Path) -> None:
    crate = copy_crate("pyo3-mixed", tmp_path)
    pyproject = crate / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('">=3.9"', '">=3.99"'))
    with pytest.raises(ConfigError, match=r"^-f/--find-interpreter found no interpreter that "
                                          r"requires-python '>=3.99' and pyo3 0.30.1 allow "
                                          r"\(found: CPython 3\.\d+.*-i/--interpreter$"):
        _plan_cells(crate / "Cargo.toml", target_dir)
