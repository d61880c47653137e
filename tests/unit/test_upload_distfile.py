"""The checks made before any upload request: metadata, RECORD, PKG-INFO, file name; and the
request's form fields and streamed multipart body."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from rustwheel.spec.wheelfile import Entry, record_hash, write_wheel
from rustwheel.stages.upload import multipart
from rustwheel.stages.upload.distfile import InvalidDistribution, read_distribution
from rustwheel.stages.upload.plan import plan
from rustwheel.stages.upload.run import check_files

METADATA = (b"Metadata-Version: 2.4\nName: Demo_Pkg\nVersion: 1.0\nSummary: a demo\n"
            b"Keywords: a,b\nClassifier: Programming Language :: Rust\n"
            b"Classifier: Operating System :: POSIX :: Linux\n"
            b"Project-URL: Homepage, https://example.invalid\n"
            b"Requires-Dist: cffi\nLicense-Expression: MIT\n\nThe description.\n")


def _wheel(tmp_path: Path, metadata: bytes = METADATA,
           name: str = "demo_pkg-1.0-cp39-abi3-linux_x86_64.whl") -> Path:
    dist_info = "demo_pkg-1.0.dist-info"
    entries = [Entry("demo_pkg/__init__.py", b"x = 1\n"), Entry(f"{dist_info}/METADATA", metadata),
               Entry(f"{dist_info}/WHEEL", b"Wheel-Version: 1.0\n")]
    path = tmp_path / name
    write_wheel(path, entries, dist_info, None)
    return path


def _sdist(tmp_path: Path, pkg_info: bytes = METADATA, top: str = "demo_pkg-1.0") -> Path:
    path = tmp_path / "demo_pkg-1.0.tar.gz"
    with tarfile.open(path, "w:gz") as tf:
        info = tarfile.TarInfo(f"{top}/PKG-INFO")
        info.size = len(pkg_info)
        tf.addfile(info, io.BytesIO(pkg_info))
    return path


def test_wheel_fields_as_twine_sends_them(tmp_path: Path) -> None:
    dist = read_distribution(_wheel(tmp_path))
    fields = plan(dist).fields
    assert fields[:4] == ((":action", "file_upload"), ("protocol_version", "1"),
                          ("filetype", "bdist_wheel"), ("pyversion", "cp39"))
    got = dict(fields)
    assert got["sha256_digest"] == dist.sha256 and len(got["blake2_256_digest"]) == 64
    assert got["name"] == "Demo_Pkg" and got["version"] == "1.0"
    assert got["metadata_version"] == "2.4" and got["license_expression"] == "MIT"
    assert got["keywords"] == "a, b" and got["description"] == "The description.\n"
    assert [v for k, v in fields if k == "classifiers"] == [
        "Programming Language :: Rust", "Operating System :: POSIX :: Linux"]
    assert ("project_urls", "Homepage, https://example.invalid") in fields


def test_sdist_fields(tmp_path: Path) -> None:
    fields = dict(plan(read_distribution(_sdist(tmp_path))).fields)
    assert (fields["filetype"], fields["pyversion"]) == ("sdist", "source")


def test_multipart_body_streams_the_file(tmp_path: Path) -> None:
    wheel = _wheel(tmp_path)
    p = plan(read_distribution(wheel))
    body = multipart.body(p.fields, p.path, p.size, boundary="XyZ")
    seen: list[int] = []
    data = b"".join(multipart.chunks(body, seen.append))
    assert len(data) == body.length and seen[-1] == p.size
    assert data.endswith(b"\r\n--XyZ--\r\n") and wheel.read_bytes() in data
    assert b'name="content"; filename="demo_pkg-1.0-cp39-abi3-linux_x86_64.whl"' in data
    assert b'Content-Disposition: form-data; name=":action"\r\n\r\nfile_upload\r\n' in data
    assert body.content_type == "multipart/form-data; boundary=XyZ"


def test_bad_record_hash(tmp_path: Path) -> None:
    good = _wheel(tmp_path)
    bad = tmp_path / "bad" / good.name
    bad.parent.mkdir()
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, b"x = 2\n" if info.filename.endswith("__init__.py") else data)
    with pytest.raises(InvalidDistribution, match="demo_pkg/__init__.py does not match the "
                                                  "hash in its RECORD"):
        read_distribution(bad)


def test_member_missing_from_record(tmp_path: Path) -> None:
    wheel = _wheel(tmp_path)
    with zipfile.ZipFile(wheel, "a") as zf:
        zf.writestr("demo_pkg/extra.py", b"")
    with pytest.raises(InvalidDistribution, match="extra.py is not in its RECORD"):
        read_distribution(wheel)


def test_invalid_metadata(tmp_path: Path) -> None:
    metadata = METADATA.replace(b"Metadata-Version: 2.4", b"Metadata-Version: 2.1")
    with pytest.raises(InvalidDistribution, match="invalid metadata: .*license-expression"):
        read_distribution(_wheel(tmp_path, metadata))


def test_file_name_disagrees_with_metadata(tmp_path: Path) -> None:
    wheel = _wheel(tmp_path, METADATA.replace(b"Version: 1.0\n", b"Version: 1.1\n"))
    with pytest.raises(InvalidDistribution, match="the file name says demo-pkg 1.0 but its "
                                                  "metadata says Demo_Pkg 1.1"):
        read_distribution(wheel)


def test_sdist_without_pkg_info(tmp_path: Path) -> None:
    with pytest.raises(InvalidDistribution, match="no demo_pkg-1.0/PKG-INFO"):
        read_distribution(_sdist(tmp_path, top="other-1.0"))


def test_not_a_distribution(tmp_path: Path) -> None:
    (tmp_path / "x.zip").write_bytes(b"")
    with pytest.raises(InvalidDistribution, match="not a wheel"):
        read_distribution(tmp_path / "x.zip")


def test_record_hash_helper_agrees() -> None:
    assert record_hash(b"") == "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"


def test_body_is_streamed_in_bounded_chunks(tmp_path: Path) -> None:
    """A large file is read and sent piece by piece, never held whole."""
    big = tmp_path / "big.bin"
    big.write_bytes(b"\0" * (3 * multipart.CHUNK + 5))
    body = multipart.body((("a", "b"),), str(big), big.stat().st_size)
    pieces = list(multipart.chunks(body))
    assert max(len(p) for p in pieces[1:-1]) == multipart.CHUNK and len(pieces) == 6
    assert sum(map(len, pieces)) == body.length


def test_same_file_twice_counts_once_two_files_of_a_name_refused(tmp_path: Path) -> None:
    wheel = _wheel(tmp_path)
    assert len(check_files([str(wheel), str(tmp_path / ".." / tmp_path.name / wheel.name)])) == 1
    (tmp_path / "copy").mkdir()
    copy = _wheel(tmp_path / "copy")
    with pytest.raises(InvalidDistribution, match="have the same name"):
        check_files([str(wheel), str(copy)])
