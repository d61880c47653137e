"""The content-addressed store: keys, round trips, verification on read, eviction, concurrency."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest

from rustwheel.cache.keys import action_key, canonical_json, digest_bytes
from rustwheel.cache.maintenance import clear, gc, parse_size, stats, verify
from rustwheel.cache.store import (
    ActionEntry,
    LocalStore,
    OutputFile,
    Store,
    default_cache_dir,
    restore_files,
    store_files,
)
from rustwheel.errors import CacheError


def _store(root: Path, **kwargs: object) -> tuple[LocalStore, list[str]]:
    warnings: list[str] = []
    return LocalStore(root, warn=warnings.append, **kwargs), warnings  # type: ignore[arg-type]


def _key(n: int) -> str:
    return action_key("compile", 1, {"argv": ["cargo", str(n)]}, {}, {}, "0.1.0")


def _blob_file(root: Path, digest: str) -> Path:
    return root / "v1" / "blobs" / digest[:2] / digest


def _action_file(root: Path, key: str) -> Path:
    return root / "v1" / "actions" / key[:2] / f"{key}.json"


def _outputs(tmp: Path) -> dict[str, Path]:
    (tmp / "out" / "pkg").mkdir(parents=True)
    so, py = tmp / "out" / "pkg" / "mod.so", tmp / "out" / "pkg" / "__init__.py"
    so.write_bytes(b"\x7fELF" + bytes(range(256)) * 50)
    so.chmod(0o755)
    py.write_bytes(b"from .mod import *\n")
    py.chmod(0o644)
    return {"pkg/mod.so": so, "pkg/__init__.py": py}


# -- keys ------------------------------------------------------------------------------------

def test_canonical_json_and_action_key_ignore_ordering() -> None:
    assert canonical_json({"b": [1, "é"], "a": None}) == '{"a":null,"b":[1,"é"]}'.encode()
    assert digest_bytes(b"") == ("e3b0c44298fc1c149afbf4c8996fb924"
                                 "27ae41e4649b934ca495991b7852b855")
    k1 = action_key("compile", 1, {"a": 1, "b": 2}, {"x": "d1", "y": "d2"}, {"rustc": "1.80"}, "1")
    k2 = action_key("compile", 1, {"b": 2, "a": 1}, {"y": "d2", "x": "d1"}, {"rustc": "1.80"}, "1")
    assert k1 == k2 and len(k1) == 64
    changed = [action_key("repair", 1, {"a": 1, "b": 2}, {"x": "d1", "y": "d2"}, {"rustc": "1.80"},
                          "1"),
               action_key("compile", 2, {"a": 1, "b": 2}, {"x": "d1", "y": "d2"},
                          {"rustc": "1.80"}, "1"),
               action_key("compile", 1, {"a": 1, "b": 2}, {"x": "d9", "y": "d2"},
                          {"rustc": "1.80"}, "1"),
               action_key("compile", 1, {"a": 1, "b": 2}, {"x": "d1", "y": "d2"},
                          {"rustc": "1.81"}, "1"),
               action_key("compile", 1, {"a": 1, "b": 2}, {"x": "d1", "y": "d2"},
                          {"rustc": "1.80"}, "2")]
    assert len({k1, *changed}) == 6
    with pytest.raises(TypeError):
        canonical_json({"path": Path("x")})


def test_default_cache_dir() -> None:
    assert default_cache_dir({"RUSTWHEEL_CACHE_DIR": "/c", "XDG_CACHE_HOME": "/x"}) == Path("/c")
    assert default_cache_dir({"XDG_CACHE_HOME": "/x", "HOME": "/h"}) == Path("/x/rustwheel")
    assert default_cache_dir({"XDG_CACHE_HOME": "rel", "HOME": "/h"}) == Path(
        "/h/.cache/rustwheel")
    assert default_cache_dir({"HOME": "/h"}) == Path("/h/.cache/rustwheel")


def test_parse_size() -> None:
    assert parse_size("1024") == 1024
    assert parse_size("500M") == 500 * 1024**2
    assert parse_size("2G") == parse_size("2GiB") == parse_size("2gb") == 2 * 1024**3
    assert parse_size(" 1.5k ") == 1536
    for bad in ("", "M", "-1", "2X", "1e3"):
        with pytest.raises(CacheError, match="invalid cache size"):
            parse_size(bad)


# -- round trips -----------------------------------------------------------------------------

def test_blob_round_trip_and_stored_once(tmp_path: Path) -> None:
    store, warnings = _store(tmp_path)
    as_protocol: Store = store
    data = b"hello " * 1000
    digest = as_protocol.put_blob(data)
    assert digest == digest_bytes(data)
    assert store.put_blob(data) == digest
    assert store.contains_blob(digest) and store.get_blob(digest) == data
    assert store.put_blob(b"") == digest_bytes(b"") and store.get_blob(digest_bytes(b"")) == b""
    assert store.get_blob("0" * 64) is None and not store.contains_blob("0" * 64)
    blob_files = list((tmp_path / "v1" / "blobs").rglob("*"))
    assert sorted(p.name for p in blob_files if p.is_file()) == sorted([digest, digest_bytes(b"")])
    assert _blob_file(tmp_path, digest).stat().st_size < len(data)  # compressed
    assert list((tmp_path / "v1" / "tmp").iterdir()) == []
    assert warnings == []
    with pytest.raises(ValueError):
        store.get_blob("../../etc/passwd")


def test_zip_and_large_blobs_round_trip(tmp_path: Path) -> None:
    from rustwheel.cache.layout import LARGE_BLOB, ZSTD_LEVEL, blob_level

    store, warnings = _store(tmp_path)
    wheel = b"PK\x03\x04" + os.urandom(100_000)
    large = (os.urandom(1 << 20) + bytes(1 << 20)) * (LARGE_BLOB // (2 << 20) + 1)
    assert (blob_level(large), blob_level(b"x" * 100)) == (2, ZSTD_LEVEL)
    for data in (wheel, large):
        digest = store.put_blob(data)
        assert store.get_blob(digest) == data
    assert _blob_file(tmp_path, digest_bytes(large)).stat().st_size < len(large) * 0.6
    assert warnings == []


def _wheel(path: Path, big: bytes, small: bytes) -> Path:
    from rustwheel.spec.wheelfile import Entry, write_wheel

    write_wheel(path, [Entry("pkg/big.bin", big), Entry("pkg/mod.py", small)],
                "pkg-1.0.dist-info", None)
    return path


def _store_size(root: Path) -> int:
    return sum(p.stat().st_size for p in (root / "v1").rglob("*") if p.is_file())


def test_wheels_share_their_large_members_in_the_store(tmp_path: Path) -> None:
    """A wheel is stored as a recipe: its large members' streams are blobs shared with every
    other wheel holding them, so a wheel that differs in a small file adds kilobytes."""
    import random

    store, warnings = _store(tmp_path / "store")
    big = random.Random(1).randbytes(3 << 20)
    first = _wheel(tmp_path / "a" / "w.whl", big, b"x = 1\n")
    entry = store_files(store, "wheel", {"w.whl": first}, {})
    (out,) = entry.outputs
    assert len(out.parts) == 1 and out.size == first.stat().st_size
    before = _store_size(tmp_path / "store")
    second = _wheel(tmp_path / "b" / "w.whl", big, b"x = 2\n")
    entry2 = store_files(store, "wheel", {"w.whl": second}, {})
    assert entry2.outputs[0].parts == out.parts
    assert _store_size(tmp_path / "store") - before < 4096
    for e, wheel in ((entry, first), (entry2, second)):
        assert restore_files(store, e, tmp_path / "restored")
        assert (tmp_path / "restored" / "w.whl").read_bytes() == wheel.read_bytes()
    _flip_byte(_blob_file(tmp_path / "store", out.parts[0]), 1 << 20)  # a damaged part
    assert not restore_files(store, entry, tmp_path / "again")
    assert not (tmp_path / "again").exists() and len(warnings) == 1 and "corrupt" in warnings[0]
    assert not _blob_file(tmp_path / "store", out.parts[0]).exists()
    store_files(store, "wheel", {"w.whl": first}, {})  # stored again: whole again
    assert restore_files(store, entry2, tmp_path / "third")
    assert (tmp_path / "third" / "w.whl").read_bytes() == second.read_bytes()


def test_the_wheel_writer_tells_the_store_its_streams(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A wheel written with a member cache tells the store (same process, same file) the sha256
    of its large members' streams: a part the store holds is not read again. A hint for a file
    changed since, or for a part the store lacks, is not taken on trust."""
    import random

    from rustwheel.cache import store as store_module
    from rustwheel.spec.wheelfile import Entry, MemberCache, write_wheel

    hashed: list[int] = []
    real = store_module._span_digest

    def counting(src: object, length: int) -> str:
        hashed.append(length)
        return real(src, length)  # type: ignore[arg-type]

    monkeypatch.setattr(store_module, "_span_digest", counting)
    store, warnings = _store(tmp_path / "store")
    big = random.Random(2).randbytes(1 << 20)
    wheel = tmp_path / "w.whl"

    def write(small: bytes) -> ActionEntry:
        write_wheel(wheel, [Entry("pkg/big.bin", big), Entry("pkg/mod.py", small)],
                    "pkg-1.0.dist-info", None, MemberCache(tmp_path / "members"))
        return store_files(store, "wheel", {"w.whl": wheel}, {})

    first = write(b"x = 1\n")
    assert hashed == []  # a new part is stored in one pass, checked against the hint
    second = write(b"x = 2\n")
    assert hashed == [] and second.outputs[0].parts == first.outputs[0].parts
    from rustwheel.cache import hints

    spans = hints.recall(str(wheel), wheel.stat())
    assert len(spans) == 1
    os.utime(wheel, ns=(1, 1))  # changed since written: the hint is not used
    store_files(store, "wheel", {"w.whl": wheel}, {})
    assert len(hashed) == 1
    assert restore_files(store, second, tmp_path / "out") and warnings == []
    assert (tmp_path / "out" / "w.whl").read_bytes() == wheel.read_bytes()
    hints.remember(str(wheel), {span: "0" * 64 for span in spans})  # wrong, for a new part
    with pytest.raises(CacheError, match="changed while it was being stored"):
        _store(tmp_path / "other")[0].put_output(wheel, "w.whl", False)


