"""Everything else a wheel carries, on the real crate tests/crates/pyo3-contents: include (plain,
{path, format}, {from = "out-dir"}) and exclude globs, the `<module>.data` directory, license
files and the CycloneDX SBOM. Built with rustwheel, installed with pip into fresh venvs, compared
with `maturin build --compatibility linux`, plus the bad-input cases."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import Venv, build_wheel, copy_crate, run_rustwheel, stage_statuses

pytestmark = pytest.mark.slow

CRATE = "pyo3-contents"
DIST = "pyo3_contents-0.2.0"
SBOM = f"{DIST}.dist-info/sboms/{CRATE}.cyclonedx.json"
DATA_FILE = "contents_pkg._native.data/data/share/pyo3-contents/words.txt"

# Differences from maturin's wheel of this crate that are intended (see also
# test_maturin_parity.INTENDED_DIFFERENCES): compiled bytes, WHEEL's Generator line, RECORD
# (it hashes those) and the SBOM's content (rustwheel's is deterministic; the file is in both).
INTENDED = {"sbom-content", "binary-bytes", "generator", "record"}
EXCLUDED = ["contents_pkg/helpers_dev.py", "contents_pkg/notes.bak", "extras/draft.txt",
            "sdist-only/dev-notes.txt", "contents_pkg/not-shipped.txt", "not-shipped.txt"]


def _build(src: Path, out: Path, target: Path, env: dict[str, str] | None = None,
           ) -> subprocess.CompletedProcess[str]:
    return run_rustwheel(["build", "-m", str(src / "Cargo.toml"), "-o", str(out), "--target-dir",
                          str(target), "-i", sys.executable], env=env)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory, target_dir: Path) -> Path:
    root = tmp_path_factory.mktemp("contents")
    src = copy_crate(CRATE, root)
    return build_wheel(src / "Cargo.toml", root / "out", target_dir)


def test_wheel_contents(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for name in ["contents_extra.py", "contents_pkg/__init__.py", "contents_pkg/build_info.py",
                 "contents_pkg/helpers.py", "extras/greeting.txt",
                 f"{DIST}.data/data/share/pyo3-contents/words.txt",
                 f"{DIST}.data/scripts/contents-hello", f"{DIST}.dist-info/licenses/LICENSE",
                 f"{DIST}.dist-info/licenses/NOTICE", SBOM,
                 f"{DIST}.dist-info/sboms/vendor.cdx.json"]:
        assert name in names, (name, names)
    for name in EXCLUDED:
        assert name not in names, name
    mode = zipfile.ZipFile(wheel).getinfo(f"{DIST}.data/scripts/contents-hello").external_attr >> 16
    assert mode & 0o777 == 0o755


def test_installed_with_pip(wheel: Path, make_venv) -> None:
    env: Venv = make_venv()
    env.install(wheel)
    out = env.run_python(
        "import contents_pkg, contents_extra, sysconfig, pathlib\n"
        "from contents_pkg import build_info\n"
        "print(contents_pkg.repeat_word('ab', 3), contents_pkg.shout('hi'))\n"
        "print(build_info.BUILT_BY, build_info.PROFILE, contents_extra.EXTRA)\n"
        "lib = pathlib.Path(sysconfig.get_paths()['platlib'])\n"
        "print((lib / 'extras' / 'greeting.txt').read_text().strip())\n"
        "print(sorted(p.name for p in (lib / 'contents_pkg').iterdir() if p.suffix != '.so'))\n")
    lines = out.splitlines()
    assert lines[0] == "ab ab ab HI!"
    assert lines[1] == "build.rs debug included from python-source"
    assert lines[2] == "hello from extras"
    assert "helpers_dev.py" not in lines[3] and "notes.bak" not in lines[3]
    words = env.path / "share" / "pyo3-contents" / "words.txt"
    assert words.read_text() == "alpha\nbeta\ngamma\n"
    script = env.bin("contents-hello")
    proc = subprocess.run([str(script)], text=True, capture_output=True, check=True)
    assert proc.stdout.strip() == "hello from contents-hello"


def _maturin_wheel(src: Path, out: Path, target: Path) -> Path:
    from test_maturin_parity import _build_with_maturin

    return _build_with_maturin(src / "Cargo.toml", out, target / "maturin")


def test_same_files_as_maturin(wheel: Path, tmp_path: Path, target_dir: Path) -> None:
    """Same entries, same order, same modes; non-binary files byte-identical except INTENDED."""
    theirs = zipfile.ZipFile(_maturin_wheel(copy_crate(CRATE, tmp_path), tmp_path / "m",
                                            target_dir))
    ours = zipfile.ZipFile(wheel)
    assert ours.namelist() == theirs.namelist()
    assert {"sbom-content", "binary-bytes", "generator", "record"} == INTENDED
    special = {SBOM, f"{DIST}.dist-info/RECORD", f"{DIST}.dist-info/WHEEL"}
    for name in theirs.namelist():
        assert ours.getinfo(name).external_attr >> 16 == theirs.getinfo(name).external_attr >> 16
        if name in special or name.endswith(".so"):
            continue
        assert ours.read(name) == theirs.read(name), name


def _sbom(wheel: Path) -> dict:
    return json.loads(zipfile.ZipFile(wheel).read(SBOM))


def test_sbom_deterministic(tmp_path: Path, target_dir: Path, wheel: Path) -> None:
    first = zipfile.ZipFile(wheel).read(SBOM)
    src = copy_crate(CRATE, tmp_path / "again")
    again = build_wheel(src / "Cargo.toml", tmp_path / "out2", target_dir)
    assert zipfile.ZipFile(again).read(SBOM) == first
    bom = json.loads(first)
    assert bom["bomFormat"] == "CycloneDX" and bom["specVersion"] == "1.5"
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", bom["serialNumber"])
    assert "timestamp" not in bom["metadata"]
    assert bom["metadata"]["component"]["name"] == CRATE
    assert bom["metadata"]["component"]["purl"] == \
        f"pkg:cargo/{CRATE}@0.2.0?download_url=file://."
    names = [(c["name"], c["version"]) for c in bom["components"]]
    assert names == sorted(names)
    pyo3 = next(c for c in bom["components"] if c["name"] == "pyo3")
    assert pyo3["purl"] == f"pkg:cargo/pyo3@{pyo3['version']}" and pyo3["scope"] == "required"
    assert pyo3["licenses"] == [{"expression": "MIT OR Apache-2.0"}]
    assert "file:///" not in first.decode() and "/tmp/" not in first.decode()

    stamped = build_wheel(src / "Cargo.toml", tmp_path / "out3", target_dir,
                          env={"SOURCE_DATE_EPOCH": "1700000000"})
    bom2 = _sbom(stamped)
    assert bom2["metadata"]["timestamp"] == "2023-11-14T22:13:20Z"
    assert bom2["serialNumber"] != bom["serialNumber"]

    pyproject = src / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        "[tool.maturin.sbom]\n", "[tool.maturin.sbom]\nrust = false\n"))
    off = build_wheel(src / "Cargo.toml", tmp_path / "out4", target_dir)
    names_off = zipfile.ZipFile(off).namelist()
    assert SBOM not in names_off
    assert f"{DIST}.dist-info/sboms/vendor.cdx.json" in names_off


def test_edits_rerun_only_the_wheel(tmp_path: Path) -> None:
    # A target dir of its own: cargo shares a path crate's OUT_DIR between copies of it (and
    # copies keep their files' mtimes), so the build.rs edit below would leak into other tests.
    target_dir = tmp_path / "target"
    src = copy_crate(CRATE, tmp_path)
    out = tmp_path / "out"
    _build(src, out, target_dir)
    for rel, text in [(DATA_FILE, "delta\n"), ("extras/greeting.txt", "hi again\n")]:
        (src / rel).write_text(text)
        proc = _build(src, out, target_dir)
        statuses = stage_statuses(proc.stderr)
        assert [s for t, s in statuses.items() if t.startswith("compile:")] == ["up to date"], \
            proc.stderr
        assert [s for t, s in statuses.items() if t.startswith("wheel:")] == ["ran"], proc.stderr
        (wheel,) = out.glob("*.whl")
        archive = rel.replace("contents_pkg._native.data", f"{DIST}.data")
        assert zipfile.ZipFile(wheel).read(archive).decode() == text
    # A build script writing something else: compile and wheel run, the wheel has the new file.
    build_rs = src / "build.rs"
    build_rs.write_text(build_rs.read_text().replace('BUILT_BY = \\"build.rs\\"',
                                                     'BUILT_BY = \\"build.rs v2\\"'))
    proc = _build(src, out, target_dir)
    assert "ran" in stage_statuses(proc.stderr).values()
    (wheel,) = out.glob("*.whl")
    assert b'BUILT_BY = "build.rs v2"' in zipfile.ZipFile(wheel).read("contents_pkg/build_info.py")


def test_out_dir_files_restored_from_store(tmp_path: Path, wheel: Path) -> None:
    """A fresh target dir restores the compile stage from the store, OUT_DIR files included."""
    src = copy_crate(CRATE, tmp_path)
    proc = _build(src, tmp_path / "out", tmp_path / "fresh-target")
    statuses = stage_statuses(proc.stderr)
    assert [s for t, s in statuses.items() if t.startswith("compile:")] == ["restored"], proc.stderr
    (built,) = (tmp_path / "out").glob("*.whl")
    assert zipfile.ZipFile(built).read("contents_pkg/build_info.py") == \
        zipfile.ZipFile(wheel).read("contents_pkg/build_info.py")


# bad input ----------------------------------------------------------------------------------

def _bad(tmp_path: Path, target_dir: Path, old: str, new: str,
         setup: str | None = None) -> subprocess.CompletedProcess[str]:
    src = copy_crate(CRATE, tmp_path)
    pyproject = src / "pyproject.toml"
    text = pyproject.read_text()
    assert old in text
    pyproject.write_text(text.replace(old, new, 1))
    if setup is not None:
        path = src / setup
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("print('shadow')\n")
    return run_rustwheel(["build", "-m", str(src / "Cargo.toml"), "-o", str(tmp_path / "out"),
                          "--target-dir", str(target_dir), "-i", sys.executable], check=False)


def _one_line(proc: subprocess.CompletedProcess[str], prefix: str, *needles: str) -> str:
    dump = f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    assert "Traceback" not in proc.stderr, dump
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith(prefix)]
    assert len(lines) == 1, dump
    for needle in needles:
        assert needle in lines[0], dump
    return lines[0]


@pytest.mark.parametrize("pattern", ["../outside/*.txt", "/etc/*.conf", "extras/../x.txt"])
def test_include_outside_project_is_an_error(tmp_path: Path, target_dir: Path,
                                             pattern: str) -> None:
    proc = _bad(tmp_path, target_dir, '"extras/*.txt",', f'"{pattern}",')
    assert proc.returncode != 0
    _one_line(proc, "error: ", "pyproject.toml", "include", pattern, "relative")
    assert not list((tmp_path / "out").glob("*.whl"))


def test_include_matching_nothing_warns(tmp_path: Path, target_dir: Path) -> None:
    proc = _bad(tmp_path, target_dir, '"extras/*.txt",', '"extras/*.txt", "missing/*.dat",')
    assert proc.returncode == 0, proc.stderr
    _one_line(proc, "warning: ", "include", "missing/*.dat", "matched no file")
    assert len(list((tmp_path / "out").glob("*.whl"))) == 1


def test_data_not_a_directory(tmp_path: Path, target_dir: Path) -> None:
    proc = _bad(tmp_path, target_dir, "[tool.maturin]\n", '[tool.maturin]\ndata = "LICENSE"\n')
    assert proc.returncode != 0
    _one_line(proc, "error: ", "data", "LICENSE", "not a directory")


def test_two_sources_for_one_archive_path(tmp_path: Path, target_dir: Path) -> None:
    proc = _bad(tmp_path, target_dir, '"extras/*.txt",', '"extras/*.txt", "contents_pkg/*.py",',
                setup="contents_pkg/helpers.py")
    assert proc.returncode != 0
    src = tmp_path / CRATE
    _one_line(proc, "error: ", "contents_pkg/helpers.py", str(src / "contents_pkg" / "helpers.py"),
              str(src / "python" / "contents_pkg" / "helpers.py"))


def test_data_dir_with_unknown_subdir(tmp_path: Path, target_dir: Path) -> None:
    proc = _bad(tmp_path, target_dir, "[tool.maturin]\n", "[tool.maturin]\n",
                setup="contents_pkg._native.data/lib/thing.py")
    assert proc.returncode != 0
    _one_line(proc, "error: ", "contents_pkg._native.data", "lib", "data, scripts, headers")
