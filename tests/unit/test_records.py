"""Stage records (`rustwheel.freshness.records`): what a stage read and wrote, and the race
rule for inputs edited while it ran."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rustwheel.freshness import records
from rustwheel.freshness.facts import DigestCache, clock
from rustwheel.freshness.records import Recorded


@pytest.fixture(autouse=True)
def fresh_digest_cache() -> None:
    DigestCache._shared = None


def _record(tmp_path: Path, inputs: list[str], outputs: list[str] = (), *, since: int = 0,
            probed: list[str] = (), env: list[str] = ()) -> tuple[str, records.Observed]:
    path = str(tmp_path / "state" / "cell" / "stage-inputs.json")
    observed = records.observe(inputs, env, since=since or clock(tmp_path / "clock"),
                               probed=probed)
    records.write(path, "fp", observed, outputs)
    return path, observed


def _old(path: Path) -> None:
    """An mtime well before any build starts."""
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))


def test_touched_input_is_fresh_edited_is_not(tmp_path: Path) -> None:
    src = tmp_path / "lib.rs"
    src.write_text("fn a() {}")
    _old(src)
    path, observed = _record(tmp_path, [str(src)])
    assert observed.clean
    assert Recorded(path, "fp")()
    os.utime(src, ns=(2_000_000_000, 2_000_000_000))  # touched, same content
    assert records.changes(path, "fp") == []
    src.write_text("fn b() {}")
    assert records.changes(path, "fp") == [str(src)]
    assert records.changes(path, "another plan") is None  # the record is for another plan
    src.unlink()
    assert not Recorded(path, "fp")()


def test_input_written_after_the_stage_started_is_recorded_as_unknown(tmp_path: Path) -> None:
    src = tmp_path / "lib.rs"
    src.write_text("old")
    _old(src)
    since = clock(tmp_path / "clock")
    src.write_text("edited while the stage ran")
    path, observed = _record(tmp_path, [str(src)], since=since)
    assert not observed.clean
    assert records.changes(path, "fp") == [str(src)]  # the next build runs the stage again
    assert str(src) not in observed.digests()  # so the store never keys a result by it


def test_build_products_are_exempt_from_the_race_rule(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.mkdir()
    since = clock(tmp_path / "clock")
    generated = target / "out" / "gen.rs"
    generated.parent.mkdir()
    generated.write_text("// written by a build script during the stage")
    observed = records.observe([str(generated)], since=since, exempt=[str(target)])
    assert observed.clean


def test_outputs_must_stay_the_files_the_stage_wrote(tmp_path: Path) -> None:
    out = tmp_path / "wheel.whl"
    out.write_bytes(b"wheel")
    path, _ = _record(tmp_path, [], [str(out)])
    assert Recorded(path, "fp")()
    out.write_bytes(b"other")
    assert records.changes(path, "fp") == [str(out)]
    out.unlink()
    assert records.changes(path, "fp") == [str(out)]


def test_probed_path_appearing_is_a_change(tmp_path: Path) -> None:
    config = tmp_path / "cbindgen.toml"
    path, observed = _record(tmp_path, [], probed=[str(config)])
    assert observed.clean and observed.digests() == {}
    assert Recorded(path, "fp")()
    config.write_text("language = 'C'\n")
    assert records.changes(path, "fp") == [str(config)]


def test_declared_environment_variables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        ) -> None:
    monkeypatch.setenv("MY_BUILD_VAR", "s3cr3t-token")
    path, observed = _record(tmp_path, [], env=["MY_BUILD_VAR"])
    assert b"s3cr3t" not in Path(path).read_bytes()  # digests only, never values
    assert Recorded(path, "fp")()
    monkeypatch.setenv("MY_BUILD_VAR", "another")
    assert records.changes(path, "fp") == ["$MY_BUILD_VAR"]


def test_directory_inputs_compare_their_listing(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "a.py").write_text("")
    _old(pkg)
    path, _ = _record(tmp_path, [str(pkg)])
    (pkg / "tmp").write_text("")
    (pkg / "tmp").unlink()  # the directory's mtime moved, its listing did not
    assert records.changes(path, "fp") == []
    (pkg / "b.py").write_text("")
    assert records.changes(path, "fp") == [str(pkg)]


def test_unreadable_or_foreign_record_is_not_fresh(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    assert records.changes(str(path), "fp") is None
    path.write_text("{not json")
    assert not Recorded(str(path), "fp")()
    path.write_text('{"format": 1, "fingerprint": "fp", "files": {}}')
    assert records.changes(str(path), "fp") is None


def test_facts_taken_before_the_stage_decide_for_known_inputs(tmp_path: Path) -> None:
    src = tmp_path / "pkg.py"
    src.write_text("x = 1")
    future = (clock(tmp_path / "clock") + 10**10)  # touched ten seconds into the future
    os.utime(src, ns=(future, future))
    before = records.snapshot([str(src)])
    since = clock(tmp_path / "clock")
    assert records.observe([str(src)], since=since, before=before).clean  # not an edit
    assert not records.observe([str(src)], since=since).clean  # unknown before: by mtime
    src.write_text("x = 2")  # written while the stage ran
    assert not records.observe([str(src)], since=since, before=before).clean


def test_the_stage_starts_from_its_check_once(tmp_path: Path) -> None:
    """The up-to-date check's record and stats are handed to the stage run right after it,
    once; a check of another record, or a failed one, leaves nothing to take."""
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    for f in (a, b):
        f.write_text("x = 1\n")
        _old(f)
    path, _ = _record(tmp_path, [str(a), str(b)])
    assert records.changes(path, "fp") == []
    data, seen = records.checked(path)
    assert data is not None and sorted(data["inputs"]) == sorted(seen) == [str(a), str(b)]
    assert records.snapshot([str(a), str(tmp_path / "c.py")], seen) == {
        str(a): records.snapshot([str(a)])[str(a)], str(tmp_path / "c.py"): None}
    assert records.checked(path) == (None, {})  # taken once
    records.changes(path, "fp")
    other, _ = _record(tmp_path / "other", [str(a)])
    assert records.changes(other, "another plan") is None
    assert records.checked(path) == (None, {})  # the last check was of another record


def test_digest_index_drops_gone_files_when_new_paths_come(tmp_path: Path) -> None:
    """An edit of a known file saves the index as it is; a new path also drops the entries of
    files that no longer exist."""
    from rustwheel.freshness import statefile
    from rustwheel.freshness.facts import FactsIndex

    a, b, c = (tmp_path / n for n in ("a", "b", "c"))
    for f in (a, b, c):
        f.write_text("1")
    index = tmp_path / "index.state"
    idx = FactsIndex(index)
    for f in (a, b):
        idx.put(str(f), os.stat(f), "d")
    idx.save()
    b.unlink()
    a.write_text("2")
    idx = FactsIndex(index)
    idx.put(str(a), os.stat(a), "d2")
    idx.save()
    assert sorted(statefile.read(index)) == [str(a), str(b)]
    idx.put(str(c), os.stat(c), "d")
    idx.save()
    assert sorted(statefile.read(index)) == [str(a), str(c)]


def test_an_input_judged_by_its_facts_is_recorded_with_them(tmp_path: Path) -> None:
    """A member the wheel stage copied from the last wheel was judged by its facts, never
    read: the record keeps those facts (with their known digest) even if the file changed
    since, so the next check sees the change; with no digest known, it is stat'ed as usual."""
    src = tmp_path / "pkg.py"
    src.write_text("x = 1\n")
    _old(src)
    path, _ = _record(tmp_path, [str(src)])
    judged = records.snapshot([str(src)])[str(src)]
    assert judged is not None
    src.write_text("x = 22\n")  # an edit after the check that judged it
    since = clock(tmp_path / "clock")
    observed = records.observe([str(src)], since=since, judged={str(src): judged})
    assert observed.clean and observed.inputs[str(src)][:3] == list(judged)
    records.write(path, "fp", observed)
    assert records.changes(path, "fp") == [str(src)]  # the next build sees the edit
    unknown = (judged[0], judged[1], judged[2] + 1)  # a version never hashed
    observed = records.observe([str(src)], since=since, judged={str(src): unknown})
    assert observed.inputs[str(src)][:3] == list(records.snapshot([str(src)])[str(src)] or ())


