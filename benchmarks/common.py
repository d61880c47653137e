"""What the side-by-side benchmarks (run.py, matrix.py) share: running a measured build, the
machine's facts, copying the crate, alternating the tools, the common command-line options and
the table cells. Only the standard library is used."""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Callable, Optional, Protocol, TypeVar

CARGO_FINISHED = re.compile(r"Finished `[^`]+` profile .* in (\d+(?:\.\d+)?)s")
HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PY_MODULE_NAME = "helpers.py"
RUST_SOURCE = Path("src") / "lib.rs"
SCALE_RE = re.compile(r"^pub const SCALE: i64 = -?\d+;$", re.MULTILINE)
TOOLS = ("maturin", "rustwheel")
RUSTWHEEL_ENV = "rustwheel-env"
"""The work directory's env that runs rustwheel (`installed_like`)."""
TIME_BIN = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else ""
RSS_SOURCE = " (GNU time)" if TIME_BIN else " (wait4 upper bound: no /usr/bin/time)"


class BenchError(Exception):
    """A build failed or the setup is wrong; the message says which."""


class Timed(Protocol):
    seconds: float
    peak_rss_kib: int
    note: str


# --------------------------------------------------------------------------- processes


def settle_writers(stores: Sequence[Path], timeout: float = 120.0) -> None:
    """Wait until rustwheel's detached store writers (of the builds before) are done: each
    holds a lock on a file in ``<store>/v1/pending/`` while it writes, and takes the CPU and
    the store lock from whatever runs next, a timed build of either tool."""
    import fcntl

    deadline = time.monotonic() + timeout
    for lock in (f for store in stores for f in (store / "v1" / "pending").glob("*.lock")):
        try:
            fd = os.open(lock, os.O_RDONLY)
        except OSError:
            continue  # finished meanwhile
        try:
            while time.monotonic() < deadline:
                try:
                    fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    time.sleep(0.005)
        finally:
            os.close(fd)


def run_measured(cmd: Sequence[str], cwd: Path, env: dict[str, str],
                 log: Path, settle: Sequence[Path] = ()) -> tuple[int, float, int]:
    """Run `cmd`; return (exit code, wall seconds, peak RSS in KiB of the largest process).

    The peak RSS is the child's ru_maxrss from wait4(): on Linux the maximum resident set of the
    child and of every descendant it waited for (cargo's rustc processes), not a sum. Linux
    carries a process's high-water mark across fork+exec, so the command runs under GNU
    `/usr/bin/time` (small) when it exists; without it the figure is only an upper bound that
    can include this script's own size.

    Data earlier builds left in the page cache is written out first (``sync``, untimed): a
    400 MB member's wheels otherwise make the kernel write back gigabytes during a later timed
    build, which moved a 0.2 s edit between 0.2 and 1.2 s. Before that, the detached store
    writers of earlier rustwheel builds into the stores ``settle`` are waited for (untimed).
    """
    settle_writers(settle)
    os.sync()
    rss_file = log.with_name("rss.txt")
    argv = [TIME_BIN, "-f", "%M", "-o", str(rss_file), *cmd] if TIME_BIN else list(cmd)
    with open(log, "ab") as out:
        out.write(("$ " + " ".join(cmd) + "\n").encode())
        out.flush()
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    rss = int(usage.ru_maxrss)
    if TIME_BIN:
        lines = rss_file.read_text().split()
        rss = int(lines[-1]) if lines and lines[-1].isdigit() else rss
    return code, seconds, rss


