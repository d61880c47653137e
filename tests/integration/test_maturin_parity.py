"""Parity with maturin: build each test crate with rustwheel and with the reference `maturin build`
and compare the two wheels part by part.

Both tools build the dev profile for the running interpreter on Linux with their default
compatibility: each audits the binaries and picks the most compatible manylinux tag, so the
file names and WHEEL tags compare the two audits too (and conftest checks rustwheel's tag
against `auditwheel show`). maturin gets its own
CARGO_TARGET_DIR under the shared test target dir so the two tools never invalidate each other's
cargo fingerprints.

Every difference between the wheels fails a test unless it is listed in INTENDED_DIFFERENCES below.
"""

from __future__ import annotations

import base64
import csv
import email.parser
import email.policy
import hashlib
import io
import itertools
import json
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import build_wheel, copy_crate
from packaging.markers import Marker, default_environment
from packaging.metadata import Metadata, parse_email
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

pytestmark = pytest.mark.slow

# ---------------------------------------------------------------------------------------------
# The table of intended differences. Each entry: what differs, and why it is accepted.
# The tests below consult these keys by name; anything not covered here must be identical.
# ---------------------------------------------------------------------------------------------
INTENDED_DIFFERENCES: dict[str, str] = {
    "sbom": (
        "Both write `<dist-info>/sboms/<crate>.cyclonedx.json` (CycloneDX 1.5, on by default), "
        "but the content differs: maturin's (cargo-cyclonedx) has a random serial number, the "
        "current time, bom-refs spelling the checkout path and components for every platform; "
        "rustwheel's is deterministic (serial derived from the content, timestamp only from "
        "SOURCE_DATE_EPOCH, purls as bom-refs) and lists the dependencies of the target built "
        "for. test_sbom_shape compares the structure instead: same top-level keys, the same "
        "root component, and rustwheel's components a subset of maturin's with the same "
        "versions, purls, scopes, licenses and checksums."),
    "record": (
        "RECORD content differs: it hashes the compiled binaries (whose bytes differ, see "
        "'binary-bytes') and lists the SBOM. Instead of comparing, each RECORD is checked to list "
        "exactly its own wheel's files with correct sha256 digests and sizes, itself last."),
    "binary-bytes": (
        "The compiled extension module (`*.so`) and bin scripts (`*.data/scripts/*`) come from two "
        "separate cargo runs (different target dirs, embedded paths, rustc flags), so their bytes "
        "differ. They must exist under the same archive path and both be ELF files."),
    "auditwheel-sbom": (
        "After bundling a library both write `<dist-info>/sboms/auditwheel.cdx.json` naming the "
        "OS package it came from; the `metadata.tools` entry names the tool. Everything else "
        "must be identical (test_bundled_libraries_sbom)."),
    "generator": (
        "WHEEL `Generator:` names the tool (`rustwheel (x.y)` vs `maturin (x.y)`). Wheel-Version, "
        "Root-Is-Purelib and the Tag lines must be identical."),
    "requires-dist-spelling": (
        "maturin re-serialises dependencies through pep508_rs: it writes `name ; marker` (space "
        "before `;`) and rewrites `python_version < '3.11'` as `python_full_version < '3.11'`. "
        "rustwheel keeps the project's marker spelling. Requires-Dist entries are compared in "
        "order as parsed requirements: same name, extras, specifier and URL, and markers that "
        "evaluate identically over a grid of environments (python versions, platforms, "
        "implementations, every declared extra)."),
}

CRATES: dict[str, str] = {
    # crate id -> manifest path relative to the copied crate directory
    "pyo3-pure-abi3": "Cargo.toml",
    "pyo3-mixed": "Cargo.toml",
    "pyo3-ffi-raw": "Cargo.toml",
    "bin-only": "Cargo.toml",
    "workspace/member-ext": "member-ext/Cargo.toml",
    "pyo3-src-layout": "rust/Cargo.toml",
    "bin-pyo3": "Cargo.toml",
    "bin-mixed": "Cargo.toml",
    "cffi-pure": "Cargo.toml",
    "cffi-mixed": "Cargo.toml",
    "cffi-build-header": "Cargo.toml",
    "pyo3-sqlite": "Cargo.toml",  # links libsqlite3: both bundle it into pyo3_sqlite.libs/
    # maturin's shapes that rustwheel once built differently (test_maturin_shapes)
    "mixed-rust-workspace/mixed-ws-py": "rust/python/mixed-ws-py/Cargo.toml",
    "workspace-sibling-features/sibling-ext": "ext/Cargo.toml",
    "workspace-sibling-features/sibling-cli": "cli/Cargo.toml",
    "pyo3-abi3t": "Cargo.toml",
    "pyo3-build-script-python": "Cargo.toml",
}

