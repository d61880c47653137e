"""Unchanged small members are copied from the last wheel: never read or compressed again,
and the wheel is byte-identical to one written from the files."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from rustwheel.errors import ConfigError
from rustwheel.spec import lastwheel
from rustwheel.spec.lastwheel import KeptEntry, LastWheel
from rustwheel.spec.membercache import MemberCache, load_member
from rustwheel.spec.wheelfile import Entry, write_wheel

DIST = "pkg-1.0.dist-info"
OLD = 1_600_000_000  # an mtime well in the past: such files are indexed


def _package(root: Path, count: int = 20) -> list[Path]:
    files = []
    for i in range(count):
        f = root / "pkg" / f"m{i:02d}.py"
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(f"value = {i}\n" * (i + 1))
        os.utime(f, (OLD, OLD + i))
        files.append(f)
    return files


def _build(tmp: Path, files: list[Path], name: str,
           epoch: str | None = None) -> tuple[bytes, list[object]]:
    cache = tmp / "members"
    last = LastWheel(cache, f"deflated6:{epoch}")
    entries = [load_member(f"pkg/{f.name}", str(f), None, last) for f in files]
    entries.append(Entry(f"{DIST}/METADATA", b"Metadata-Version: 2.4\nName: pkg\n"))
    write_wheel(tmp / name, entries, DIST, epoch, MemberCache(cache), None, last)
    plain = [Entry(f"pkg/{f.name}", f.read_bytes(), bool(f.stat().st_mode & 0o100))
             for f in files]
    plain.append(Entry(f"{DIST}/METADATA", b"Metadata-Version: 2.4\nName: pkg\n"))
    write_wheel(tmp / f"plain-{name}", plain, DIST, epoch)
    data = (tmp / name).read_bytes()
    assert data == (tmp / f"plain-{name}").read_bytes()
    return data, entries


def _unusual(root: Path) -> list[Path]:
    """A member with a non-ASCII name and an executable one: their zip flags and modes are
    part of the copied local headers and of the central directory made from them."""
    names = root / "pkg" / "naïve.py", root / "pkg" / "tool.sh"
    for i, f in enumerate(names):
        f.write_text(f"x = {i}\n")
        os.utime(f, (OLD, OLD))
    names[1].chmod(0o755)
    return list(names)


def test_unchanged_members_are_copied_not_read(
        tmp_path: Path, count_reads: Callable[[], list[str]]) -> None:
    files = _package(tmp_path) + _unusual(tmp_path)
    first, entries = _build(tmp_path, files, "1.whl")
    assert not any(isinstance(e, KeptEntry) for e in entries)
    reads = count_reads()
    second, entries = _build(tmp_path, files, "2.whl")
    assert second == first
    assert sum(isinstance(e, KeptEntry) for e in entries) == len(files)
    assert reads.count("m05.py") == 1  # only by the plain reference wheel
    # An edited file is read again; the others are still copied.
    files[5].write_text("value = 'new'\n")
    os.utime(files[5], (OLD, OLD + 100))
    third, entries = _build(tmp_path, files, "3.whl")
    with zipfile.ZipFile(tmp_path / "3.whl") as zf:
        assert zf.read("pkg/m05.py") == b"value = 'new'\n" and zf.testzip() is None
    assert [e.path for e in entries if not isinstance(e, KeptEntry)] == [
        "pkg/m05.py", f"{DIST}/METADATA"]


def test_a_recent_file_is_not_indexed(tmp_path: Path) -> None:
    files = _package(tmp_path, 3)
    files[1].write_text("fresh\n")  # mtime now: a write in the same tick could hide
    _build(tmp_path, files, "1.whl")
    _, entries = _build(tmp_path, files, "2.whl")
    kept = {e.path for e in entries if isinstance(e, KeptEntry)}
    assert kept == {"pkg/m00.py", "pkg/m02.py"}


def test_another_last_wheel_or_timestamp_is_not_used(tmp_path: Path) -> None:
    files = _package(tmp_path, 5)
    _build(tmp_path, files, "1.whl")
    # Another timestamp: other local headers, nothing kept, the right bytes all the same.
    _, entries = _build(tmp_path, files, "2.whl", epoch="1700000000")
    assert not any(isinstance(e, KeptEntry) for e in entries)
    _build(tmp_path, files, "3.whl")
    # last.whl changed (rewritten in place): its index is not trusted.
    link = tmp_path / "members" / lastwheel.WHEEL
    data = bytearray(link.read_bytes())
    data[40] ^= 0xFF
    link.write_bytes(bytes(data))
    _, entries = _build(tmp_path, files, "4.whl")
    assert not any(isinstance(e, KeptEntry) for e in entries)


def test_a_span_that_is_not_its_member_is_read_from_the_file(tmp_path: Path) -> None:
    files = _package(tmp_path, 4)
    _build(tmp_path, files, "1.whl")
    cache = tmp_path / "members"
    last = LastWheel(cache, "deflated6:None")
    entries = [load_member(f"pkg/{f.name}", str(f), None, last) for f in files]
    assert all(isinstance(e, KeptEntry) for e in entries)
    # Every span one byte off: not its member; the file is read (and checked) instead.
    moved = [e._replace(span=(e.span[0] + 1, e.span[1]))
             for e in entries if isinstance(e, KeptEntry)]
    write_wheel(tmp_path / "w.whl", moved, DIST, None, MemberCache(cache), None, last)
    with zipfile.ZipFile(tmp_path / "w.whl") as zf:
        assert zf.read("pkg/m01.py") == files[1].read_bytes() and zf.testzip() is None
    # ... and a file changed since its span was indexed fails the wheel, leaving none.
    last = LastWheel(cache, "deflated6:None")
    entries = [load_member(f"pkg/{f.name}", str(f), None, last) for f in files]
    files[2].write_text("changed behind the index\n")
    broken = [e._replace(span=(e.span[0] + 1, e.span[1]))
              for e in entries if isinstance(e, KeptEntry)]
    with pytest.raises(ConfigError, match="changed while the wheel was being written"):
        write_wheel(tmp_path / "x.whl", broken, DIST, None, MemberCache(cache), None, last)
    assert not (tmp_path / "x.whl").exists()
