"""A fresh CI-like machine with a warm remote store, against a cold build (issue 15).

    python benchmarks/remote.py [--remote-cache http://user:pw@127.0.0.1:8080/bench] [--repeat 3]

Without ``--remote-cache`` it starts its own nginx on 127.0.0.1 (WebDAV PUT, basic auth; the
one the remote store tests use, `tests/integration/nginxcache.py`) and writes the table to
`benchmarks/REMOTE_RESULTS.md`. A server of yours (bazel-remote, nginx) must be emptied
beforehand or given a fresh base path. Each sample copies the crate to a new path and
builds it with an empty cargo target dir and an empty local store:

- **cold**: no remote store; cargo compiles everything;
- **warm remote**: ``--remote-cache`` after one build filled it; every stage is restored.

Writes are made before each command returns (``RUSTWHEEL_CACHE_WRITE=inline``), as on CI. The
median of each and their ratio are printed as a Markdown table (the password is not).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from common import (
    REPO,
    BenchError,
    copy_crate,
    load_average,
    machine_rows,
    run_measured,
    table,
    with_rustwheel_path,
)

DEFAULT_CRATE = REPO / "benchmarks" / "crates" / "bench-mixed"


def _build(work: Path, name: str, crate: Path, python: str, remote: str | None) -> float:
    """One build of a new copy of ``crate`` with empty target dir and store; its seconds."""
    copy = work / name / crate.name
    copy_crate(crate, copy)
    env = with_rustwheel_path(dict(os.environ), REPO)
    env.update(RUSTWHEEL_CACHE_WRITE="inline", RUSTWHEEL_CACHE_DIR=str(work / name / "store"))
    env.pop("RUSTWHEEL_REMOTE_CACHE", None)
    if remote:  # through the environment: the log shows the command, never the password
        env["RUSTWHEEL_REMOTE_CACHE"] = remote
    cmd = [python, "-m", "rustwheel", "build", "-m", str(copy / "Cargo.toml"), "--release",
           "--target-dir", str(work / name / "target"), "-o", str(work / name / "dist"), "-q"]
    code, seconds, _ = run_measured(cmd, work, env, work / "build.log")
    if code != 0:
        raise BenchError(f"build {name} failed ({code}); see {work / 'build.log'}")
    return seconds


def _row(name: str, samples: list[float]) -> str:
    return (f"| {name} | {statistics.median(samples):.2f} s "
            f"({min(samples):.2f}–{max(samples):.2f}) |")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--remote-cache", metavar="URL",
                   help="a Bazel-style HTTP cache (default: an nginx this script starts)")
    p.add_argument("--output", default=str(REPO / "benchmarks" / "REMOTE_RESULTS.md"),
                   help="where the table goes when this script starts the server")
    p.add_argument("--crate", default=str(DEFAULT_CRATE))
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--python", default=sys.executable, help="python that runs rustwheel")
    args = p.parse_args()
    if args.remote_cache:
        print(_measure(args))
        return 0
    sys.path.insert(0, str(REPO / "tests" / "integration"))
    from nginxcache import Nginx

    with tempfile.TemporaryDirectory(prefix="rw-remote-nginx-") as prefix:
        server = Nginx(Path(prefix))
        server.start()
        try:
            args.remote_cache = server.url("bench")
            text = _measure(args)
        finally:
            server.stop()
    print(text)
    Path(args.output).write_text("# A warm remote store against a cold build\n\n"
                                 "`python benchmarks/remote.py` (nginx on loopback)\n\n"
                                 + text + "\n", encoding="utf-8")
    return 0


def _measure(args: argparse.Namespace) -> str:
    load_start = load_average()
    crate = Path(args.crate).resolve()
    work = Path(tempfile.mkdtemp(prefix="rw-remote-bench-"))  # kept when a build fails
    _build(work, "fill", crate, args.python, args.remote_cache)
    cold = [_build(work, f"cold-{i}", crate, args.python, None) for i in range(args.repeat)]
    warm = [_build(work, f"warm-{i}", crate, args.python, args.remote_cache)
            for i in range(args.repeat)]
    shutil.rmtree(work)
    ratio = statistics.median(cold) / statistics.median(warm)
    return "\n".join([*table(machine_rows(load_start)), "",
                      "| build (new path, empty target dir and store) | median (min–max) |",
                      "|---|---|", _row("cold, no remote store", cold),
                      _row("warm remote store", warm), "",
                      f"warm remote is {ratio:.1f}× faster than cold"])


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
