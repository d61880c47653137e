"""The store round trip of a stage run (`rustwheel.tasks.storage`): keys independent of the
checkout's location, nothing stored from a raced run, and a store that cannot be written costs
one warning, never the build."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rustwheel.cache.keys import CacheSpec, fingerprint, make_roots
from rustwheel.freshness import records
from rustwheel.freshness.facts import DigestCache, clock
from rustwheel.tasks import storage
from rustwheel.tasks.storage import Storage


@pytest.fixture(autouse=True)
def fresh_state() -> None:
    DigestCache._shared = None
    storage.reset_warnings()


def _checkout(root: Path, content: str = "fn f() {}") -> tuple[Path, Path]:
    """A crate with one source and one built artifact, at ``root``."""
    (root / "src").mkdir(parents=True)
    src = root / "src" / "lib.rs"
    src.write_text(content)
    os.utime(src, ns=(1_000_000_000, 1_000_000_000))
    out = root / "target" / "lib.so"
    out.parent.mkdir()
    out.write_bytes(b"\x7fELF built from " + content.encode())
    return src, out


def _storage(store: Path, root: Path) -> Storage:
    roots = make_roots([(root, "<ws>")])
    spec = CacheSpec(str(store), fingerprint(f"plan naming {root}", roots), roots, {"rustc": "1"})
    return Storage(spec, "compile", {})


def test_a_result_is_found_from_another_checkout(tmp_path: Path) -> None:
    store = tmp_path / "store"
    src, out = _checkout(tmp_path / "a")
    first = _storage(store, tmp_path / "a")
    assert first.lookup([]) is None
    observed = records.observe([str(src)], since=clock(tmp_path))
    first.save([], observed, {"lib.so": out})

    src_b, _ = _checkout(tmp_path / "b")
    second = _storage(store, tmp_path / "b")
    hit = second.lookup([])
    assert hit is not None and hit.inputs == (str(src_b),)  # the inputs, in this checkout
    restored = second.restore(hit, tmp_path / "b" / "restored")
    assert restored is not None and restored["lib.so"].read_bytes() == out.read_bytes()

    src_b.write_text("fn g() {}")  # other content: no hit
    assert second.lookup([]) is None


def test_a_run_whose_input_changed_while_it_ran_is_not_stored(tmp_path: Path) -> None:
    store = tmp_path / "store"
    src, out = _checkout(tmp_path / "a")
    since = clock(tmp_path)
    src.write_text("fn edited_during_the_run() {}")
    observed = records.observe([str(src)], since=since)
    _storage(store, tmp_path / "a").save([], observed, {"lib.so": out})
    assert _storage(store, tmp_path / "a").lookup([]) is None


def test_an_unwritable_store_costs_one_warning(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the store should be")
    src, out = _checkout(tmp_path / "a")
    observed = records.observe([str(src)], since=clock(tmp_path))
    for _ in range(2):
        s = _storage(blocked / "store", tmp_path / "a")
        assert s.lookup([]) is None
        s.save([], observed, {"lib.so": out})
    err = capsys.readouterr().err
    assert err.count("warning: cannot") == 1, err
    assert str(blocked / "store") in err and "--no-cache" in err