def test_a_digest_hashed_ahead_serves_every_name_of_that_version(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The compile stage starts hashing cargo's new library while cargo finishes; the wheel
    stage's check asks for the digest of the staged hard link, and gets the same hash without
    reading the file again. A version changed after it was hashed ahead is hashed again."""
    from rustwheel.freshness import facts as facts_module

    lib = tmp_path / "target" / "libx.so"
    lib.parent.mkdir()
    lib.write_bytes(b"\x7fELF" + bytes(range(256)) * 4096)
    staged = tmp_path / "stage" / "x.so"
    staged.parent.mkdir()
    DigestCache.prefetch(str(lib))
    os.link(lib, staged)
    hashed: list[str] = []
    real = facts_module._hash_file
    monkeypatch.setattr(facts_module, "_hash_file", lambda p: hashed.append(p) or real(p))
    cache = DigestCache(None)
    assert cache.digest(str(staged)) == real(str(lib))[0]
    assert hashed == []  # the thread's hash, taken by the other name
    lib.unlink()
    lib.write_bytes(b"another build")
    DigestCache.prefetch(str(lib))
    with open(lib, "ab") as fh:  # written again after the hash started: other facts
        fh.write(b" and more")
    assert cache.digest(str(lib)) == real(str(lib))[0]  # not the hash of the first version