def capture(cmd: Sequence[str], cwd: Optional[Path] = None,
            env: Optional[dict[str, str]] = None) -> str:
    try:
        res = subprocess.run(list(cmd), cwd=cwd, env=env, capture_output=True, text=True,
                             timeout=120, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"unavailable ({exc.__class__.__name__})"
    text = (res.stdout or res.stderr).strip()
    return text.splitlines()[0] if text else f"unavailable (exit {res.returncode})"


def log_since(log: Path, start: int) -> str:
    """The text appended to `log` after byte offset `start` (one build's output)."""
    with open(log, "rb") as f:
        f.seek(start)
        return f.read().decode("utf-8", "replace")


def compile_rustwheel(python: str, path: Path) -> bool:
    """Byte-compile rustwheel's modules, as `pip install` does: with PYTHONDONTWRITEBYTECODE
    set and rustwheel imported from a checkout, every build would otherwise compile its
    sources again (tens of milliseconds), unlike any installed tool."""
    res = subprocess.run([python, "-m", "compileall", "-q", str(path / "rustwheel")],
                         capture_output=True, check=False)
    return res.returncode == 0


def installed_like(python: str, root: Path) -> str:
    """A python for running rustwheel as an installed tool: a virtual env of ``python``'s base
    interpreter that sees ``python``'s site-packages (rustwheel's dependencies) through a
    ``.pth`` line, so that what those site-packages' own ``.pth`` files load at every start
    (a development env's editable-install hook of rustwheel itself, ~8 ms) is not loaded, as
    it is not for a user who installed rustwheel from a wheel. rustwheel itself comes from
    ``--rustwheel-path`` (PYTHONPATH), byte-compiled."""
    import json

    probe = ("import json, site, sys; "
             "print(json.dumps([sys._base_executable, site.getsitepackages()]))")
    base, site_dirs = json.loads(subprocess.run([python, "-c", probe], capture_output=True,
                                                text=True, check=True).stdout)
    subprocess.run([base, "-m", "venv", "--without-pip", str(root)], check=True)
    env_python = str(root / "bin" / "python")
    own = subprocess.run([env_python, "-c", "import site; print(site.getsitepackages()[0])"],
                         capture_output=True, text=True, check=True).stdout.strip()
    Path(own, "rustwheel-deps.pth").write_text("\n".join(site_dirs) + "\n")
    return env_python


def with_rustwheel_path(env: dict[str, str], rw_path: Path) -> dict[str, str]:
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(rw_path), env.get("PYTHONPATH", "")) if p)
    return env


def rustwheel_help(python: str, rw_path: Path) -> str:
    """`rustwheel build --help` of the checkout at `rw_path`; a BenchError when it fails."""
    res = subprocess.run([python, "-m", "rustwheel", "build", "--help"],
                         env=with_rustwheel_path(dict(os.environ), rw_path),
                         capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise BenchError(f"`{python} -m rustwheel build --help` failed with "
                         f"PYTHONPATH={rw_path}:\n{res.stderr.strip()}")
    return res.stdout


def copy_crate(src: Path, dest: Path) -> None:
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest,
                    ignore=shutil.ignore_patterns("target", "__pycache__", "*.pyc", "*.so"))


def append_python_edit(module: Path, rep: int, script: str) -> str:
    """Append a new function to `module`; return its name, which the wheel must then hold."""
    marker = f"bench_edit_{rep}_{time.time_ns()}"
    with open(module, "a", encoding="utf-8") as f:
        f.write(f"\n\ndef {marker}() -> int:\n    \"\"\"Added by benchmarks/{script}.\"\"\"\n"
                f"    return {rep}\n")
    return marker


def set_scale(crate: Path, value: int) -> None:
    """The Rust edit: `pub const SCALE: i64 = <value>;` in src/lib.rs."""
    path = crate / RUST_SOURCE
    text = path.read_text(encoding="utf-8")
    if not SCALE_RE.search(text):
        raise BenchError(f"{path}: no `pub const SCALE: i64 = N;` line to edit")
    path.write_text(SCALE_RE.sub(f"pub const SCALE: i64 = {value};", text), encoding="utf-8")


T = TypeVar("T")


def alternating(rep: int, tools: dict[str, T]) -> list[T]:
    """The tools in turn, the other one first every second repetition, so that slow drift
    (thermal, page cache) hits both."""
    order = TOOLS if rep % 2 == 0 else tuple(reversed(TOOLS))
    return [tools[name] for name in order]


def repeat(title: str, count: int, tools: dict[str, T],
           step: Callable[[T, int], None]) -> None:
    print(f"{title} ({count}x)", file=sys.stderr, flush=True)
    for rep in range(count):
        for tool in alternating(rep, tools):
            step(tool, rep)


def start_work_dir(work: Path, log: Path, load_start: str) -> None:
    if work.exists() and any(p.name != RUSTWHEEL_ENV for p in work.iterdir()):
        raise BenchError(f"work directory {work} is not empty")
    work.mkdir(parents=True, exist_ok=True)
    print(f"work directory: {work} (build output in {log})", file=sys.stderr)
    one_minute = load_start.split()[0]
    if one_minute.replace(".", "", 1).isdigit() and float(one_minute) > 0.5:
        print(f"warning: load average {load_start}: other processes are running and will "
              "distort the timings", file=sys.stderr)


# --------------------------------------------------------------------------- the machine