# Crates whose build script writes `<target dir>/header.h`, which both tools then use for every
# cffi crate built in that target dir: they get target dirs of their own.
OWN_TARGET_DIR = {"cffi-build-header"}
# maturin's repair patches the library in its cargo target dir in place, so its next build
# there finds the renamed libsqlite3 and fails: it gets a fresh target dir every time.
FRESH_MATURIN_TARGET_DIR = {"pyo3-sqlite"}

BINARY_SUFFIXES = (".so", ".pyd", ".dll", ".dylib")


def _is_binary(path: str) -> bool:
    return path.endswith(BINARY_SUFFIXES) or ".data/scripts/" in path


def _maturin_command() -> list[str]:
    # maturin is in the test extra ([test]); scripts/setup.sh installs it
    return [sys.executable, "-m", "maturin"]


def _build_with_maturin(manifest: Path, out: Path, target: Path) -> Path:
    env = dict(os.environ)
    env["CARGO_TARGET_DIR"] = str(target)
    argv = [*_maturin_command(), "build", "-m", str(manifest), "-o", str(out),
            "-i", sys.executable]
    proc = subprocess.run(argv, check=False, env=env, text=True, capture_output=True)
    assert proc.returncode == 0, f"{' '.join(argv)} failed:\n{proc.stdout}\n{proc.stderr}"
    wheels = sorted(out.glob("*.whl"))
    assert len(wheels) == 1, (wheels, proc.stdout, proc.stderr)
    return wheels[0]


@dataclass(frozen=True)
class Pair:
    crate: str
    ours: Path
    theirs: Path

    def zips(self) -> tuple[zipfile.ZipFile, zipfile.ZipFile]:
        return zipfile.ZipFile(self.ours), zipfile.ZipFile(self.theirs)


_BUILT: dict[str, Pair] = {}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, target_dir: Path):
    """Build a crate with both tools once per module; later tests reuse the pair."""

    def get(crate: str) -> Pair:
        if crate not in _BUILT:
            root = tmp_path_factory.mktemp(crate.replace("/", "_"))
            top = crate.split("/")[0]
            src = copy_crate(top, root / "src")
            manifest = src / CRATES[crate]
            target = target_dir / "own" / top if top in OWN_TARGET_DIR else target_dir
            ours = build_wheel(manifest, root / "rustwheel", target)
            theirs_target = (root / "maturin-target" if top in FRESH_MATURIN_TARGET_DIR
                             else target / "maturin")
            theirs = _build_with_maturin(manifest, root / "maturin", theirs_target)
            _BUILT[crate] = Pair(crate, ours, theirs)
        return _BUILT[crate]

    return get


def _dist_info(names: list[str]) -> str:
    dirs = {n.split("/", 1)[0] for n in names if n.split("/", 1)[0].endswith(".dist-info")}
    assert len(dirs) == 1, dirs
    return dirs.pop()


def _crate_name(manifest_crate: str) -> str:
    return manifest_crate.rsplit("/", 1)[-1]


def _sbom_path(dist_info: str, crate: str) -> str:
    return f"{dist_info}/sboms/{_crate_name(crate)}.cyclonedx.json"


# ---------------------------------------------------------------------------------------------
# wheel name and archive contents
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("crate", list(CRATES))
def test_wheel_file_name(built, crate: str) -> None:
    pair = built(crate)
    assert pair.ours.name == pair.theirs.name


@pytest.mark.parametrize("crate", list(CRATES))
def test_archive_file_list(built, crate: str) -> None:
    """Same entries in the same order, the SBOM included (no directory entries)."""
    pair = built(crate)
    ours, theirs = (z.namelist() for z in pair.zips())
    sbom = _sbom_path(_dist_info(theirs), crate)
    assert sbom in theirs, f"maturin no longer writes {sbom}: update INTENDED_DIFFERENCES['sbom']"
    assert ours == theirs
    assert not any(n.endswith("/") for n in ours)


@pytest.mark.parametrize("crate", list(CRATES))
def test_sbom_shape(built, crate: str) -> None:
    """INTENDED_DIFFERENCES['sbom']: same structure and facts, deterministic content."""
    ours, theirs = built(crate).zips()
    path = _sbom_path(_dist_info(theirs.namelist()), crate)
    a, b = json.loads(ours.read(path)), json.loads(theirs.read(path))
    assert list(a) == list(b)
    assert (a["bomFormat"], a["specVersion"], a["version"]) == \
        (b["bomFormat"], b["specVersion"], b["version"])
    root_a, root_b = a["metadata"]["component"], b["metadata"]["component"]
    assert (root_a["name"], root_a["version"]) == (root_b["name"], root_b["version"])
    assert root_a["purl"] == root_b["purl"]

    def facts(c: dict) -> tuple:
        return (c["version"], c["purl"], c.get("scope"), c.get("licenses"), c.get("hashes"))

    theirs_by_name = {(c["name"], c["version"]): facts(c) for c in b["components"]}
    for c in a["components"]:
        assert theirs_by_name.get((c["name"], c["version"])) == facts(c), c["name"]


