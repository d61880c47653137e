"""cargo started before the graph loads (`rustwheel.stages.compile.early`), with a real
process standing in for cargo: started only when a compile input changed and its files exist,
taken by the compile run only when the command, directory and environment are the same,
stopped otherwise, and its lock held from start to release."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rustwheel.freshness.facts import facts
from rustwheel.freshness.stamp import any_changed
from rustwheel.stages.compile import early


@pytest.fixture(autouse=True)
def no_early() -> Iterator[None]:
    early.stop()
    yield
    early.stop()


def _stamp(tmp_path: Path, argv: list[str], *, edit: bool = True,
           needs: tuple[str, ...] = ()) -> dict[str, Any]:
    """A no-op stamp with a launch, whose one compile input was then edited (or not)."""
    src = tmp_path / "lib.rs"
    src.write_text("fn f() {}")
    recorded = {str(src): list(facts(str(src)) or ())}
    if edit:
        time.sleep(0.01)
        src.write_text("fn g() {}")
    return {"files": recorded, "early": {
        "argv": argv, "cwd": str(tmp_path), "env": {"EARLY_TEST": "1"},
        "lock": str(tmp_path / "locks" / "dev.lock"), "needs": list(needs),
        "inputs": [str(src)]}}


def _locked(path: Path) -> bool:
    with open(path, "a+") as f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        return False


def _start(stamp: dict[str, Any]) -> None:
    """What `rustwheel.api` does with a stale no-op stamp (its plan stamp taken as fresh)."""
    if "early" in stamp and any_changed(stamp, stamp["early"]["inputs"]):
        early.start(stamp["early"])


def test_started_then_adopted_by_the_same_command(tmp_path: Path) -> None:
    argv = ["sh", "-c", "echo line-from-early; echo $EARLY_TEST"]
    _start(_stamp(tmp_path, argv))
    lock = tmp_path / "locks" / "dev.lock"
    assert _locked(lock)
    env = early.cargo_env({"EARLY_TEST": "1"})
    assert early.holds_lock(str(lock), argv, str(tmp_path), env)
    proc = early.adopt(argv, str(tmp_path), env)
    assert proc is not None and early.adopt(argv, str(tmp_path), env) is None  # once
    assert [line.strip() for line in proc.lines] == ["line-from-early", "1"]
    assert proc.wait() == 0
    early.stop()  # the adopting stage is done with it
    assert not _locked(lock)


def test_another_command_stops_it_and_frees_the_lock(tmp_path: Path) -> None:
    argv = ["sleep", "30"]
    _start(_stamp(tmp_path, argv))
    started = early._current
    assert started is not None
    lock = tmp_path / "locks" / "dev.lock"
    env = early.cargo_env({"EARLY_TEST": "2"})  # the plan's environment changed
    assert not early.holds_lock(str(lock), argv, str(tmp_path), env)
    assert started.proc.proc.poll() is not None  # stopped
    assert not _locked(lock)
    assert early.adopt(argv, str(tmp_path), env) is None


@pytest.mark.parametrize("case", ["no edit", "missing file", "lock busy"])
def test_not_started(tmp_path: Path, case: str) -> None:
    argv = ["sh", "-c", "exit 0"]
    stamp = _stamp(tmp_path, argv, edit=case != "no edit",
                   needs=(str(tmp_path / "pyo3-config.txt"),) if case == "missing file" else ())
    holder = None
    if case == "lock busy":
        (tmp_path / "locks").mkdir()
        holder = open(tmp_path / "locks" / "dev.lock", "a+")  # noqa: SIM115
        fcntl.flock(holder.fileno(), fcntl.LOCK_EX)
    _start(stamp)
    assert early._current is None
    if holder is not None:
        holder.close()


def test_a_stamp_without_a_launch_starts_nothing(tmp_path: Path) -> None:
    stamp = _stamp(tmp_path, ["sh", "-c", "exit 0"])
    del stamp["early"]
    _start(stamp)
    assert early._current is None
    assert os.listdir(tmp_path) == ["lib.rs"]