def test_action_round_trip_and_restore(tmp_path: Path) -> None:
    store, warnings = _store(tmp_path / "cache")
    files = _outputs(tmp_path)
    entry = store_files(store, "compile", files, {"inputs": ["src/lib.rs"]})
    assert [o.name for o in entry.outputs] == ["pkg/__init__.py", "pkg/mod.so"]
    assert [o.executable for o in entry.outputs] == [False, True]
    key = _key(1)
    assert store.get_action(key) is None and not store.contains_action(key)
    store.put_action(key, entry)
    assert store.contains_action(key) and store.get_action(key) == entry

    dest = tmp_path / "restored"
    assert restore_files(store, entry, dest)
    for name, src in files.items():
        assert (dest / name).read_bytes() == src.read_bytes()
    assert (dest / "pkg/mod.so").stat().st_mode & 0o777 == 0o755
    assert (dest / "pkg/__init__.py").stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in (dest / "pkg").iterdir()) == ["__init__.py", "mod.so"]
    assert warnings == []
    assert stats(tmp_path / "cache") == {
        "entries": 1, "blobs": 2, "bytes_uncompressed": sum(o.size for o in entry.outputs),
        "bytes_on_disk": sum(p.stat().st_size for p in (tmp_path / "cache").rglob("*")
                             if p.is_file() and p.name != "lock")}