AUDITWHEEL_SBOM = "sboms/auditwheel.cdx.json"


def test_bundled_libraries_sbom(built) -> None:
    """INTENDED_DIFFERENCES['auditwheel-sbom']: identical but for the tool's name."""
    ours, theirs = built("pyo3-sqlite").zips()
    path = f"{_dist_info(theirs.namelist())}/{AUDITWHEEL_SBOM}"
    a, b = json.loads(ours.read(path)), json.loads(theirs.read(path))
    assert [t["name"] for t in a["metadata"].pop("tools")] == ["rustwheel"]
    assert [t["name"] for t in b["metadata"].pop("tools")] == ["maturin"]
    assert a == b
    assert any(c["purl"].startswith("pkg:deb/") and c["name"].startswith("libsqlite3")
               for c in a["components"])


def _record_rows(z: zipfile.ZipFile, dist_info: str) -> list[list[str]]:
    text = z.read(f"{dist_info}/RECORD").decode("utf-8")
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("crate", list(CRATES))
def test_record_is_valid_in_both(built, crate: str) -> None:
    """INTENDED_DIFFERENCES['record']: RECORD bytes differ, but each must describe its own wheel."""
    ours, theirs = built(crate).zips()
    for z in (ours, theirs):
        names = z.namelist()
        dist_info = _dist_info(names)
        rows = _record_rows(z, dist_info)
        if z is ours:  # rustwheel lists RECORD rows in archive order
            assert [r[0] for r in rows] == names, z.filename
        else:  # maturin's row order can differ from its archive order (src layout)
            assert sorted(r[0] for r in rows) == sorted(names), z.filename
        assert names[-1] == f"{dist_info}/RECORD"
        assert rows[-1] == [f"{dist_info}/RECORD", "", ""]
        for path, digest, size in rows[:-1]:
            data = z.read(path)
            b64 = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert (digest, size) == (f"sha256={b64}", str(len(data))), (z.filename, path)


@pytest.mark.parametrize("crate", list(CRATES))
def test_binaries_present(built, crate: str) -> None:
    """INTENDED_DIFFERENCES['binary-bytes']: same paths, both ELF; bytes not compared."""
    ours, theirs = built(crate).zips()
    ours_bin = [n for n in ours.namelist() if _is_binary(n)]
    assert ours_bin, "expected a compiled module or script in the wheel"
    assert ours_bin == [n for n in theirs.namelist() if _is_binary(n)]
    for name in ours_bin:
        assert ours.read(name)[:4] == theirs.read(name)[:4] == b"\x7fELF", name
        mode_a = ours.getinfo(name).external_attr >> 16
        mode_b = theirs.getinfo(name).external_attr >> 16
        assert mode_a == mode_b, f"unix mode of {name}: rustwheel {mode_a:o}, maturin {mode_b:o}"


@pytest.mark.parametrize("crate", list(CRATES))
def test_non_binary_files_identical(built, crate: str) -> None:
    """Python sources, generated `__init__.py`, stubs, `py.typed`, licenses: byte-identical, same
    unix mode. dist-info METADATA / WHEEL / RECORD / entry_points.txt have their own tests."""
    ours, theirs = built(crate).zips()
    dist_info = _dist_info(theirs.namelist())
    special = {f"{dist_info}/{f}" for f in ("METADATA", "WHEEL", "RECORD", "entry_points.txt",
                                             AUDITWHEEL_SBOM)}
    special.add(_sbom_path(dist_info, crate))
    checked = []
    for name in theirs.namelist():
        if name in special or _is_binary(name):
            continue
        checked.append(name)
        assert name in ours.namelist(), name
        a, b = ours.read(name), theirs.read(name)
        assert a == b, f"{name} differs:\nrustwheel: {a!r}\nmaturin:   {b!r}"
    for name in [*checked, *(n for n in theirs.namelist() if ".data/scripts/" in n)]:
        mode_a = ours.getinfo(name).external_attr >> 16
        mode_b = theirs.getinfo(name).external_attr >> 16
        assert mode_a == mode_b, f"unix mode of {name}: rustwheel {mode_a:o}, maturin {mode_b:o}"


# ---------------------------------------------------------------------------------------------
# WHEEL, entry_points.txt
# ---------------------------------------------------------------------------------------------

