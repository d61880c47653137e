"""The cargo workspace root as cargo finds it from the manifests (bounds the pyproject.toml
search of -m/--manifest-path), and the pyproject.toml found for a workspace member."""

from __future__ import annotations

from pathlib import Path

from rustwheel.config.options import _project_of_manifest
from rustwheel.config.workspace import workspace_root

PKG = '[package]\nname = "{}"\nversion = "0.1.0"\n'


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_a_crate_alone_is_its_own_root(tmp_path: Path) -> None:
    assert workspace_root(_write(tmp_path / "a" / "Cargo.toml", PKG.format("a"))) == tmp_path / "a"


def test_the_nearest_ancestor_workspace_is_the_root(tmp_path: Path) -> None:
    _write(tmp_path / "rust" / "Cargo.toml", '[workspace]\nmembers = ["python/*"]\n')
    member = _write(tmp_path / "rust" / "python" / "m" / "Cargo.toml", PKG.format("m"))
    assert workspace_root(member) == tmp_path / "rust"


def test_an_excluded_crate_and_a_declared_workspace(tmp_path: Path) -> None:
    _write(tmp_path / "Cargo.toml", '[workspace]\nexclude = ["out"]\n')
    out = _write(tmp_path / "out" / "x" / "Cargo.toml", PKG.format("x"))
    assert workspace_root(out) == out.parent
    elsewhere = _write(tmp_path / "ws" / "Cargo.toml", "[workspace]\n")
    declared = _write(tmp_path / "out" / "y" / "Cargo.toml",
                      PKG.format("y") + 'workspace = "../../ws"\n')
    assert workspace_root(declared) == elsewhere.parent


def test_pyproject_of_a_member_deep_in_a_rust_workspace(tmp_path: Path) -> None:
    """pyo3-mixed-workspace's shape: pyproject.toml beside rust/, the crate two levels below
    the workspace root; found up to the parent of the workspace root, as maturin does."""
    _write(tmp_path / "rust" / "Cargo.toml", '[workspace]\nmembers = ["python/*"]\n')
    member = _write(tmp_path / "rust" / "python" / "m" / "Cargo.toml", PKG.format("m"))
    _write(tmp_path / "pyproject.toml",
           '[project]\nname = "m"\n[tool.maturin]\nmanifest-path = "rust/python/m/Cargo.toml"\n')
    manifest, pyproject = _project_of_manifest(member)
    assert pyproject is not None and pyproject.path == tmp_path / "pyproject.toml"


def test_no_pyproject_above_the_workspace_parent(tmp_path: Path) -> None:
    _write(tmp_path / "pyproject.toml", '[project]\nname = "outer"\n')
    member = _write(tmp_path / "a" / "b" / "Cargo.toml", PKG.format("b"))
    assert _project_of_manifest(member) == (member, None)
