"""cargo started before the task graph is loaded, when the last build says what it will run.

After a Rust edit, a build spends about a tenth of a second in Python (doit, the stages, the
graph's checks) before the compile stage starts cargo. The last build's no-op stamp knows
better: when a file the compile stage read has changed and none of the files the plan was
resolved from has, the compile stage will run cargo with the command line it ran last time.
So `start` runs that command at once, holding the target dir's compile lock, while the rest
loads; the compile stage then `adopt`s the running cargo only if its command line, directory
and environment are exactly the ones the stage would use. Any other way (the plan changed, the
store had the result, the build failed earlier) the early cargo is stopped at exit: it only
ever builds into the target dir what cargo itself would build there next.

Only single-cell builds of one cargo unit, without ``--zig``, start early (`launch`).
"""

from __future__ import annotations

import atexit
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from rustwheel import _run
    from rustwheel.stages.compile.plan import CompilePlan


def cargo_env(plan_env: Mapping[str, str]) -> dict[str, str]:
    """The environment the compile stage gives cargo: ours, the plan's variables, and colours
    when our stderr is a terminal (cargo's stderr comes through a pipe)."""
    env = {**os.environ, **plan_env}
    if "CARGO_TERM_COLOR" not in env and sys.stderr.isatty():
        env["CARGO_TERM_COLOR"] = "always"
    return env


LAUNCH = "launch.json"
"""Beside the compile stage's record: what its last cargo run was (`remember`)."""


def launch_of(graph: Mapping[str, Any]) -> Optional[dict[str, Any]]:
    """What a later build may start early, for the no-op stamp: the launch the graph's compile
    stage remembered, with the inputs its record lists, when the graph has exactly one compile
    stage (one cell)."""
    compiles = [t for t in graph["tasks"] if t["basename"] == "compile" and t.get("name")]
    if len(compiles) != 1:
        return None
    from rustwheel.freshness import records

    record = compiles[0]["record"]
    try:
        launch = json.loads((Path(record).parent / LAUNCH).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    read = records.read(record)
    if not isinstance(launch, dict) or read is None:
        return None
    return {**launch, "inputs": sorted(read["inputs"])}


def remember(plan: CompilePlan) -> None:
    """The cargo command ``plan`` runs, for a later build to start early (`launch_of`); none
    for several units or ``--zig``. Written when the stage ran or was restored."""
    from rustwheel.atomic import write_if_changed

    path = Path(plan.inputs_record).parent / LAUNCH
    if len(plan.units) != 1 or plan.zig is not None:
        path.unlink(missing_ok=True)
        return
    needs = [plan.pyo3_config.path] if plan.pyo3_config is not None else []
    launch = {"argv": plan.argv(plan.units[0]), "cwd": os.path.dirname(plan.manifest_path),
              "env": dict(plan.env), "lock": plan.lock, "needs": needs}
    write_if_changed(path, json.dumps(launch, sort_keys=True) + "\n")


class _Early:
    """The cargo started early, by this process (``pid``), and its lock."""

    def __init__(self, argv: list[str], cwd: str, env: dict[str, str], lock_path: str,
                 proc: _run.Streamed, lock: Optional[IO[str]]) -> None:
        self.pid = os.getpid()
        self.argv, self.cwd, self.env = argv, cwd, env
        self.lock_path, self.proc, self.lock = lock_path, proc, lock
        self.adopted = False


_current: Optional[_Early] = None
_taken = False
NOTE = "cargo started while the graph loaded"
"""The compile stage's note (in ``--report`` and the timings page) when it took the early
cargo."""


def start(spec: Mapping[str, Any]) -> None:
    """Start the cargo ``spec`` (a `launch` the no-op stamp kept) describes, if all the files
    it needs exist and its lock is free. The caller checked that a compile input changed since
    and that the plan stamp is fresh (`rustwheel.api`)."""
    global _current
    if _current is not None or not all(os.path.exists(p) for p in spec["needs"]):
        return
    lock = _lock(spec["lock"])
    if spec["lock"] and lock is None:
        return
    env = cargo_env(spec["env"])
    from rustwheel import _run  # here: a build whose stamp is written imports none of it

    try:
        proc = _run.popen_lines(spec["argv"], cwd=spec["cwd"], env=env)
    except Exception:  # noqa: BLE001 (the compile stage starts it again and reports)
        if lock is not None:
            lock.close()
        return
    _current = _Early(list(spec["argv"]), spec["cwd"], env, spec["lock"], proc, lock)
    atexit.register(stop)


def _lock(path: str) -> Optional[IO[str]]:
    if not path:
        return None
    import fcntl

    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 (kept open: the lock)
    except OSError:
        return None
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


def _same(early: _Early, argv: list[str], cwd: str, env: Mapping[str, str]) -> bool:
    return (early.pid == os.getpid() and early.argv == argv
            and os.path.realpath(early.cwd) == os.path.realpath(cwd) and early.env == env)


def holds_lock(lock: str, argv: list[str], cwd: str, env: Mapping[str, str]) -> bool:
    """True when the early cargo is this compile run's and holds its lock ``lock`` (the stage
    must not lock it again, and calls `stop` when done); otherwise it is stopped."""
    if _current is not None and _current.lock_path == lock and _same(_current, argv, cwd, env):
        return True
    stop()
    return False


def adopt(argv: list[str], cwd: str, env: Mapping[str, str]) -> Optional[_run.Streamed]:
    """The early cargo if it is exactly this command, once."""
    early = _current
    if early is None or early.adopted or not _same(early, argv, cwd, env):
        return None
    early.adopted = True
    global _taken
    _taken = True
    return early.proc


def running() -> bool:
    """Whether this process started a cargo early that no compile run has finished with."""
    return _current is not None and _current.pid == os.getpid()


def taken() -> bool:
    """Whether a compile run took the early cargo since the last call."""
    global _taken
    was, _taken = _taken, False
    return was


def stop() -> None:
    """Stop an early cargo nobody adopted, and let its lock go (the compile stage that
    adopted it calls this when done)."""
    global _current
    early, _current = _current, None
    if early is None or early.pid != os.getpid():
        return
    if not early.adopted:
        early.proc.proc.terminate()
        try:
            early.proc.proc.wait(timeout=30)
        except Exception:  # noqa: BLE001
            early.proc.proc.kill()
    if early.lock is not None:
        early.lock.close()
