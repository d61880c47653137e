"""pyenv's choice of what a shim runs, from files alone, and the files that decided it."""

from __future__ import annotations

from pathlib import Path

import pytest

from rustwheel.host import pyenv


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A pyenv root with 3.11.7, 3.12.0 and 3.12.1 (each with python3 and python3.X)."""
    root = tmp_path / "pyenv"
    (root / "shims").mkdir(parents=True)
    for version in ("3.11.7", "3.12.0", "3.12.1"):
        bin_dir = root / "versions" / version / "bin"
        bin_dir.mkdir(parents=True)
        for name in ("python3", f"python{version.rsplit('.', 1)[0]}"):
            (bin_dir / name).write_text("#!/bin/sh\n")
            (bin_dir / name).chmod(0o755)
    return root


def _choice(root: Path, name: str, cwd: Path, **env: str) -> tuple[str, list[str]] | None:
    return pyenv.choice(root / "shims" / name, name, {"PYENV_ROOT": str(root), **env}, cwd)


def test_global_version_file(root: Path, tmp_path: Path) -> None:
    (root / "version").write_text("3.11.7\n")
    project = tmp_path / "a" / "b"
    project.mkdir(parents=True)
    found = _choice(root, "python3", project)
    assert found is not None
    exe, watched = found
    assert exe == str(root / "versions" / "3.11.7" / "bin" / "python3")
    # every .python-version looked for, absent ones included, then the global file
    assert watched[:3] == [str(project / ".python-version"),
                           str(tmp_path / "a" / ".python-version"),
                           str(tmp_path / ".python-version")]
    assert watched[-3:] == [str(root / "version"), str(root / "versions"), exe]


def test_nearest_python_version_file_wins_and_prefixes_pick_the_newest(root: Path,
                                                                        tmp_path: Path) -> None:
    (root / "version").write_text("3.11.7\n")
    project = tmp_path / "proj" / "sub"
    project.mkdir(parents=True)
    (tmp_path / "proj" / ".python-version").write_text("# comment\n3.12\n")
    found = _choice(root, "python3", project)
    assert found is not None and found[0] == str(root / "versions/3.12.1/bin/python3")
    assert str(root / "version") not in found[1]  # the global file is not consulted
    (project / ".python-version").write_text("3.11.7\n")
    assert _choice(root, "python3", project) == (
        str(root / "versions/3.11.7/bin/python3"), [str(project / ".python-version"),
                                                    str(root / "versions"),
                                                    str(root / "versions/3.11.7/bin/python3")])


def test_pyenv_version_variable_first_and_first_version_with_the_program(
        root: Path, tmp_path: Path) -> None:
    (tmp_path / ".python-version").write_text("3.11.7\n")
    found = _choice(root, "python3.12", tmp_path, PYENV_VERSION="3.11.7:3.12.0")
    assert found is not None and found[0] == str(root / "versions/3.12.0/bin/python3.12")
    assert found[1] == [str(root / "versions"), found[0]]  # the variable is in the stamp's key


def test_system_and_unknown(root: Path, tmp_path: Path) -> None:
    system = tmp_path / "usr-bin"
    system.mkdir()
    (system / "python3").write_text("#!/bin/sh\n")
    (system / "python3").chmod(0o755)
    path = f"{root / 'shims'}:{system}"
    found = _choice(root, "python3", tmp_path, PATH=path)  # no version file: system
    assert found is not None and found[0] == str(system / "python3")
    assert _choice(root, "python3", tmp_path, PYENV_VERSION="3.9.1") is None  # not installed
    assert pyenv.choice(tmp_path / "asdf" / "shims" / "python3", "python3", {}, tmp_path) is None
