"""The pure parts of sdists and develop: manifest rewrites, the tar writer, finding the env,
editable wheel contents."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from rustwheel.config.layout import ProjectLayout
from rustwheel.develop.environment import find_environment
from rustwheel.errors import ConfigError
from rustwheel.stages.sdist.manifests import moved_pyproject, workspace_manifest
from rustwheel.stages.sdist.tarball import Member, tar_bytes
from rustwheel.stages.wheel.editable import editable_contents, hook_source
from rustwheel.stages.wheel.plan import FileItem, GeneratedItem


def test_workspace_manifest_keeps_formatting_and_packaged_members() -> None:
    text = ('# the workspace\n[workspace]\nmembers = ["crates/*"]\ndefault-members = ["a"]\n\n'
            '[package]\nname = "root"\n\n[profile.release]\nlto = true\n')
    out = workspace_manifest(text, ["crates/b", "crates/a"], keep_package=False)
    assert out.startswith("# the workspace\n[workspace]\n")
    assert 'members = ["crates/a", "crates/b"]' in out
    assert "default-members" not in out and "[package]" not in out
    assert "[profile.release]\nlto = true" in out


def test_moved_pyproject_prefixes_paths() -> None:
    text = ('[project]\nname = "x"\nreadme = "README.md"\nlicense-files = ["LICENSE"]\n\n'
            '[tool.maturin]\ninclude = ["a/*.txt", { path = "b", format = "sdist" }]\n')
    out = moved_pyproject(text, "member", "tool.maturin", "member/Cargo.toml", "member")
    assert 'readme = "member/README.md"' in out
    assert 'license-files = ["member/LICENSE"]' in out
    assert '"member/a/*.txt"' in out and 'path = "member/b"' in out
    assert 'manifest-path = "member/Cargo.toml"' in out


def test_tar_is_deterministic_and_ordered() -> None:
    members = [Member("x-1/PKG-INFO", b"a"), Member("x-1/run.sh", b"#!", executable=True)]
    data = tar_bytes(members, 1234)
    assert data == tar_bytes(members, 1234)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        infos = tar.getmembers()
    assert [(i.name, i.mode, i.mtime, i.uid) for i in infos] == [
        ("x-1/PKG-INFO", 0o644, 1234, 0), ("x-1/run.sh", 0o755, 1234, 0)]


def test_find_environment(tmp_path: Path) -> None:
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text("")
    (venv / "pyvenv.cfg").write_text("home = /usr\nuv = 0.5.0\n")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    found = find_environment({}, deep)
    assert found.prefix == venv and found.made_by_uv
    assert find_environment({"VIRTUAL_ENV": str(venv)}, Path("/")).source == "VIRTUAL_ENV"
    with pytest.raises(ConfigError, match="CONDA_PREFIX"):
        find_environment({"VIRTUAL_ENV": str(venv), "CONDA_PREFIX": str(tmp_path)}, deep)
    with pytest.raises(ConfigError, match="no virtual environment"):
        find_environment({}, Path("/"))


def test_editable_contents_mixed_and_pure(tmp_path: Path) -> None:
    compiled = tmp_path / "cell"
    ext = FileItem("pkg/_native.so", str(compiled / "artifacts" / "_native.so"))
    source = FileItem("pkg/__init__.py", str(tmp_path / "python" / "pkg" / "__init__.py"))
    data = FileItem("x-1.0.data/scripts/s", str(tmp_path / "s"))
    mixed = ProjectLayout(tmp_path, tmp_path / "python", "pkg._native", mixed=True)
    out = editable_contents(mixed, [ext, source, data], [], dist="x", version="1.0",
                            compiled_dir=compiled, hook=hook_source("pkg"))
    assert out.files == [data] and out.in_tree == [ext]
    names = {g.archive_path: g.content for g in out.generated}
    assert names["x.pth"] == f"{tmp_path / 'python'}\nimport _rustwheel_autorebuild_x\n"
    assert "TOP_PACKAGE = 'pkg'" in names["_rustwheel_autorebuild_x.py"]
    pure = ProjectLayout(tmp_path, tmp_path, "ext", mixed=False)
    init = GeneratedItem("ext/__init__.py", "")
    out = editable_contents(pure, [ext], [init], dist="x", version="1.0",
                            compiled_dir=compiled, hook=None)
    assert (out.files, out.generated, out.in_tree) == ([ext], [init], [])