def test_store_files_rejects_unsafe_names(tmp_path: Path) -> None:
    store, _ = _store(tmp_path / "cache")
    (tmp_path / "f").write_bytes(b"x")
    for name in ("../f", "/abs", "a//b", "a\\b", ""):
        with pytest.raises(ValueError):
            store_files(store, "s", {name: tmp_path / "f"}, {})


# -- verification on read ----------------------------------------------------------------------

def _flip_byte(path: Path, offset: int) -> None:
    raw = bytearray(path.read_bytes())
    raw[offset] ^= 0xFF
    path.write_bytes(bytes(raw))


def _truncate(path: Path) -> None:
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) - 3])


@pytest.mark.parametrize("damage", ["flip_header", "flip_frame", "flip_last", "truncate",
                                    "empty"])
def test_corrupt_blob_is_reported_removed_and_a_miss(tmp_path: Path, damage: str) -> None:
    store, warnings = _store(tmp_path)
    data = os.urandom(4000) + b"a" * 4000
    digest = store.put_blob(data)
    path = _blob_file(tmp_path, digest)
    size = path.stat().st_size
    if damage == "truncate":
        _truncate(path)
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        _flip_byte(path, {"flip_header": 2, "flip_frame": size // 2, "flip_last": size - 1}[damage])
    assert store.get_blob(digest) is None
    assert len(warnings) == 1 and str(path) in warnings[0] and "corrupt" in warnings[0]
    assert not path.exists()
    assert store.put_blob(data) == digest and store.get_blob(digest) == data  # rebuilt


@pytest.mark.parametrize("damage", ["flip", "truncate", "edit", "empty"])
def test_corrupt_action_is_reported_removed_and_a_miss(tmp_path: Path, damage: str) -> None:
    store, warnings = _store(tmp_path)
    entry = ActionEntry("compile", (OutputFile("a.so", store.put_blob(b"a"), 1, True),),
                        {"n": 1})
    key = _key(1)
    store.put_action(key, entry)
    path = _action_file(tmp_path, key)
    if damage == "flip":
        _flip_byte(path, len(path.read_bytes()) // 2)
    elif damage == "truncate":
        _truncate(path)
    elif damage == "edit":  # valid JSON, plausible content, wrong checksum
        path.write_bytes(path.read_bytes().replace(b'"executable":true', b'"executable":false'))
    else:
        path.write_bytes(b"")
    assert store.get_action(key) is None
    assert len(warnings) == 1 and str(path) in warnings[0] and "corrupt" in warnings[0]
    assert not path.exists()


def test_entry_under_the_wrong_key_is_a_miss(tmp_path: Path) -> None:
    store, warnings = _store(tmp_path)
    store.put_action(_key(1), ActionEntry("s", (), {}))
    wrong = _action_file(tmp_path, _key(2))
    wrong.parent.mkdir(parents=True, exist_ok=True)
    wrong.write_bytes(_action_file(tmp_path, _key(1)).read_bytes())
    assert store.get_action(_key(2)) is None and "is for key" in warnings[0]


@pytest.mark.parametrize("damage", ["delete", "flip"])
def test_restore_writes_nothing_when_a_blob_is_bad(tmp_path: Path, damage: str) -> None:
    store, warnings = _store(tmp_path / "cache")
    entry = store_files(store, "compile", _outputs(tmp_path), {})
    bad = _blob_file(tmp_path / "cache", entry.outputs[-1].digest)  # the last file restored
    if damage == "delete":
        bad.unlink()
    else:
        _flip_byte(bad, bad.stat().st_size // 2)
    dest = tmp_path / "restored"
    assert not restore_files(store, entry, dest)
    assert not dest.exists()
    assert len(warnings) == (0 if damage == "delete" else 1)


def test_verify_drops_bad_blobs_and_entries_that_need_them(tmp_path: Path) -> None:
    store, _ = _store(tmp_path)
    good = ActionEntry("s", (OutputFile("a", store.put_blob(b"a" * 100), 100, False),), {})
    bad_digest = store.put_blob(b"b" * 100)
    needs_bad = ActionEntry("s", (OutputFile("b", bad_digest, 100, False),), {})
    store.put_action(_key(1), good)
    store.put_action(_key(2), needs_bad)
    store.put_action(_key(3), good)
    _flip_byte(_blob_file(tmp_path, bad_digest), 30)
    _truncate(_action_file(tmp_path, _key(3)))
    problems = verify(tmp_path)
    assert len(problems) == 3
    assert any(bad_digest in p and "removed" in p for p in problems)
    assert any(_key(2) in p and "missing blob" in p for p in problems)
    assert any(_key(3) in p for p in problems)
    assert verify(tmp_path) == []
    assert store.get_action(_key(1)) == good and store.get_action(_key(2)) is None


# -- eviction ------------------------------------------------------------------------------------

def _entry_of_size(store: LocalStore, n: int, size: int = 20_000) -> ActionEntry:
    data = os.urandom(size)  # incompressible: each entry takes about `size` bytes on disk
    return ActionEntry("s", (OutputFile(f"f{n}", store.put_blob(data), size, False),), {})


def _age(root: Path, key: str, entry: ActionEntry, mtime: float) -> None:
    os.utime(_action_file(root, key), (mtime, mtime))
    for out in entry.outputs:
        os.utime(_blob_file(root, out.digest), (mtime, mtime))


def test_gc_evicts_least_recently_used_first(tmp_path: Path) -> None:
    store, _ = _store(tmp_path)
    entries = {}
    for n in range(4):
        entries[n] = _entry_of_size(store, n)
        store.put_action(_key(n), entries[n])
        _age(tmp_path, _key(n), entries[n], 1_000_000 + n * 1000)  # 0 is the oldest
    assert store.get_action(_key(0)) is not None  # a read makes 0 the most recently used
    assert restore_files(store, entries[0], tmp_path / "out")
    (tmp_path / "v1" / "tmp" / "stale").write_bytes(b"x")

    result = gc(tmp_path, 50_000)
    assert result["actions_removed"] == 2 and result["blobs_removed"] == 2
    assert result["tmp_removed"] == 1
    assert result["bytes_after"] <= 50_000 < result["bytes_before"]
    assert stats(tmp_path)["bytes_on_disk"] <= 50_000
    assert [store.contains_action(_key(n)) for n in range(4)] == [True, False, False, True]
    assert [store.contains_blob(entries[n].outputs[0].digest) for n in range(4)] == [
        True, False, False, True]
    assert not (tmp_path / "v1" / "tmp" / "stale").exists()


def test_gc_removes_old_unreferenced_blobs_only(tmp_path: Path) -> None:
    store, _ = _store(tmp_path)
    kept = _entry_of_size(store, 0, 100)
    store.put_action(_key(0), kept)
    old, fresh = store.put_blob(b"old" * 100), store.put_blob(b"fresh" * 100)
    os.utime(_blob_file(tmp_path, old), (1_000_000, 1_000_000))
    result = gc(tmp_path, 10**9)
    assert result["blobs_removed"] == 1 and result["actions_removed"] == 0
    assert not store.contains_blob(old) and store.contains_blob(fresh)
    assert store.contains_blob(kept.outputs[0].digest)
    gc(tmp_path, 10**9, unreferenced_grace=0)
    assert not store.contains_blob(fresh) and store.get_action(_key(0)) == kept


def test_max_size_evicts_after_put(tmp_path: Path) -> None:
    store, _ = _store(tmp_path, max_size=70_000)
    for n in range(6):
        entry = _entry_of_size(store, n)
        store.put_action(_key(n), entry)
        _age(tmp_path, _key(n), entry, 1_000_000 + n * 1000)
        assert stats(tmp_path)["bytes_on_disk"] <= 70_000
    assert [store.contains_action(_key(n)) for n in range(6)] == [False] * 3 + [True] * 3


def test_size_bound_from_the_environment_and_running_total(tmp_path: Path) -> None:
    """The bound: 10 GiB unless RUSTWHEEL_CACHE_MAX_SIZE says otherwise (a bad value is one
    clear error); the store's running total follows what is written without a scan."""
    from rustwheel.cache.location import DEFAULT_MAX_SIZE, max_size

    assert max_size({}) == DEFAULT_MAX_SIZE == 10 * 1024**3
    assert max_size({"RUSTWHEEL_CACHE_MAX_SIZE": "500M"}) == 500 * 1024**2
    with pytest.raises(CacheError, match="RUSTWHEEL_CACHE_MAX_SIZE.*500M or 2G"):
        max_size({"RUSTWHEEL_CACHE_MAX_SIZE": "big"})
    store, _ = _store(tmp_path, max_size=10**9)
    for n in range(3):
        store.put_action(_key(n % 2), _entry_of_size(store, n))  # key 0 is written twice
    total = int((tmp_path / "v1" / "size").read_text())
    assert total == stats(tmp_path)["bytes_on_disk"]


def test_clear_leaves_other_files_alone(tmp_path: Path) -> None:
    store, _ = _store(tmp_path)
    store.put_action(_key(1), _entry_of_size(store, 1, 100))
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "f").write_text("mine too")
    clear(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert (tmp_path / "other" / "f").read_text() == "mine too"
    assert stats(tmp_path) == {"entries": 0, "blobs": 0, "bytes_on_disk": 0,
                               "bytes_uncompressed": 0}
    assert store.get_action(_key(1)) is None
    store.put_action(_key(2), _entry_of_size(store, 2, 100))  # usable again right away
    assert store.get_action(_key(2)) is not None


def test_maintenance_on_a_missing_store_creates_nothing(tmp_path: Path) -> None:
    root = tmp_path / "nothing"
    assert stats(root)["entries"] == 0 and verify(root) == [] and gc(root, 0)["bytes_after"] == 0
    clear(root)
    assert not root.exists()


# -- concurrency -----------------------------------------------------------------------------------

def _worker(args: tuple[str, int]) -> int:
    root, worker = Path(args[0]), args[1]
    warnings: list[str] = []
    store = LocalStore(root, warn=warnings.append)
    done = 0
    for round_ in range(3):
        for n in range(12):  # every worker writes the same 12 entries, in a different order
            n = (n + worker * 3) % 12
            payload = (f"content {n} ".encode() * 3000) + bytes([n]) * n
            key = _key(n)
            got = store.get_action(key)
            if got is None:
                digest = store.put_blob(payload)
                extra = store.put_blob(payload[::-1])
                entry = ActionEntry("s", (OutputFile("a", digest, len(payload), False),
                                          OutputFile("b/c", extra, len(payload), True)),
                                    {"n": n})
                store.put_action(key, entry)
                got = store.get_action(key)
            assert got is not None and got.meta == {"n": n}
            assert store.get_blob(got.outputs[0].digest) == payload
            assert store.get_blob(got.outputs[1].digest) == payload[::-1]
            done += 1
        if worker == 0:
            assert verify(root) == []  # takes the exclusive lock while the others work
        if worker == 1 and round_ == 1:
            stats(root)
    assert warnings == []
    return done


def test_concurrent_processes_share_one_store(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(4) as pool:
        results = pool.map(_worker, [(str(tmp_path), w) for w in range(4)])
    assert results == [36] * 4
    assert verify(tmp_path) == []
    assert stats(tmp_path)["entries"] == 12 and stats(tmp_path)["blobs"] == 24
    assert list((tmp_path / "v1" / "tmp").iterdir()) == []
