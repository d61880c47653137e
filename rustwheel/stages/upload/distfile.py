"""A distribution file to upload, read and checked before any request is made: its core
metadata (validated by `packaging.metadata`), the RECORD hashes of a wheel's members, an
sdist's PKG-INFO, and that the file name agrees with the metadata's name and version."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import Version

from rustwheel.errors import RustwheelError

CHUNK = 1024 * 1024


class InvalidDistribution(RustwheelError):
    """A file that must not be uploaded; no request was made for it."""


@dataclass(frozen=True)
class DistFile:
    """A checked wheel or sdist."""

    path: str
    filetype: str
    """``bdist_wheel`` or ``sdist``."""
    pyversion: str
    """The wheel's python tag (``cp39``, ``py3``), ``source`` for an sdist."""
    metadata: bytes
    """The METADATA / PKG-INFO file as it is in the archive."""
    sha256: str
    blake2_256: str
    size: int

    @property
    def filename(self) -> str:
        return Path(self.path).name


def file_digests(path: Path) -> tuple[str, str, int]:
    """(sha256, blake2b-256, size) of the file, read in chunks."""
    sha, blake, size = hashlib.sha256(), hashlib.blake2b(digest_size=32), 0
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            sha.update(chunk)
            blake.update(chunk)
            size += len(chunk)
    return sha.hexdigest(), blake.hexdigest(), size


def read_distribution(path: Path) -> DistFile:
    """The checked distribution at ``path``; `InvalidDistribution` when it must not be sent."""
    if not path.is_file():
        raise InvalidDistribution(f"{path}: no such file; pass the wheels and sdists to upload")
    if path.name.endswith(".whl"):
        filetype, pyversion, metadata = "bdist_wheel", *_wheel(path)
    elif path.name.endswith(".tar.gz"):
        filetype, pyversion, metadata = "sdist", "source", _sdist(path)
    else:
        raise InvalidDistribution(f"{path}: not a wheel (.whl) or an sdist (.tar.gz); "
                                  "only those can be uploaded")
    fields = validated_metadata(metadata, path)
    _check_name(path, fields)
    sha, blake, size = file_digests(path)
    return DistFile(str(path), filetype, pyversion, metadata, sha, blake, size)


def validated_metadata(data: bytes, path: Path) -> dict[str, Any]:
    """The raw metadata fields, once `packaging.metadata` validated them."""
    from packaging.metadata import Metadata, parse_email

    try:
        Metadata.from_email(data, validate=True)
    except Exception as exc:  # packaging's ExceptionGroup of InvalidMetadata
        problems = [str(e) for e in getattr(exc, "exceptions", [exc])]
        raise InvalidDistribution(f"{path}: invalid metadata: {'; '.join(problems)}; fix "
                                  "the project's metadata and build it again") from None
    raw, _ = parse_email(data)
    return dict(raw)


def _check_name(path: Path, fields: dict[str, Any]) -> None:
    try:
        if path.name.endswith(".whl"):
            name, version, _, _ = parse_wheel_filename(path.name)
        else:
            name, version = parse_sdist_filename(path.name)
    except (InvalidWheelFilename, InvalidSdistFilename) as exc:
        raise InvalidDistribution(f"{path}: invalid file name ({exc})") from None
    meta_name = canonicalize_name(str(fields["name"]))
    if name != meta_name or version != Version(str(fields["version"])):
        raise InvalidDistribution(
            f"{path}: the file name says {name} {version} but its metadata says "
            f"{fields['name']} {fields['version']}; rebuild it instead of renaming it")


def _wheel(path: Path) -> tuple[str, bytes]:
    """(python tag, METADATA) of a wheel whose every member matches its RECORD row."""
    pyversion = path.name[:-len(".whl")].split("-")[-3]
    try:
        with zipfile.ZipFile(path) as zf:
            dist_info = _dist_info(zf, path)
            record = zf.read(f"{dist_info}/RECORD").decode("utf-8")
            _check_record(zf, record, f"{dist_info}/RECORD", path)
            return pyversion, zf.read(f"{dist_info}/METADATA")
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError, OSError) as exc:
        raise InvalidDistribution(f"{path}: not a valid wheel ({exc}); build it again") from None


def _dist_info(zf: zipfile.ZipFile, path: Path) -> str:
    tops = {n.split("/", 1)[0] for n in zf.namelist() if n.count("/") == 1}
    found = sorted(t for t in tops if t.endswith(".dist-info")
                   and f"{t}/METADATA" in zf.namelist())
    if len(found) != 1:
        raise InvalidDistribution(f"{path}: expected one .dist-info directory with METADATA, "
                                  f"found {len(found)}; build it again")
    return found[0]


def _member_hash(zf: zipfile.ZipFile, name: str, algorithm: str) -> str:
    digest = hashlib.new(algorithm)
    with zf.open(name) as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode("ascii")


def _check_record(zf: zipfile.ZipFile, record: str, record_name: str, path: Path) -> None:
    """Every member is listed in RECORD with its hash and size (RECORD itself and signatures
    without them)."""
    rows = {row[0]: row for row in csv.reader(io.StringIO(record)) if row}
    for info in zf.infolist():
        if info.is_dir() or info.filename == record_name:
            continue
        row = rows.get(info.filename)
        if row is None or len(row) < 2 or "=" not in row[1]:
            raise InvalidDistribution(f"{path}: {info.filename} is not in its RECORD with a "
                                      "hash; build the wheel again")
        algorithm, expected = row[1].split("=", 1)
        if algorithm not in ("sha256", "sha384", "sha512", "blake2b"):
            raise InvalidDistribution(f"{path}: RECORD hashes {info.filename} with "
                                      f"{algorithm}, which is too weak; build the wheel again")
        if _member_hash(zf, info.filename, algorithm) != expected:
            raise InvalidDistribution(f"{path}: {info.filename} does not match the hash in "
                                      "its RECORD; the wheel was changed after it was built, "
                                      "build it again")


def _sdist(path: Path) -> bytes:
    """The PKG-INFO at the top of an sdist (``<name>-<version>/PKG-INFO``)."""
    top = path.name[:-len(".tar.gz")]
    try:
        with tarfile.open(path, "r:gz") as tf:
            member = tf.getmember(f"{top}/PKG-INFO")
            f = tf.extractfile(member)
            if f is None:
                raise KeyError(f"{top}/PKG-INFO is not a file")
            return f.read()
    except KeyError:
        raise InvalidDistribution(f"{path}: no {top}/PKG-INFO in the sdist; build it "
                                  "again") from None
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise InvalidDistribution(f"{path}: not a valid sdist ({exc}); build it "
                                  "again") from None
