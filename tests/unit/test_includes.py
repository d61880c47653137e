"""include / exclude parsing and glob semantics (pure; no cargo)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rustwheel.config.includes import GlobSpec, SbomConfig, parse_exclude, parse_include, parse_sbom
from rustwheel.errors import ConfigError
from rustwheel.spec.globs import compile_glob, excluded
from rustwheel.stages.compile.outdir import package_name_of
from rustwheel.stages.wheel.globwalk import walk_glob

W = "pyproject.toml: [tool.maturin] include"


def test_three_forms() -> None:
    specs = parse_include([
        "a/*.txt",
        {"path": "b/**", "format": "wheel"},
        {"path": "c", "format": ["sdist"]},
        {"path": "gen/*.py", "from": "out-dir", "to": "pkg/", "crate-name": "dep"},
    ], W)
    assert specs[0] == GlobSpec("a/*.txt")
    assert specs[1].formats == ("wheel",) and specs[1].for_wheel
    assert not specs[2].for_wheel
    assert specs[3] == GlobSpec("gen/*.py", ("wheel",), out_dir=True, to="pkg", crate_name="dep")


@pytest.mark.parametrize("bad", [
    "../x", "/abs/*.txt", "a/../b", "./a", "", {"path": "x", "format": "egg"},
    {"path": "x", "from": "src-dir", "to": "p"}, {"path": "x", "to": "p", "extra": 1},
    {"path": "x", "from": "out-dir", "to": "../up"}, {"format": "wheel"}, 3,
])
def test_bad_include_entries(bad: object) -> None:
    with pytest.raises(ConfigError, match=r"include"):
        parse_include([bad], W)


def test_exclude_rejects_out_dir() -> None:
    with pytest.raises(ConfigError, match="only allowed in include"):
        parse_exclude([{"path": "x", "from": "out-dir", "to": "p"}], "exclude")


def test_sbom_table() -> None:
    assert parse_sbom({}, "sbom") == SbomConfig()
    assert parse_sbom({"rust": False, "include": ["a.json"]}, "sbom") == \
        SbomConfig(False, ("a.json",))
    for bad in ({"rust": "no"}, {"include": "a.json"}, {"other": 1}, []):
        with pytest.raises(ConfigError):
            parse_sbom(bad, "sbom")


@pytest.mark.parametrize(("pattern", "path", "hit"), [
    ("*.txt", "a.txt", True), ("*.txt", "d/a.txt", False), ("*.txt", ".hidden.txt", True),
    ("d/**/*.txt", "d/a.txt", True), ("d/**/*.txt", "d/x/y/a.txt", True),
    ("d/**", "d/x/y", True), ("**/*.py", "a/b.py", True), ("**/*.py", "b.py", True),
    ("d/?.txt", "d/ab.txt", False), ("d/[ab].txt", "d/b.txt", True),
    ("d/[!ab].txt", "d/b.txt", False), ("d/[!ab].txt", "d/c.txt", True),
])
def test_include_glob(pattern: str, path: str, hit: bool) -> None:
    assert bool(compile_glob(pattern).match(path)) is hit


@pytest.mark.parametrize(("pattern", "path", "hit"), [
    ("*.bak", "python/pkg/notes.bak", True), ("notes.bak", "a/notes.bak", True),
    ("pkg/*.py", "pkg/a.py", True), ("pkg/*.py", "x/pkg/a.py", False),
    ("/pkg/*.py", "pkg/a.py", True), ("**/*_test.py", "python/pkg/x_test.py", True),
    ("pkg/", "pkg/a.py", False),
])
def test_exclude_glob(pattern: str, path: str, hit: bool) -> None:
    assert excluded(pattern, path) is hit


def test_walk_glob(tmp_path: Path) -> None:
    for rel in ("a.txt", "d/b.txt", "d/e/c.txt", "target/x.txt", "d/e/f/g.md"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(rel)
    files, dirs = walk_glob(tmp_path, "**/*.txt", skip=[tmp_path / "target"])
    assert [f.relative_to(tmp_path).as_posix() for f in files] == ["a.txt", "d/b.txt", "d/e/c.txt"]
    assert tmp_path / "target" not in dirs
    files, dirs = walk_glob(tmp_path, "d/*.txt")
    assert [f.relative_to(tmp_path).as_posix() for f in files] == ["d/b.txt"]
    assert dirs == [tmp_path / "d"]  # no deeper than the pattern
    assert walk_glob(tmp_path, "d/e/c.txt")[0] == [tmp_path / "d/e/c.txt"]
    assert walk_glob(tmp_path, "d/e") == ([], [tmp_path / "d"])  # a directory is not a file
    assert walk_glob(tmp_path, "nope/*.txt") == ([], [])


@pytest.mark.parametrize(("pid", "name"), [
    ("path+file:///tmp/x/my-crate#0.1.0", "my-crate"),
    ("path+file:///tmp/checkout#my-crate@0.1.0", "my-crate"),
    ("registry+https://github.com/rust-lang/crates.io-index#pyo3@0.30.1", "pyo3"),
    ("my-crate 0.1.0 (path+file:///tmp/x)", "my-crate"),
])
def test_package_name_of(pid: str, name: str) -> None:
    assert package_name_of(pid) == name


def test_sbom_files_from_the_table_then_the_command_line(tmp_path: Path) -> None:
    from rustwheel.stages.wheel.sbom import _include_files

    for name in ("a.json", "b.json"):
        (tmp_path / name).write_text("{}")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.json").write_text("{}")
    cfg = SbomConfig(include=("a.json",), from_command_line=("a.json", "b.json"))
    items = _include_files(cfg, tmp_path, "x.dist-info/sboms", "pyproject.toml")
    assert [i.archive_path for i in items] == ["x.dist-info/sboms/a.json",
                                               "x.dist-info/sboms/b.json"]
    clash = SbomConfig(include=("a.json",), from_command_line=("sub/a.json",))
    with pytest.raises(ConfigError, match=r"'a.json' \(pyproject.toml sbom.include\) and "
                                          r"'sub/a.json' \(--sbom-include\) have the same"):
        _include_files(clash, tmp_path, "x.dist-info/sboms", "pyproject.toml")
