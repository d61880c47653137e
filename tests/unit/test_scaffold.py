"""`rustwheel new` / `init` planning: the name check, which files each layout has, and their
contents where a build depends on them (pure; the builds are in
tests/integration/test_new_init.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from rustwheel.errors import ConfigError
from rustwheel.scaffold.layout import project_files
from rustwheel.scaffold.names import check_name
from rustwheel.scaffold.spec import ProjectSpec, check_spec
from rustwheel.scaffold.write import existing, write_files

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

COMMON = {".gitignore", "dodo.py", "pyproject.toml"}


@pytest.mark.parametrize("name", ["hello", "my-project", "my_project2", "Hello-World", "a"])
def test_good_names(name: str) -> None:
    assert check_name(name, "--name") == name


@pytest.mark.parametrize("name", ["1abc", "a b", "foo.bar", "-x", "x-", "", "fn", "test",
                                  "class", "std", "ünï", "a/b"])
def test_bad_names(name: str) -> None:
    with pytest.raises(ConfigError, match="is not a valid project name"):
        check_name(name, "--name")


@pytest.mark.parametrize(("spec", "files"), [
    (ProjectSpec("my-ext"), {"Cargo.toml", "src/lib.rs", "tests/test_my_ext.py"}),
    (ProjectSpec("my-ext", mixed=True),
     {"Cargo.toml", "src/lib.rs", "tests/test_my_ext.py", "python/my_ext/__init__.py"}),
    (ProjectSpec("my-ext", mixed=True, src=True),
     {"rust/Cargo.toml", "rust/src/lib.rs", "tests/test_my_ext.py", "src/my_ext/__init__.py"}),
    (ProjectSpec("my-ext", src=True),
     {"rust/Cargo.toml", "rust/src/lib.rs", "tests/test_my_ext.py", "src/my_ext/__init__.py"}),
    (ProjectSpec("my-ext", "cffi"), {"Cargo.toml", "src/lib.rs", "tests/test_my_ext.py"}),
    (ProjectSpec("my-ext", "uniffi"), {"Cargo.toml", "src/lib.rs", "tests/test_my_ext.py"}),
    (ProjectSpec("my-tool", "bin"), {"Cargo.toml", "src/main.rs", "tests/test_my_tool.py"}),
])
def test_files_of_each_layout(spec: ProjectSpec, files: set[str]) -> None:
    assert set(project_files(spec)) == COMMON | files


def test_pyproject_uses_rustwheel_as_backend_and_names_the_layout() -> None:
    spec = ProjectSpec("my-ext", mixed=True, src=True)
    data = tomllib.loads(project_files(spec)["pyproject.toml"])
    assert data["build-system"] == {"requires": ["rustwheel"], "build-backend": "rustwheel"}
    assert data["project"]["name"] == "my-ext"
    assert data["project"]["dynamic"] == ["version"]
    assert data["tool"]["rustwheel"] == {
        "bindings": "pyo3", "manifest-path": "rust/Cargo.toml", "python-source": "src",
        "module-name": "my_ext._my_ext"}


def test_cargo_toml_pins_what_the_test_crates_use() -> None:
    pyo3 = tomllib.loads(project_files(ProjectSpec("e"))["Cargo.toml"])
    assert pyo3["lib"] == {"name": "e", "crate-type": ["cdylib"]}
    assert pyo3["dependencies"]["pyo3"] == {"version": "0.30", "features": ["abi3-py39"]}
    uniffi = tomllib.loads(project_files(ProjectSpec("e", "uniffi"))["Cargo.toml"])
    assert uniffi["dependencies"] == {"uniffi": "0.31"}
    cffi = tomllib.loads(project_files(ProjectSpec("e", "cffi"))["Cargo.toml"])
    assert cffi["dependencies"] == {} and cffi["lib"]["crate-type"] == ["cdylib"]
    binary = tomllib.loads(project_files(ProjectSpec("e", "bin"))["Cargo.toml"])
    assert "lib" not in binary and binary["package"]["name"] == "e"


def test_cffi_projects_depend_on_cffi() -> None:
    data = tomllib.loads(project_files(ProjectSpec("e", "cffi"))["pyproject.toml"])
    assert data["project"]["dependencies"] == ["cffi"]


def test_generated_python_compiles() -> None:
    for spec in (ProjectSpec("e"), ProjectSpec("e", "cffi", mixed=True),
                 ProjectSpec("e", "bin"), ProjectSpec("e", "uniffi", src=True)):
        for path, text in project_files(spec).items():
            if path.endswith(".py"):
                compile(text, path, "exec")


def test_bin_has_no_mixed_layout() -> None:
    with pytest.raises(ConfigError, match="leave out --mixed"):
        check_spec(ProjectSpec("tool", "bin", mixed=True))


def test_write_refuses_before_writing_anything(tmp_path: Path) -> None:
    (tmp_path / "src").write_text("a file where a directory would go")
    (tmp_path / "dodo.py").write_text("mine")
    files = project_files(ProjectSpec("e"))
    assert existing(tmp_path, files) == ["dodo.py", "src/lib.rs"]
    with pytest.raises(ConfigError, match="already has dodo.py, src/lib.rs; nothing was"):
        write_files(tmp_path, files, "rustwheel init")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dodo.py", "src"]


def test_write_writes_every_file(tmp_path: Path) -> None:
    files = project_files(ProjectSpec("e", mixed=True))
    written = write_files(tmp_path, files, "rustwheel new")
    assert {p.relative_to(tmp_path).as_posix() for p in written} == set(files)
    assert all((tmp_path / k).read_text() == v for k, v in files.items())
    assert not list(tmp_path.rglob("*.tmp"))
