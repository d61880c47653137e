"""rustwheel sdist / build --sdist on real crates: what the archive holds, that it is byte-for-byte
reproducible, and that a wheel built offline from the unpacked sdist installs and works."""

from __future__ import annotations

import gzip
import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest
from conftest import CRATES, Venv, copy_crate, run_rustwheel


def _names(sdist: Path) -> list[str]:
    with tarfile.open(sdist) as tar:
        return tar.getnames()


def _read(sdist: Path, name: str) -> str:
    with tarfile.open(sdist) as tar:
        member = tar.extractfile(name)
        assert member is not None
        return member.read().decode("utf-8")


@pytest.mark.slow
def test_workspace_member_with_path_dependency_builds_offline_from_its_sdist(
        tmp_path: Path, target_dir: Path, session_venv: Venv) -> None:
    """member-ext lives in a workspace and depends on helper-lib by path: the sdist carries both
    crates, the workspace manifest and lock, and pyproject.toml moved to the top; the wheel is
    built from the unpacked sdist with cargo --offline."""
    workspace = copy_crate("workspace", tmp_path)
    manifest = workspace / "member-ext" / "Cargo.toml"
    out = tmp_path / "out"
    proc = run_rustwheel(["build", "--sdist", "--offline", "-m", str(manifest), "-o", str(out),
                          "--target-dir", str(target_dir), "-i", str(session_venv.python)])
    lines = proc.stdout.splitlines()
    sdist, wheel = Path(lines[0]), Path(lines[-1])
    assert sdist == out / "member_ext-0.4.0.tar.gz" and wheel.suffix == ".whl", proc.stdout
    assert "rustwheel/sdist/member_ext-0.4.0/" in proc.stderr  # cargo built the unpacked copy
    assert "  ran         sdist" in proc.stderr  # the sdist is a task of the same graph

    names = _names(sdist)
    top = "member_ext-0.4.0"
    assert names[0] == f"{top}/PKG-INFO"
    assert names[1:] == sorted(names[1:])
    assert set(names) == {f"{top}/{n}" for n in (
        "PKG-INFO", "Cargo.toml", "Cargo.lock", "pyproject.toml", "member-ext/Cargo.toml",
        "member-ext/src/lib.rs", "helper-lib/Cargo.toml", "helper-lib/src/lib.rs")}
    pyproject = _read(sdist, f"{top}/pyproject.toml")
    assert 'manifest-path = "member-ext/Cargo.toml"' in pyproject
    assert 'members = ["helper-lib", "member-ext"]' in _read(sdist, f"{top}/Cargo.toml")
    with tarfile.open(sdist) as tar:
        assert {(m.uid, m.gid, m.uname, m.gname) for m in tar.getmembers()} == {(0, 0, "", "")}

    # PEP 643: nothing is marked dynamic, so the wheel's METADATA is the PKG-INFO.
    with zipfile.ZipFile(wheel) as zf:
        metadata = zf.read("member_ext-0.4.0.dist-info/METADATA").decode("utf-8")
    assert metadata == _read(sdist, f"{top}/PKG-INFO")
    session_venv.install(wheel, force=True)
    assert session_venv.run_python("import member_ext; print(member_ext.answer())") == "42\n"

    # Byte-identical when written again (another output directory, another copy).
    again = copy_crate("workspace", tmp_path / "again")
    proc = run_rustwheel(["sdist", "-m", str(again / "member-ext" / "Cargo.toml"),
                          "-o", str(tmp_path / "out2")])
    assert Path(proc.stdout.strip()).read_bytes() == sdist.read_bytes()


def test_mixed_sdist_contents_and_source_date_epoch(tmp_path: Path) -> None:
    """pyo3-mixed: python sources, readme, Cargo.lock; SOURCE_DATE_EPOCH sets every mtime and
    the gzip header carries no time, so equal inputs give equal bytes."""
    crate = copy_crate("pyo3-mixed", tmp_path)
    sdists = []
    for epoch, out in (("1700000000", "a"), ("1700000000", "b"), ("1600000000", "c")):
        proc = run_rustwheel(["sdist", "-m", str(crate / "Cargo.toml"), "-o",
                              str(tmp_path / out)], env={"SOURCE_DATE_EPOCH": epoch})
        sdists.append(Path(proc.stdout.strip()))
    assert sdists[0].read_bytes() == sdists[1].read_bytes() != sdists[2].read_bytes()
    with gzip.open(sdists[0]) as gz:
        gz.read(1)
    with tarfile.open(sdists[0]) as tar:
        assert {m.mtime for m in tar.getmembers()} == {1700000000}
    top = "pyo3_mixed-1.2.0"
    assert {f"{top}/{n}" for n in ("PKG-INFO", "Cargo.toml", "Cargo.lock", "README.md",
                                   "pyproject.toml", "src/lib.rs",
                                   "python/mixed_pkg/__init__.py", "python/mixed_pkg/cli.py")} \
        == set(_names(sdists[0]))
    assert "Metadata-Version: 2.4\nName: pyo3-mixed\nVersion: 1.2.0\n" in \
        _read(sdists[0], f"{top}/PKG-INFO")


def test_sdist_include_exclude_with_format(tmp_path: Path) -> None:
    """``include``/``exclude`` entries with ``format = "sdist"`` apply to the sdist only."""
    crate = copy_crate("pyo3-mixed", tmp_path)
    (crate / "notes").mkdir()
    (crate / "notes" / "design.txt").write_text("sdist only\n")
    (crate / "python" / "mixed_pkg" / "scratch.py").write_text("# not shipped\n")
    with (crate / "pyproject.toml").open("a") as fh:
        fh.write('include = [{ path = "notes/*.txt", format = "sdist" }]\n'
                 'exclude = [{ path = "python/mixed_pkg/scratch.py", format = "sdist" }]\n')
    proc = run_rustwheel(["sdist", "-m", str(crate / "Cargo.toml"), "-o", str(tmp_path / "o")])
    names = _names(Path(proc.stdout.strip()))
    assert "pyo3_mixed-1.2.0/notes/design.txt" in names
    assert "pyo3_mixed-1.2.0/python/mixed_pkg/scratch.py" not in names


def test_sdist_generator_git(tmp_path: Path) -> None:
    """``sdist-generator = "git"``: exactly the files git tracks (plus PKG-INFO)."""
    crate = tmp_path / "crate"
    shutil.copytree(CRATES / "pyo3-mixed", crate, ignore=shutil.ignore_patterns("target"))
    with (crate / "pyproject.toml").open("a") as fh:
        fh.write('sdist-generator = "git"\n')
    (crate / "untracked.txt").write_text("left out\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    import subprocess

    subprocess.run([*git, "init", "-q"], cwd=crate, check=True)
    subprocess.run([*git, "add", "Cargo.toml", "Cargo.lock", "pyproject.toml", "README.md",
                    "src", "python"], cwd=crate, check=True)
    proc = run_rustwheel(["sdist", "-o", str(tmp_path / "o")], cwd=crate)
    names = _names(Path(proc.stdout.strip()))
    assert "pyo3_mixed-1.2.0/untracked.txt" not in names
    assert "pyo3_mixed-1.2.0/python/mixed_pkg/cli.py" in names
    assert names[0] == "pyo3_mixed-1.2.0/PKG-INFO"