def _headers(data: bytes) -> list[tuple[str, str]]:
    msg = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(data)
    return [(k, str(v)) for k, v in msg.items()]


@pytest.mark.parametrize("crate", list(CRATES))
def test_wheel_metadata_file(built, crate: str) -> None:
    """INTENDED_DIFFERENCES['generator']: everything but Generator identical, in the same order."""
    ours, theirs = built(crate).zips()
    name = f"{_dist_info(theirs.namelist())}/WHEEL"
    a, b = _headers(ours.read(name)), _headers(theirs.read(name))
    assert [k for k, _ in a] == [k for k, _ in b]
    assert [kv for kv in a if kv[0] != "Generator"] == [kv for kv in b if kv[0] != "Generator"]
    assert dict(a)["Generator"].startswith("rustwheel ")


@pytest.mark.parametrize("crate", list(CRATES))
def test_entry_points_identical(built, crate: str) -> None:
    ours, theirs = built(crate).zips()
    name = f"{_dist_info(theirs.namelist())}/entry_points.txt"
    has = name in theirs.namelist()
    assert (name in ours.namelist()) == has
    if has:
        assert ours.read(name).decode() == theirs.read(name).decode()


# ---------------------------------------------------------------------------------------------
# METADATA
# ---------------------------------------------------------------------------------------------

_PY_VERSIONS = ["2.7.18", "3.6.15", "3.7.0", "3.8.10", "3.9.0", "3.9.18", "3.10.0", "3.10.14",
                "3.11.0", "3.11.9", "3.12.0", "3.12.7", "3.13.0", "3.14.0", "3.15.0"]
_PLATFORMS = [("linux", "Linux", "posix"), ("win32", "Windows", "nt"),
              ("darwin", "Darwin", "posix")]
_IMPLS = [("CPython", "cpython"), ("PyPy", "pypy")]


def _environments(extras: list[str]):
    base = default_environment()
    for full, (plat, system, os_name), (impl, impl_name), extra in itertools.product(
            _PY_VERSIONS, _PLATFORMS, _IMPLS, ["", *extras]):
        env = dict(base)
        env.update(python_full_version=full, python_version=".".join(full.split(".")[:2]),
                   implementation_version=full, sys_platform=plat, platform_system=system,
                   os_name=os_name, platform_python_implementation=impl,
                   implementation_name=impl_name, extra=extra)
        yield env


def _same_requirement(a: Requirement, b: Requirement, extras: list[str]) -> bool:
    """INTENDED_DIFFERENCES['requires-dist-spelling']: equal up to marker spelling."""
    if (canonicalize_name(a.name), sorted(a.extras), str(a.specifier), a.url) != \
            (canonicalize_name(b.name), sorted(b.extras), str(b.specifier), b.url):
        return False
    if (a.marker is None) != (b.marker is None):
        return False
    if a.marker is None:
        return True
    ma, mb = Marker(str(a.marker)), Marker(str(b.marker))
    return all(ma.evaluate(env) == mb.evaluate(env) for env in _environments(extras))


@pytest.mark.parametrize("crate", list(CRATES))
def test_metadata_fields(built, crate: str) -> None:
    ours, theirs = built(crate).zips()
    name = f"{_dist_info(theirs.namelist())}/METADATA"
    a_bytes, b_bytes = ours.read(name), theirs.read(name)

    # Both valid core metadata (raises on invalid fields).
    Metadata.from_email(a_bytes, validate=True)
    Metadata.from_email(b_bytes, validate=True)

    # Same header fields in the same order (maturin's documented order), values aside.
    assert [k for k, _ in _headers(a_bytes)] == [k for k, _ in _headers(b_bytes)]

    raw_a, unparsed_a = parse_email(a_bytes)
    raw_b, unparsed_b = parse_email(b_bytes)
    assert unparsed_a == unparsed_b == {}
    req_a = [Requirement(r) for r in raw_a.pop("requires_dist", [])]
    req_b = [Requirement(r) for r in raw_b.pop("requires_dist", [])]
    # Every other field (Metadata-Version, Name, Version, Summary, Provides-Extra, Classifier,
    # Keywords, Author, Author-email, License-Expression, License-File, Project-URL,
    # Requires-Python, Description-Content-Type, the description body, ...) exactly, in order.
    assert raw_a == raw_b

    extras = list(raw_b.get("provides_extra", []))
    assert len(req_a) == len(req_b), ([str(r) for r in req_a], [str(r) for r in req_b])
    for a, b in zip(req_a, req_b):
        assert _same_requirement(a, b, extras), f"Requires-Dist: rustwheel {a} != maturin {b}"