def git_info(path: Path) -> str:
    commit = capture(["git", "-C", str(path), "rev-parse", "--short=12", "HEAD"])
    if not re.fullmatch(r"[0-9a-f]{7,40}", commit):
        return f"unknown ({path} is not a git checkout)"
    dirty = capture(["git", "-C", str(path), "status", "--porcelain", "--", "rustwheel"])
    if dirty and not dirty.startswith("unavailable"):
        commit += " + uncommitted changes in rustwheel/"
    return commit


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def machine_rows(load_start: str) -> list[tuple[str, str]]:
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    return [
        ("date", datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")),
        ("machine", f"{platform.system()} {platform.machine()}, {cpu_model()}"),
        ("CPUs", f"{os.cpu_count()} ({usable} usable by this process)"),
        ("load average (1/5/15 min)", f"at start {load_start}, at end {load_average()}"),
    ]


def toolchain_rows(maturin: Sequence[str]) -> list[tuple[str, str]]:
    return [("rustc", capture(["rustc", "-V"])), ("cargo", capture(["cargo", "-V"])),
            ("maturin", f"{capture([*maturin, '--version'])} ({maturin[-1]})")]


def bytecode_text(compiled: bool) -> str:
    return (f"bytecode {'precompiled (compileall)' if compiled else 'not precompiled'}; "
            f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')}")


def crate_text(src: Path) -> str:
    return str(src.relative_to(REPO) if REPO in src.parents else src)


def table(rows: Iterable[tuple[str, str]]) -> list[str]:
    return ["| | |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows)]


# --------------------------------------------------------------------------- table cells


def fmt_seconds(samples: Sequence[Timed]) -> str:
    """`median s (min–max)`, then the notes of marked samples."""
    if not samples:
        return "–"
    secs = [s.seconds for s in samples]
    text = f"{statistics.median(secs):.2f} s"
    if len(secs) > 1:
        text += f" ({min(secs):.2f}–{max(secs):.2f})"
    notes = sorted({s.note for s in samples if s.note})
    if notes:
        text += " ⚠ " + "; ".join(notes)
    return text


def fmt_peak(samples: Sequence[Timed]) -> str:
    return f"{max(s.peak_rss_kib for s in samples) / 1024:.0f}" if samples else "–"


def median(samples: Sequence[Timed]) -> Optional[float]:
    return statistics.median(s.seconds for s in samples) if samples else None


# --------------------------------------------------------------------------- command line


def add_common_args(p: argparse.ArgumentParser, scenarios: Sequence[str], default_crate: Path,
                    default_output: Path, defaults: str) -> None:
    """The options both benchmarks take; `defaults` describes --repeat's and --cold-repeat's."""
    p.add_argument("--repeat", type=int, default=None,
                   help=f"repetitions of each incremental scenario ({defaults})")
    p.add_argument("--cold-repeat", type=int, default=None,
                   help="repetitions of the cold build")
    p.add_argument("--quick", action="store_true",
                   help="one repetition of everything (unless --repeat/--cold-repeat say more)")
    p.add_argument("--scenarios", default=",".join(scenarios),
                   help=f"comma separated subset of {','.join(scenarios)} (default: all)")
    p.add_argument("--crate", default=str(default_crate), help="the crate to build")
    p.add_argument("--rustwheel-path", default=str(REPO),
                   help="directory holding the rustwheel package (put on PYTHONPATH; "
                        "default: this checkout)")
    p.add_argument("--rustwheel-python", default=sys.executable,
                   help="python that runs rustwheel (default: this one)")
    p.add_argument("--work-dir", default=None,
                   help="where copies, target dirs and stores go (default: a new temp dir)")
    p.add_argument("--keep", action="store_true", help="keep the work directory")
    p.add_argument("--output", default=str(default_output),
                   help=f"Markdown file to write (default {crate_text(default_output)})")
    p.add_argument("--no-write", action="store_true", help="only print the results")
    p.add_argument("--no-compile", action="store_true",
                   help="do not byte-compile rustwheel's modules before timing")


def check_common_args(p: argparse.ArgumentParser, a: argparse.Namespace,
                      scenarios: Sequence[str], repeat: int, cold_repeat: int) -> None:
    """Fill in the repetition defaults and split --scenarios; `p.error` on bad values."""
    default_repeat, default_cold = (1, 1) if a.quick else (repeat, cold_repeat)
    a.repeat = a.repeat if a.repeat is not None else default_repeat
    a.cold_repeat = a.cold_repeat if a.cold_repeat is not None else default_cold
    if a.repeat < 1 or a.cold_repeat < 1:
        p.error("--repeat and --cold-repeat must be at least 1")
    a.scenarios = [s.strip() for s in a.scenarios.split(",") if s.strip()]
    unknown = [s for s in a.scenarios if s not in scenarios]
    if unknown:
        p.error(f"unknown scenario(s) {unknown}; choose from {list(scenarios)}")


def write_report(text: str, args: argparse.Namespace) -> None:
    print(text)
    if not args.no_write:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"written to {args.output}", file=sys.stderr)
