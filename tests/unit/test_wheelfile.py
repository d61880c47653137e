"""The reproducible wheel writer and the tag/name helpers."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from rustwheel.errors import ConfigError
from rustwheel.spec import tags
from rustwheel.spec.wheelfile import Entry, ordered, record_hash, write_wheel, zip_timestamp


def _write(path: Path, epoch: str | None = None) -> bytes:
    entries = [Entry("pkg/b.py", b"b"), Entry("pkg-1.0.dist-info/METADATA", b"m"),
               Entry("pkg/a.so", b"\x7fELF", executable=True), Entry("a/x.py", b"x")]
    write_wheel(path, entries, "pkg-1.0.dist-info", epoch)
    return path.read_bytes()


def test_entries_sorted_record_last_and_modes(tmp_path: Path) -> None:
    _write(tmp_path / "w.whl")
    with zipfile.ZipFile(tmp_path / "w.whl") as zf:
        names = zf.namelist()
        assert names == ["a/x.py", "pkg/a.so", "pkg/b.py", "pkg-1.0.dist-info/METADATA",
                         "pkg-1.0.dist-info/RECORD"]
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in zf.infolist()}
        assert modes["pkg/a.so"] == 0o755 and modes["pkg/b.py"] == 0o644
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        record = zf.read("pkg-1.0.dist-info/RECORD").decode().splitlines()
        assert record[-1] == "pkg-1.0.dist-info/RECORD,,"
        assert f"pkg/b.py,{record_hash(b'b')},1" in record


def test_same_inputs_same_bytes(tmp_path: Path) -> None:
    assert _write(tmp_path / "1.whl") == _write(tmp_path / "2.whl")
    assert _write(tmp_path / "3.whl", "1700000000") == _write(tmp_path / "4.whl", "1700000000")
    assert _write(tmp_path / "5.whl", "1700000000") != _write(tmp_path / "6.whl")


def test_source_date_epoch() -> None:
    assert zip_timestamp("1700000000") == (2023, 11, 14, 22, 13, 20)
    assert zip_timestamp("0") == (1980, 1, 1, 0, 0, 0)  # clamped to what zip can hold
    with pytest.raises(ConfigError, match="SOURCE_DATE_EPOCH"):
        zip_timestamp("yesterday")


def test_conflicting_duplicate_is_an_error_and_nothing_is_written(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="pkg/a.py"):
        write_wheel(tmp_path / "w.whl", [Entry("pkg/a.py", b"1"), Entry("pkg/a.py", b"2")],
                    "pkg-1.0.dist-info", None)
    assert list(tmp_path.iterdir()) == []


def test_failed_write_leaves_no_partial_file(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from rustwheel.spec import zipwriter

    def failing(self: zipwriter.ZipWriter) -> None:
        self.fh.write(b"PK\x03\x04 half a wheel")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(zipwriter.ZipWriter, "close", failing)
    (tmp_path / "w.whl").write_bytes(b"previous wheel")
    with pytest.raises(OSError):
        write_wheel(tmp_path / "w.whl", [Entry("a.py", b"1"), Entry("b.py", b"2")],
                    "pkg-1.0.dist-info", None)
    assert [p.name for p in tmp_path.iterdir()] == ["w.whl"]  # no temp file left
    assert (tmp_path / "w.whl").read_bytes() == b"previous wheel"  # old one untouched


def test_zip_writer_matches_zipfile_and_reuses_compressed_members(tmp_path: Path) -> None:
    import os

    from rustwheel.spec.wheelfile import MemberCache

    big = os.urandom(300_000) + bytes(300_000)
    entries = [Entry("pkg/ü.py", b"x = 1\n"), Entry("pkg/big.so", big, executable=True),
               Entry("pkg-1.0.dist-info/METADATA", b"m")]
    write_wheel(tmp_path / "plain.whl", entries, "pkg-1.0.dist-info", None)
    cache = MemberCache(tmp_path / "members")
    write_wheel(tmp_path / "cached.whl", entries, "pkg-1.0.dist-info", None, cache)
    assert len(os.listdir(tmp_path / "members")) == 1  # only the large member is kept
    write_wheel(tmp_path / "again.whl", entries, "pkg-1.0.dist-info", None, cache)
    plain = (tmp_path / "plain.whl").read_bytes()
    assert plain == (tmp_path / "cached.whl").read_bytes() == (tmp_path / "again.whl").read_bytes()
    with zipfile.ZipFile(tmp_path / "again.whl") as zf:
        assert zf.testzip() is None and zf.read("pkg/big.so") == big
    # a damaged cache file is ignored, not trusted
    (name,) = os.listdir(tmp_path / "members")
    (tmp_path / "members" / name).write_bytes(b"\0\0\0\0garbage")
    write_wheel(tmp_path / "repaired.whl", entries, "pkg-1.0.dist-info", None, cache)
    assert (tmp_path / "repaired.whl").read_bytes() == plain


def test_names_and_tags() -> None:
    assert tags.wheel_filename("My.Package", "1.0.0-rc1", "py3-none-any") == \
        "my_package-1.0.0rc1-py3-none-any.whl"
    assert tags.dist_info_dir("pyo3-mixed", "1.2.0") == "pyo3_mixed-1.2.0.dist-info"
    assert tags.linux_platform("x86_64-unknown-linux-gnu") == "linux_x86_64"
    assert tags.linux_platform("aarch64-unknown-linux-musl") == "linux_aarch64"
    assert tags.expand("cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64") == [
        "cp39-abi3-manylinux_2_17_x86_64", "cp39-abi3-manylinux2014_x86_64"]
    with pytest.raises(ConfigError):
        tags.linux_platform("x86_64-apple-darwin")


def test_large_members_deflate_in_parallel_reproducibly(monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import zlib

    from rustwheel.spec import zipwriter

    data = (os.urandom(1 << 20) + bytes(1 << 20)) * 3  # 6 MiB: the chunked path
    crc, stream = zipwriter.deflate(data)
    assert zlib.decompress(stream, -15) == data and crc == zlib.crc32(data)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert zipwriter.deflate(data) == (crc, stream)  # bytes never depend on the core count


def test_unchanged_large_files_are_not_read_again(
        tmp_path: Path, count_reads: Callable[[], list[str]]) -> None:
    """A large file's sha256 comes from the digest cache while its (inode, size, mtime) is
    unchanged, and its deflate stream from the member cache: the wheel is the same as one
    written from the bytes, and a changed file is read again."""
    import os

    from rustwheel.freshness.facts import DigestCache
    from rustwheel.spec.membercache import FileEntry, MemberCache, load_member

    lib = tmp_path / "lib.so"
    lib.write_bytes(os.urandom(200_000) + bytes(400_000))
    small = tmp_path / "mod.py"
    small.write_bytes(b"x = 1\n")
    cache_dir = tmp_path / "members"
    dist = "pkg-1.0.dist-info"

    def build(name: str) -> bytes:
        items = [load_member("pkg/lib.so", str(lib), True),
                 load_member("pkg/mod.py", str(small), None)]
        write_wheel(tmp_path / name, items, dist, None, MemberCache(cache_dir))
        plain = [Entry("pkg/lib.so", lib.read_bytes(), True), Entry("pkg/mod.py", b"x = 1\n")]
        write_wheel(tmp_path / f"plain-{name}", plain, dist, None)
        data = (tmp_path / name).read_bytes()
        assert data == (tmp_path / f"plain-{name}").read_bytes()
        return data

    first = build("first.whl")
    real_read = Path.read_bytes
    reads = count_reads()
    entry = load_member("pkg/lib.so", str(lib), True)
    assert isinstance(entry, FileEntry) and entry.crc is None
    assert build("second.whl") == first
    assert reads.count("lib.so") == 1  # only by the plain reference wheel
    # A damaged stream is not trusted: the file is read (and checked) and the stream rewritten.
    (stream,) = [p for p in cache_dir.iterdir() if p.name.endswith(".deflate")]
    stream.write_bytes(stream.read_bytes()[:-10])
    assert build("third.whl") == first
    # A changed file (new content, same size) gets new digests.
    lib.write_bytes(os.urandom(600_000))
    changed = build("changed.whl")
    with zipfile.ZipFile(tmp_path / "changed.whl") as zf:
        assert zf.read("pkg/lib.so") == real_read(lib) and zf.testzip() is None
    assert changed != first
    # A forgotten digest is only a miss.
    DigestCache.shared().entries.clear()
    assert build("fourth.whl") == changed


def _fixed_entries() -> list[Entry]:
    import random

    rng = random.Random(13)
    text = b"".join(b"def f%d(x):\n    return x * %d\n" % (i, rng.randrange(1000))
                    for i in range(200_000))  # about 6 MiB: the chunked, parallel path
    return [Entry("pkg/__init__.py", b"from .lib import *\n"), Entry("pkg/big.py", text),
            Entry("pkg/lib.so", rng.randbytes(300_000) + bytes(300_000), executable=True),
            Entry("pkg-1.0.dist-info/METADATA", b"Metadata-Version: 2.4\nName: pkg\n")]


# The wheel `_fixed_entries` make, written by zlib-ng 2.3.3 (zlib-ng==1.1.0 on PyPI). A new
# zlib-ng may compress differently: then this changes, and so do users' wheel bytes (README).
FIXED_WHEEL_SHA256 = "fa0a3b9befd7d172c8f7004b3df43432c7b917d41863d3c47475d1624351a7bc"


def test_deflate_is_zlib_ng_never_the_system_zlib(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The same input gives the recorded bytes, and the system zlib is never asked to compress
    (it may differ between machines: a distribution's zlib, zlib-ng in compat mode, Intel's)."""
    import hashlib
    import zlib

    from rustwheel.spec import zipwriter
    from rustwheel.spec.wheelfile import MemberCache

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("the system zlib was used to compress")

    monkeypatch.setattr(zlib, "compressobj", refused)
    monkeypatch.setattr(zlib, "compress", refused)
    assert zipwriter.ZLIB_NG_VERSION == "2.3.3"
    write_wheel(tmp_path / "a.whl", _fixed_entries(), "pkg-1.0.dist-info", None)
    write_wheel(tmp_path / "b.whl", _fixed_entries(), "pkg-1.0.dist-info", None,
                MemberCache(tmp_path / "members"))
    data = (tmp_path / "a.whl").read_bytes()
    assert (tmp_path / "b.whl").read_bytes() == data
    assert hashlib.sha256(data).hexdigest() == FIXED_WHEEL_SHA256
    with zipfile.ZipFile(tmp_path / "a.whl") as zf:
        assert zf.testzip() is None
        assert {e.path: zf.read(e.path) for e in _fixed_entries()} == \
            {e.path: e.data for e in _fixed_entries()}


