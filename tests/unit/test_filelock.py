"""Locks say when another build makes this one wait, and only then."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from rustwheel import filelock

HOLDER = """
import sys
from pathlib import Path
from rustwheel import filelock
with filelock.held(Path(sys.argv[1]), "unused"):
    print("held", flush=True)
    sys.stdin.read()
"""


def _hold(lock: Path, *, new_session: bool) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(lock)], text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            start_new_session=new_session)
    assert proc.stdout is not None and proc.stdout.readline() == "held\n"
    return proc


def _acquire_while_held(lock: Path, holder: subprocess.Popen[str]) -> None:
    letting_go = threading.Event()

    def release() -> None:
        letting_go.set()
        holder.communicate("")

    timer = threading.Timer(0.5, release)
    timer.start()
    with filelock.held(lock, "waiting for another build (test)"):
        assert letting_go.is_set()  # the lock was free only once the holder let go
    timer.join()


@pytest.mark.parametrize("other_build", [True, False])
def test_the_note_names_another_builds_lock_only(tmp_path: Path, other_build: bool,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    lock = tmp_path / "locks" / "dev.lock"
    _acquire_while_held(lock, _hold(lock, new_session=other_build))
    said = "waiting for another build (test)" in capsys.readouterr().err
    assert said is other_build
    assert lock.read_text().strip().isdigit()  # the holder's pid, for the next waiter


def test_quiet_waits_without_a_note(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lock = tmp_path / "build.lock"
    holder = _hold(lock, new_session=True)
    release = threading.Timer(0.3, lambda: holder.communicate(""))
    release.start()
    filelock.acquire(lock, "waiting (test)", quiet=True).close()
    release.join()
    assert capsys.readouterr().err == ""
