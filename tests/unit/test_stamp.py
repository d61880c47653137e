"""The no-op stamp (`rustwheel.freshness.stamp`) and what it watches
(`rustwheel.freshness.watch`): derived from the task dicts and the stages' records."""

from __future__ import annotations

import os
from pathlib import Path

from rustwheel.freshness import records, stamp, watch
from rustwheel.freshness.facts import clock
from rustwheel.freshness.records import Recorded
from rustwheel.options import BuildOptions


def test_stamp_fresh_until_something_changes(tmp_path: Path) -> None:
    src = tmp_path / "lib.rs"
    src.write_text("a")
    out = tmp_path / "w.whl"
    out.write_text("wheel")
    gone = tmp_path / "absent"
    path = stamp.stamp_path(tmp_path / "cache", "ab" * 32)
    facts = {str(p): [os.stat(p).st_ino, os.stat(p).st_size, os.stat(p).st_mtime_ns]
             for p in (src, out)}
    stamp.write(path, {**facts, str(gone): None}, tasks=["detect", "wheel:x"],
                wheels=[str(out)])
    data = stamp.read_fresh(path)
    assert data is not None and data["wheels"] == [str(out)] and data["tasks"][0] == "detect"
    gone.write_text("")  # a path that must stay absent appeared
    assert stamp.read_fresh(path) is None
    gone.unlink()
    os.utime(src, ns=(1, 1))  # even a touch invalidates: the task graph then decides
    assert stamp.read_fresh(path) is None


def test_stamp_key_depends_on_options_cwd_and_relevant_env() -> None:
    base = stamp.stamp_key("{}", "/a", {"RUSTFLAGS": "-Copt-level=1", "TERM": "x"})
    assert base == stamp.stamp_key("{}", "/a", {"RUSTFLAGS": "-Copt-level=1", "TERM": "y"})
    assert base != stamp.stamp_key('{"release": true}', "/a", {"RUSTFLAGS": "-Copt-level=1"})
    assert base != stamp.stamp_key("{}", "/b", {"RUSTFLAGS": "-Copt-level=1"})
    assert base != stamp.stamp_key("{}", "/a", {"RUSTFLAGS": "-Copt-level=2"})


def test_stamps_follow_the_options(tmp_path: Path) -> None:
    env = {"RUSTWHEEL_CACHE_DIR": str(tmp_path)}
    dev = stamp.stamps_of(BuildOptions(), env)
    release = stamp.stamps_of(BuildOptions(release=True), env)
    assert dev is not None and release is not None and dev != release
    assert dev[0].is_relative_to(tmp_path)
    assert stamp.stamps_of(BuildOptions(no_cache=True), env) is None


def test_unreadable_or_foreign_stamp_is_not_fresh(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    assert stamp.read_fresh(path) is None
    path.write_text("{not json")
    assert stamp.read_fresh(path) is None
    path.write_text('{"format": 999, "files": {}}')
    assert stamp.read_fresh(path) is None


def _task(tmp_path: Path, name: str, src: Path, out: Path, since: int) -> dict[str, object]:
    record = str(tmp_path / "state" / name / "inputs.json")
    out.write_text(f"built from {src.read_text()}")
    records.write(record, "fp", records.observe([str(src)], since=since), [str(out)])
    return {"basename": name, "file_dep": [str(tmp_path / "plan.json")],
            "targets": [record], "uptodate": [Recorded(record, "fp")]}


def test_watch_list_is_what_the_graph_declares_and_records(tmp_path: Path) -> None:
    (tmp_path / "plan.json").write_text("{}")
    src = tmp_path / "lib.rs"
    src.write_text("v1")
    os.utime(src, ns=(1_000_000_000, 1_000_000_000))
    since = clock(tmp_path / "clock")
    tasks = [_task(tmp_path, "compile", src, tmp_path / "lib.so", since)]
    found = watch.watched(tasks)
    assert found is not None
    assert sorted(found) == sorted({str(tmp_path / "plan.json"), str(src),
                                    str(tmp_path / "lib.so"), *tasks[0]["targets"]})
    assert found[str(src)] == [os.stat(src).st_ino, os.stat(src).st_size,
                               os.stat(src).st_mtime_ns]


def test_no_watch_list_when_an_input_changed_after_its_stage_read_it(tmp_path: Path) -> None:
    (tmp_path / "plan.json").write_text("{}")
    src = tmp_path / "lib.rs"
    src.write_text("v1")
    os.utime(src, ns=(1_000_000_000, 1_000_000_000))
    tasks = [_task(tmp_path, "compile", src, tmp_path / "lib.so", clock(tmp_path / "c"))]
    records._WRITTEN.clear()  # the record of an earlier build, read from disk
    src.write_text("v2, saved after the stage read v1")
    assert watch.watched(tasks) is None  # a stamp would pair v2 with v1's output


def test_a_record_this_build_wrote_is_watched_as_its_stage_saw_it(tmp_path: Path) -> None:
    """Neither decoded nor stated again: the facts taken right after the stage ran, so an
    edit since then is a change at the next no-op check."""
    (tmp_path / "plan.json").write_text("{}")
    src = tmp_path / "lib.rs"
    src.write_text("v1")
    os.utime(src, ns=(1_000_000_000, 1_000_000_000))
    seen = os.stat(src)
    tasks = [_task(tmp_path, "compile", src, tmp_path / "lib.so", clock(tmp_path / "c"))]
    src.write_text("v2, saved after the stage read v1")
    found = watch.watched(tasks)
    assert found is not None
    assert found[str(src)] == [seen.st_ino, seen.st_size, seen.st_mtime_ns]
    assert found[str(src)] != [os.stat(src).st_ino, os.stat(src).st_size,
                               os.stat(src).st_mtime_ns]


def test_watch_list_accepts_a_recorded_input_rewritten_with_the_same_content(
        tmp_path: Path) -> None:
    """An upstream stage rewrote the file the downstream stage read, byte for byte (its facts
    moved, its content did not): the downstream stage is up to date, and so is the stamp."""
    (tmp_path / "plan.json").write_text("{}")
    src = tmp_path / "lib.rs"
    src.write_text("v1")
    os.utime(src, ns=(1_000_000_000, 1_000_000_000))
    tasks = [_task(tmp_path, "wheel", src, tmp_path / "w.whl", clock(tmp_path / "c"))]
    records._WRITTEN.clear()  # the record of an earlier build, read from disk
    src.unlink()
    src.write_text("v1")  # a new inode and mtime, the same bytes
    found = watch.watched(tasks)
    assert found is not None and found[str(src)][0] == os.stat(src).st_ino