def test_compression_methods_and_levels(tmp_path: Path) -> None:
    from rustwheel.commands.options import parse_build_args
    from rustwheel.spec.compression import Compression, compression

    assert compression(None, None) == Compression("deflated", 6)
    assert compression("Stored", None) == Compression("stored", 0)
    assert compression("deflated", 0) == Compression("deflated", 0)
    for method, level, words in (("zstd", None, "bzip2 and zstd are not supported"),
                                 ("lzma", None, "use deflated or stored"),
                                 ("deflated", 10, "use 0-9"), ("stored", 1, "no levels")):
        with pytest.raises(ConfigError, match=words):
            compression(method, level)
    opts = parse_build_args(["--compression-method", "stored", "--compression-level", "0"])
    assert (opts.compression_method, opts.compression_level) == ("stored", 0)
    with pytest.raises(ConfigError, match="whole number"):
        parse_build_args(["--compression-level", "high"])
    sizes = {}
    for method in (Compression("deflated", 1), Compression("deflated", 9),
                   Compression("stored", 0)):
        path = tmp_path / f"{method.tag}.whl"
        write_wheel(path, _fixed_entries(), "pkg-1.0.dist-info", None, compression=method)
        with zipfile.ZipFile(path) as zf:
            assert zf.testzip() is None
            assert {i.compress_type for i in zf.infolist()} == {method.code}
        sizes[method.tag] = path.stat().st_size
    assert sizes["deflated9"] < sizes["deflated1"] < sizes["stored0"]


