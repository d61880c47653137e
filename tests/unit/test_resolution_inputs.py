"""What resolving reads, recorded where it is read: the interpreters as found, the directories
listed to find the python sources, and None when a version manager's shim decides."""

from __future__ import annotations

from pathlib import Path

from planfacts import cpython

from rustwheel.config.layout import ProjectLayout
from rustwheel.stages.detect import observed
from rustwheel.stages.detect.pyfiles import python_sources


def test_interpreters_as_found_and_as_they_report_themselves(tmp_path: Path) -> None:
    exe = tmp_path / "bin" / "python3"
    exe.parent.mkdir()
    exe.write_text("")
    exe.chmod(0o755)
    env = {"PATH": str(exe.parent)}
    found = observed.interpreter_files(["python3"], [cpython(12)], env, tmp_path)
    assert found == [str(exe), "/usr/bin/python3.12"]
    assert observed.interpreter_files([], [], env, tmp_path) == []
    shims = tmp_path / "shims"
    shims.mkdir()
    (shims / "python3").symlink_to(exe)
    # another version manager's shim (no pyenv root around it) decides at run time
    assert observed.interpreter_files(["python3"], [cpython(12)], {"PATH": str(shims)},
                                      tmp_path) is None
    # pyenv's shim: the files by which pyenv chooses (see test_pyenv.py), then the shim
    (tmp_path / "versions" / "3.12.1" / "bin").mkdir(parents=True)
    (tmp_path / "versions" / "3.12.1" / "bin" / "python3").symlink_to(exe)
    (tmp_path / "version").write_text("3.12.1\n")
    chosen = observed.interpreter_files(["python3"], [cpython(12)],
                                        {"PATH": str(shims), "PYENV_ROOT": str(tmp_path)},
                                        tmp_path)
    assert chosen is not None and chosen[-3:] == [str(tmp_path / "versions/3.12.1/bin/python3"),
                                                  str(shims / "python3"), "/usr/bin/python3.12"]
    # A bare version names its program; one found elsewhere than on PATH, or a search (-f),
    # cannot be known from files.
    (exe.parent / "python3.12").symlink_to(exe)
    assert observed.interpreter_files(["3.12"], [], env, tmp_path) == [
        str(exe.parent / "python3.12")]
    assert observed.interpreter_files(["3.13"], [], env, tmp_path) is None
    assert observed.interpreter_files(None, [cpython(12)], env, tmp_path) is None


def test_unknown_inputs_make_the_whole_set_unknown() -> None:
    assert observed.resolution_inputs(["/rustc"], None, ["/a"]) is None
    assert observed.resolution_inputs(None, [], ["/a"]) is None
    assert observed.resolution_inputs(["/rustc"], ["/py"], ["/b", Path("/a")], ("/a",)) == (
        "/a", "/b", "/py", "/rustc")


def test_python_sources_lists_every_directory_walked(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "sub" / "empty").mkdir(parents=True)
    (pkg / "__pycache__").mkdir()
    for rel in ("__init__.py", "sub/mod.py", "__pycache__/x.pyc", "pkg.cpython-312.so"):
        (pkg / rel).write_text("")
    (tmp_path / "single.py").write_text("")
    layout = ProjectLayout(tmp_path, tmp_path, "pkg.pkg", mixed=True, python_packages=("single",))
    files, listed = python_sources(layout)
    assert [f.archive_path for f in files] == ["pkg/__init__.py", "pkg/sub/mod.py", "single.py"]
    assert sorted(listed) == [tmp_path, pkg, pkg / "sub", pkg / "sub" / "empty"]
