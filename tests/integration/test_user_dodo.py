"""rustwheel's graph in a user's own dodo.py, run with plain doit as doit users expect."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, copy_crate, pyenv_python

pytestmark = pytest.mark.slow

USER_DODO = '''\
from rustwheel.tasks import DOIT_CONFIG, wheel_tasks

def task_wheel():
    yield from wheel_tasks(release=True, out="dist")
'''

# The user's own task: runs after the wheel, and again only when a wheel was rewritten.
USER_TASK = '''
from doit.tools import result_dep

def record(wheels):
    with open("test-runs.txt", "a") as fh:
        fh.write(" ".join(sorted(wheels.values())) + "\\n")

def task_test():
    return {"actions": [record], "getargs": {"wheels": ("wheel", "wheel")},
            "uptodate": [result_dep("wheel")], "verbosity": 2}
'''


def _doit(crate: Path, target: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["CARGO_TARGET_DIR"] = str(target)
    env["VIRTUAL_ENV"] = sys.prefix  # the interpreter the wheel is built for
    proc = subprocess.run([sys.executable, "-m", "doit", *args], cwd=crate, env=env, text=True,
                          capture_output=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def _ran(proc: subprocess.CompletedProcess[str]) -> set[str]:
    """Tasks doit executed (``.  name``), as opposed to up to date (``-- name``)."""
    return {line[3:].strip() for line in proc.stdout.splitlines() if line.startswith(".  ")}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    crate = copy_crate("pyo3-pure-abi3", tmp_path)
    (crate / "dodo.py").write_text(USER_DODO + USER_TASK)
    return crate


def test_user_dodo_builds_lists_and_rebuilds(project: Path, target_dir: Path) -> None:
    listed = _doit(project, target_dir, "list", "--all").stdout.split()
    cell = next(n.split(":", 1)[1] for n in listed if n.startswith("compile:"))
    stages = {"detect", f"compile:{cell}", f"repair:{cell}", f"wheel:{cell}"}
    assert stages | {"test"} <= set(listed), listed

    first = _doit(project, target_dir)
    assert stages | {"test"} <= _ran(first), first.stdout
    wheels = sorted((project / "dist").glob("*.whl"))
    assert len(wheels) == 1 and zipfile.ZipFile(wheels[0]).testzip() is None
    # The user's task ran after the wheel existed, and got its path.
    assert (project / "test-runs.txt").read_text().split() == [str(wheels[0])]
    assert (project / ".doit.sqlite3").is_file()

    again = _doit(project, target_dir)
    assert _ran(again) == set(), again.stdout
    assert len((project / "test-runs.txt").read_text().splitlines()) == 1

    info = _doit(project, target_dir, "info", f"wheel:{cell}").stdout
    assert "wheel-plan.json" in info and "src/lib.rs" not in info  # sources: via compile

    _doit(project, target_dir, "forget", "--all")
    forgotten = _doit(project, target_dir)
    assert stages <= _ran(forgotten), forgotten.stdout
    assert wheels[0].is_file()


def test_user_dodo_clean_and_parallel(project: Path, target_dir: Path) -> None:
    _doit(project, target_dir)
    wheel = next((project / "dist").glob("*.whl"))
    _doit(project, target_dir, "clean")
    assert not wheel.exists()  # doit clean removes what the stages wrote, the wheel too
    parallel = _doit(project, target_dir, "-n", "2")
    assert {"detect", "test"} <= _ran(parallel), parallel.stdout
    assert wheel.is_file()
    # The user's task saw the rewritten wheel once more.
    assert len((project / "test-runs.txt").read_text().splitlines()) == 2


def test_user_dodo_matrix_cells_listed_and_run_in_parallel(tmp_path: Path, target_dir: Path,
                                                           ) -> None:
    """A matrix in a user's dodo.py: one task per stage and cell in ``doit list``, both
    cells built by ``doit -n 2``, each wheel for its interpreter."""
    crate = copy_crate("pyo3-matrix", tmp_path)
    pythons = [sys.executable, str(pyenv_python(12))]
    (crate / "dodo.py").write_text(
        "from rustwheel.tasks import DOIT_CONFIG, wheel_tasks\n\n"
        "def task_wheel():\n"
        f"    yield from wheel_tasks(interpreters={pythons!r}, out='dist',\n"
        "                           compatibility='linux')\n")
    listed = set(_doit(crate, target_dir, "list", "--all").stdout.split())
    cells = {n.split(":", 1)[1] for n in listed if n.startswith("compile:")}
    assert {c.split("-")[0] for c in cells} == {"cp311", "cp312"}, listed
    assert {f"wheel:{c}" for c in cells} <= listed  # (no repair stage with "linux")
    run = _doit(crate, target_dir, "-n", "2")
    assert {f"wheel:{c}" for c in cells} <= _ran(run), run.stdout
    tags = sorted(w.name.split("-")[2] for w in (crate / "dist").glob("*.whl"))
    assert tags == ["cp311", "cp312"]