def test_zip64_wheels_are_written_by_zipfile(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Wheels too large for a plain zip go through zipfile (zip64), with the same members,
    modes and compression level."""
    from rustwheel.spec import wheelfile
    from rustwheel.spec.compression import Compression

    monkeypatch.setattr(wheelfile, "fits", lambda paths, sizes: False)
    entries = _fixed_entries()
    for level in (1, 9):
        path = tmp_path / f"{level}.whl"
        write_wheel(path, entries, "pkg-1.0.dist-info", None,
                    compression=Compression("deflated", level))
        with zipfile.ZipFile(path) as zf:
            assert zf.testzip() is None
            assert [i.filename for i in zf.infolist()][-1] == "pkg-1.0.dist-info/RECORD"
            assert {e.path: zf.read(e.path) for e in entries} == {e.path: e.data for e in entries}
            assert (zf.getinfo("pkg/lib.so").external_attr >> 16) & 0o777 == 0o755
    assert (tmp_path / "9.whl").stat().st_size < (tmp_path / "1.whl").stat().st_size


def test_a_large_file_changed_after_it_was_hashed_fails_the_wheel(tmp_path: Path) -> None:
    """Its digests (for RECORD) would be stale: the write stops, and leaves no wheel."""
    import os

    from rustwheel.spec.membercache import MemberCache, load_member

    lib = tmp_path / "lib.so"
    lib.write_bytes(os.urandom(400_000))
    entry = load_member("pkg/lib.so", str(lib), True)
    lib.write_bytes(os.urandom(400_000))
    for cache in (None, MemberCache(tmp_path / "members")):
        with pytest.raises(ConfigError, match="changed while the wheel was being written"):
            write_wheel(tmp_path / "w.whl", [entry], "pkg-1.0.dist-info", None, cache)
        assert not (tmp_path / "w.whl").exists()


def test_members_are_ordered_by_path_component() -> None:
    """"a/b" sorts before "a-b" and "a.b" (by component, as the tuples of their parts do),
    and the .dist-info files come last."""
    names = ["a.b", "a/b/c", "a-b/x", "a/b", "ab", "a/b-c", "a", "pkg-1.0.dist-info/WHEEL",
             "a/b.c", "z"]
    got = [e.path for e in ordered([Entry(n, b"") for n in names], "pkg-1.0.dist-info")]
    assert got == sorted(names[:7] + names[8:], key=lambda n: n.split("/")) + [names[7]]


def test_a_large_record_deflated_ahead_gives_the_same_bytes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """RECORD of 1,500 members (over 64 KiB) is deflated in a thread while the members are
    written: the wheel is the one written without that thread, and reads back whole."""
    from rustwheel.spec import wheelfile

    threshold = wheelfile._AHEAD_MIN
    entries = [Entry(f"pkg/sub{i % 7}/m{i:04d}.py", f"x = {i}\n".encode()) for i in range(1500)]
    write_wheel(tmp_path / "ahead.whl", entries, "pkg-1.0.dist-info", None)
    monkeypatch.setattr(wheelfile, "_AHEAD_MIN", 1 << 30)
    write_wheel(tmp_path / "inline.whl", entries, "pkg-1.0.dist-info", None)
    assert (tmp_path / "ahead.whl").read_bytes() == (tmp_path / "inline.whl").read_bytes()
    with zipfile.ZipFile(tmp_path / "ahead.whl") as zf:
        record = zf.read("pkg-1.0.dist-info/RECORD")
        assert len(record) > threshold and zf.testzip() is None
        assert record.decode().count("\n") == 1501


def test_fits_measures_member_names_only_near_the_zip_limit() -> None:
    from rustwheel.spec.zipwriter import fits

    limit = 0xFFFFFFFF
    assert fits(["a.py", "b.py", "c.py"], [10, 20, 30])
    assert not fits(["a"] * 0xFFFF, [0] * 0xFFFF)  # too many members for a plain zip
    # Data whose worst-case stream ends 30,000 bytes below the limit: the quick bound
    # (names of up to 64 KiB each) fails, and the names' real lengths decide.
    data = (limit - 30_000) * 256 // 257
    assert fits(["x"], [data])
    assert not fits(["x" * 40_000], [data])
