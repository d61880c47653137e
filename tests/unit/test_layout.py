"""Where the python sources are (`rustwheel.config.layout`), as maturin resolves them."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest

from rustwheel.config.layout import ProjectLayout, determine_layout
from rustwheel.errors import ConfigError


def _touch(path: Path, text: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _layout(root: Path, module: str, *, source: Optional[str] = None,
            packages: tuple[str, ...] = (), name: Optional[str] = "proj") -> ProjectLayout:
    return determine_layout(project_root=root, module_name=module, python_source=source,
                            python_packages=packages, project_name=name,
                            pyproject_file="pyproject.toml", table="tool.maturin")


def test_src_layout_beside_a_rust_workspace(tmp_path: Path) -> None:
    """pyo3-mixed-workspace: rust/Cargo.toml is the workspace, the package is named by
    python-packages, the module is one of its submodules."""
    _touch(tmp_path / "rust" / "Cargo.toml", "[workspace]\n")
    _touch(tmp_path / "src" / "pkg" / "__init__.py")
    _touch(tmp_path / "src" / "tests" / "__init__.py")
    layout = _layout(tmp_path, "pkg._native", packages=("pkg", "tests"), name="other-name")
    assert (layout.python_dir, layout.mixed, layout.extension_dir) == (tmp_path / "src", True,
                                                                       "pkg")


def test_src_layout_by_project_name_only(tmp_path: Path) -> None:
    _touch(tmp_path / "rust" / "Cargo.toml")
    _touch(tmp_path / "src" / "my_proj" / "__init__.py")
    assert _layout(tmp_path, "my_proj._core", name="my-proj").python_dir == tmp_path / "src"
    # as in maturin, neither the module name nor a project without a name selects src/
    assert _layout(tmp_path, "my_proj._core", name=None).python_dir == tmp_path
    assert _layout(tmp_path, "my_proj._core", name="else").python_dir == tmp_path


def test_no_src_layout_without_rust_cargo_toml(tmp_path: Path) -> None:
    _touch(tmp_path / "src" / "proj" / "__init__.py")
    assert _layout(tmp_path, "proj").python_dir == tmp_path


def test_python_source_without_the_module_package_is_an_error(tmp_path: Path) -> None:
    """maturin's wrong-python-source: python-source set, no package for the module in it."""
    _touch(tmp_path / "python" / "run_this" / "__init__.py")
    with pytest.raises(ConfigError, match=r"python-source = 'python' holds the python "
                                          r"package\(s\) run_this but none named 'proj'"):
        _layout(tmp_path, "proj", source="python")
    assert _layout(tmp_path, "run_this", source="python").mixed
    assert not _layout(tmp_path, "proj", source="python", packages=("run_this",)).mixed
    # a python-source with no package at all is a pure layout (rustwheel's sdists write one)
    (tmp_path / "crate").mkdir()
    assert not _layout(tmp_path, "proj", source="crate").mixed
