"""rustwheel's state files: plain data in, the same data out; anything else reads as None, and
every supported Python reads what another one wrote."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from rustwheel.freshness import statefile

DATA = {"format": 3, "files": {"/p/ä.py": [1, 2, 3, "d" * 64], "/p/gone": None},
        "flags": (True, False), "blob": b"\x00\xff", "ratio": 0.5}


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "s.state"
    statefile.write(path, DATA)
    assert statefile.read(path) == DATA
    assert [p.name for p in tmp_path.iterdir()] == ["s.state"]  # nothing left aside


@pytest.mark.parametrize("damage", ["truncated", "flipped", "json", "empty", "missing"])
def test_a_file_that_is_not_whole_reads_as_none(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "s.state"
    blob = statefile.encode(DATA)
    if damage == "truncated":
        path.write_bytes(blob[:-7])
    elif damage == "flipped":
        path.write_bytes(blob[:-20] + bytes([blob[-20] ^ 1]) + blob[-19:])
    elif damage == "json":
        path.write_text('{"format": 3}')
    elif damage == "empty":
        path.write_bytes(b"")
    assert statefile.read(path) is None


def _pyenv_python(version: str) -> str:
    prefix = subprocess.run(["pyenv", "prefix", version], capture_output=True, text=True,
                            check=True).stdout.strip()
    return f"{prefix}/bin/python"


def test_every_supported_python_reads_another_ones_file(tmp_path: Path) -> None:
    """A store is shared by interpreters of different versions (a build backend runs in the
    target interpreter): the oldest and the newest supported Python read each other's files."""
    repo = Path(statefile.__file__).parents[2]
    script = ("import sys; from pathlib import Path; from rustwheel.freshness import statefile;"
              "p = Path(sys.argv[1]); d = statefile.read(p); assert d == {'v': [1, 'x', None]},"
              " d; statefile.write(Path(sys.argv[2]), {'w': (2, b'y')})")
    path = tmp_path / "a.state"
    statefile.write(path, {"v": [1, "x", None]})
    for version in ("3.8", "3.13"):
        out = tmp_path / f"{version}.state"
        subprocess.run([_pyenv_python(version), "-c", script, str(path), str(out)], check=True,
                       cwd=repo, env={"PYTHONPATH": str(repo)})
        assert statefile.read(out) == {"w": (2, b"y")}
