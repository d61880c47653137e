"""The doit recipe from the README, run on the example crate: build the wheel with rustwheel's
tasks, then install it into a fresh virtual env and run the example's tests against it.

    doit list                 # detect, compile:<cell>, repair:<cell>, wheel:<cell>, test
    doit                      # build the wheel (only what changed), then test it
    doit info wheel:<cell>    # a stage's inputs and outputs
"""

from __future__ import annotations

import subprocess
import tempfile
import venv
from pathlib import Path

from doit.tools import result_dep

from rustwheel.tasks import DOIT_CONFIG, wheel_tasks  # noqa: F401  (doit reads DOIT_CONFIG)

EXAMPLE = Path("examples/hello")


def task_wheel():  # type: ignore[no-untyped-def]
    yield from wheel_tasks(manifest_path=str(EXAMPLE / "Cargo.toml"), release=True, out="dist")


def install_and_test(wheels: dict[str, str]) -> None:
    """Install every wheel built into a fresh venv and run the example's tests there."""
    with tempfile.TemporaryDirectory() as tmp:
        venv.EnvBuilder(with_pip=True).create(tmp)
        python = str(Path(tmp) / "bin" / "python")
        subprocess.run([python, "-m", "pip", "install", "-q", *wheels.values()], check=True)
        subprocess.run([python, str(EXAMPLE / "tests" / "test_hello.py")], check=True)


def task_test():  # type: ignore[no-untyped-def]
    """Test the installed wheel (again only when a wheel was rewritten or a test changed)."""
    return {
        "actions": [install_and_test],
        "getargs": {"wheels": ("wheel", "wheel")},
        "file_dep": [str(EXAMPLE / "tests" / "test_hello.py")],
        "uptodate": [result_dep("wheel")],
        "verbosity": 2,
    }

