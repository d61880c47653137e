"""The no-op stamp: fresh while every recorded file keeps its stat, stale on any change."""

from __future__ import annotations

import os
from pathlib import Path

from rustwheel.freshness import stamp


def test_stamp_fresh_until_something_changes(tmp_path: Path) -> None:
    src = tmp_path / "lib.rs"
    src.write_text("a")
    out = tmp_path / "w.whl"
    out.write_text("wheel")
    path = stamp.stamp_path(tmp_path / "cache", "ab" * 32)
    stamp.write(path, [str(src), str(out), str(tmp_path)], tasks=["detect", "wheel:x"],
                wheels=[str(out)])
    data = stamp.read_fresh(path)
    assert data is not None and data["wheels"] == [str(out)] and data["tasks"][0] == "detect"

    os.utime(src, ns=(1, 1))  # even a touch invalidates: the task graph then decides
    assert stamp.read_fresh(path) is None
    stamp.write(path, [str(src), str(out)], tasks=[], wheels=[])
    out.unlink()  # an output that disappeared
    assert stamp.read_fresh(path) is None


def test_stamp_key_depends_on_arguments_cwd_and_relevant_env() -> None:
    base = stamp.stamp_key(["build"], "/a", {"RUSTFLAGS": "-Copt-level=1", "TERM": "x"})
    assert base == stamp.stamp_key(["build"], "/a", {"RUSTFLAGS": "-Copt-level=1", "TERM": "y"})
    assert base != stamp.stamp_key(["build", "-r"], "/a", {"RUSTFLAGS": "-Copt-level=1"})
    assert base != stamp.stamp_key(["build"], "/b", {"RUSTFLAGS": "-Copt-level=1"})
    assert base != stamp.stamp_key(["build"], "/a", {"RUSTFLAGS": "-Copt-level=2"})
    assert base != stamp.stamp_key(["build"], "/a", {"RUSTFLAGS": "-Copt-level=1",
                                                     "SOURCE_DATE_EPOCH": "1"})


def test_unreadable_or_foreign_stamp_is_not_fresh(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    assert stamp.read_fresh(path) is None
    path.write_text("{not json")
    assert stamp.read_fresh(path) is None
    path.write_text('{"format": 999, "files": {}}')
    assert stamp.read_fresh(path) is None
