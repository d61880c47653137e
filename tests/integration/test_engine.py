"""The engine end to end: the public API, the no-op stamp derived from the graph, and a store
that cannot be written."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import copy_crate, run_rustwheel

import rustwheel
from rustwheel.freshness import records, stamp, statefile, watch
from rustwheel.freshness.records import Recorded
from rustwheel.plan.resolve import plan_build
from rustwheel.tasks import pipeline

pytestmark = pytest.mark.slow


def test_api_result_and_no_op(tmp_path: Path, target_dir: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    crate = copy_crate("pyo3-mixed", tmp_path)
    monkeypatch.chdir(crate)
    options = {"target_dir": str(target_dir), "out": str(tmp_path / "dist"),
               "interpreters": (sys.executable,), "quiet": True}
    first = rustwheel.build(**options)
    assert [w.parent for w in first.wheels] == [tmp_path / "dist"] and first.wheels[0].is_file()
    assert {s.task.split(":")[0] for s in first.stages} == {"detect", "compile", "repair",
                                                            "wheel"}
    assert first.shortcut is None and first.stamp is not None

    second = rustwheel.build(rustwheel.BuildOptions(**options))
    assert second.shortcut == "no-op" and second.wheels == first.wheels
    assert {s.status for s in second.stages} == {"up to date"}

    # A new file in the project directory (say, a target/ of a plain `cargo build`): the
    # configuration is resolved again, to the same plan; the build after is a no-op again.
    (crate / "notes.txt").write_text("not part of the build\n")
    third = rustwheel.build(**options)
    assert third.shortcut is None and third.stamp is not None and third.stamp.is_file()
    assert rustwheel.build(**options).shortcut == "no-op"

    with pytest.raises(TypeError):
        rustwheel.build(no_such_option=True)
    with pytest.raises(rustwheel.RustwheelError, match="bindings"):
        rustwheel.build(**options, bindings="nonsense")


def test_stamp_watches_exactly_what_the_graph_declares_and_records(
        tmp_path: Path, target_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    crate = copy_crate("pyo3-mixed", tmp_path)
    monkeypatch.chdir(crate)
    opts = rustwheel.BuildOptions(target_dir=str(target_dir), out=str(tmp_path / "dist"),
                                  interpreters=(sys.executable,), quiet=True)
    result = rustwheel.build(opts)
    assert result.stamp is not None
    watched = set(statefile.read(result.stamp)["files"])

    resolved = plan_build(opts, stamp.stamps_of(opts)[1])  # type: ignore[index]
    tasks = list(pipeline.doit_tasks(resolved.graph))
    expected = set(watch.declared(tasks))
    for task in tasks:
        for item in task.get("uptodate", ()):
            if isinstance(item, Recorded):  # detect's record too (a Watched)
                data = records.read(item.record_path)
                assert data is not None
                expected |= {*data["inputs"], *data["outputs"]}
    assert watched == expected
    # Every source of the wheel and every file cargo read is among them.
    assert str(crate / "python" / "mixed_pkg" / "__init__.py") in watched
    assert str(crate / "src" / "lib.rs") in watched


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB filesystem: too small for the compiled library."""
    mount = tmp_path / "full"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def _full_disk_warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "cannot write the build cache" in line]


def test_a_store_on_a_full_disk_costs_one_warning(tmp_path: Path, target_dir: Path,
                                                  full_disk: Path) -> None:
    """Inline (as on CI), the build gives the warning; with the writes done after the command
    (a detached writer), the next command that uses the store gives it, once."""
    crate = copy_crate("pyo3-pure-abi3", tmp_path)
    build = ["build", "-m", str(crate / "Cargo.toml"), "-o", str(tmp_path / "dist"),
             "--target-dir", str(target_dir), "-i", sys.executable,
             "--cache-dir", str(full_disk / "store")]
    proc = run_rustwheel(build, env={"RUSTWHEEL_CACHE_WRITE": "inline"})
    warnings = _full_disk_warnings(proc.stderr)
    assert len(warnings) == 1, proc.stderr
    assert "No space left on device" in warnings[0] and str(full_disk) in warnings[0]
    assert "Traceback" not in proc.stderr
    wheel = Path(proc.stdout.split()[-1])
    assert wheel.is_file() and os.path.getsize(wheel) > 1 << 20

    (crate / "src" / "lib.rs").write_text((crate / "src" / "lib.rs").read_text() + "\n// edit\n")
    later = run_rustwheel(build, env={"RUSTWHEEL_CACHE_WRITE": "background"})
    assert not _full_disk_warnings(later.stderr), later.stderr
    relayed = run_rustwheel(["cache", "stats", "--cache-dir", str(full_disk / "store")])
    warnings = _full_disk_warnings(relayed.stderr)
    assert len(warnings) == 1 and "while storing the last build's results" in warnings[0], \
        relayed.stderr
    again = run_rustwheel(["cache", "stats", "--cache-dir", str(full_disk / "store")])
    assert not _full_disk_warnings(again.stderr)
