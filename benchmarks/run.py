#!/usr/bin/env python3
"""Benchmark `maturin build` against `rustwheel build` on benchmarks/crates/bench-mixed.

Each tool builds its own copy of the crate with its own CARGO_TARGET_DIR, for the same
interpreter, with the dev profile and `--compatibility linux`, and writes its wheel into its own
temporary directory. Five scenarios are timed (see benchmarks/README.md); the result is printed
as a Markdown table and written to benchmarks/RESULTS.md.

    python benchmarks/run.py            # 5 repetitions, 3 cold builds per tool
    python benchmarks/run.py --quick    # 1 of each

Only the standard library is used; maturin must be on PATH (or importable as `python -m
maturin`), and rustwheel's own dependencies (doit, packaging, tomli) must be importable by the
python that runs rustwheel (`--rustwheel-python`, default this interpreter).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

CARGO_FINISHED = re.compile(r"Finished `[^`]+` profile .* in (\d+(?:\.\d+)?)s")
HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_CRATE = HERE / "crates" / "bench-mixed"
DEFAULT_OUTPUT = HERE / "RESULTS.md"
PY_MODULE = Path("bench_mixed") / "helpers.py"
RUST_SOURCE = Path("src") / "lib.rs"
SCALE_RE = re.compile(r"^pub const SCALE: i64 = -?\d+;$", re.MULTILINE)
TOOLS = ("maturin", "rustwheel")
TIME_BIN = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else ""

SCENARIOS: dict[str, str] = {
    "noop": "1. no-op rebuild",
    "python": "2. python-only edit",
    "rust": "3. Rust edit (`src/lib.rs` constant)",
    "fresh": "4. fresh clone, warm store",
    "cold": "5. cold build",
}


class BenchError(Exception):
    """A build failed or the setup is wrong; the message says which."""


@dataclass
class Sample:
    seconds: float
    peak_rss_kib: int
    note: str = ""  # "" when the build output was checked and correct
    cargo_seconds: Optional[float] = None  # cargo's own "Finished ... in Xs", when it compiled


@dataclass
class Cell:
    samples: list[Sample] = field(default_factory=list)
    na: str = ""  # a reason when the figure is not available

    def median(self) -> Optional[float]:
        return statistics.median(s.seconds for s in self.samples) if self.samples else None

    def beyond_cargo(self) -> Optional[float]:
        """Median of (wall time - cargo's own time): the tool's own work around cargo."""
        extra = [s.seconds - s.cargo_seconds for s in self.samples if s.cargo_seconds is not None]
        return statistics.median(extra) if extra else None


@dataclass
class Tool:
    name: str
    root: Path  # everything this tool builds lives under here
    crate: Path  # its long-lived working copy
    target: Path  # CARGO_TARGET_DIR of the working copy
    out: Path  # -o for every build
    store: Optional[Path] = None  # rustwheel's --cache-dir (None: not passed)


# --------------------------------------------------------------------------- processes


def run_measured(cmd: Sequence[str], cwd: Path, env: dict[str, str],
                 log: Path) -> tuple[int, float, int]:
    """Run `cmd`; return (exit code, wall seconds, peak RSS in KiB of the largest process).

    The peak RSS is the child's ru_maxrss from wait4(): on Linux the maximum resident set of the
    child and of every descendant it waited for (cargo's rustc processes), not a sum. Linux
    carries a process's high-water mark across fork+exec, so the command runs under GNU
    `/usr/bin/time` (small) when it exists; without it the figure is only an upper bound that
    can include this script's own size.
    """
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


# --------------------------------------------------------------------------- the benchmark


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.python: str = args.interpreter
        self.rw_python: str = args.rustwheel_python
        self.rw_path = Path(args.rustwheel_path).resolve()
        self.crate_src = Path(args.crate).resolve()
        self.work = Path(args.work_dir).resolve()
        self.log = self.work / "build.log"
        self.maturin = self._maturin_cmd()
        self.compiled = not args.no_compile and self._compile_rustwheel()
        self.has_store = self._rustwheel_has_store()
        self.tools: dict[str, Tool] = {}
        self.cells: dict[tuple[str, str], Cell] = {}
        self.counter = 0  # makes every fresh directory name unique
        self.load_start = load_average()
        for name in TOOLS:
            root = self.work / name
            # Every copy is a directory named like the crate, as `git clone` would make it: cargo
            # spells a path package's id differently when the directory name differs.
            self.tools[name] = Tool(
                name=name, root=root, crate=root / "bench-mixed", target=root / "target",
                out=root / "out",
                store=(root / "store") if (name == "rustwheel" and self.has_store) else None)

    # ---- setup

    def _maturin_cmd(self) -> list[str]:
        # The maturin installed beside the interpreter first (the venv's, as `scripts/setup.sh`
        # installs it): a version-manager shim found on PATH (pyenv's) adds ~0.1 s to every
        # maturin run, which would flatter rustwheel.
        beside = Path(self.python).parent / "maturin"
        if beside.is_file() and os.access(beside, os.X_OK):
            return [str(beside)]
        exe = shutil.which("maturin")
        if exe:
            return [exe]
        probe = subprocess.run([self.python, "-m", "maturin", "--version"], capture_output=True,
                               check=False)
        if probe.returncode == 0:
            return [self.python, "-m", "maturin"]
        raise BenchError("maturin not found: install it (pip install maturin) or put it on PATH")

    def _compile_rustwheel(self) -> bool:
        """Byte-compile rustwheel's modules, as `pip install` does: with PYTHONDONTWRITEBYTECODE
        set and rustwheel imported from a checkout, every build would otherwise compile its
        sources again (tens of milliseconds), unlike any installed tool."""
        res = subprocess.run([self.rw_python, "-m", "compileall", "-q",
                              str(self.rw_path / "rustwheel")], capture_output=True, check=False)
        return res.returncode == 0

    def _rustwheel_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(self.rw_path), env.get("PYTHONPATH", "")) if p)
        return env

    def _rustwheel_has_store(self) -> bool:
        res = subprocess.run([self.rw_python, "-m", "rustwheel", "build", "--help"],
                             env=self._rustwheel_env(), capture_output=True, text=True,
                             check=False)
        if res.returncode != 0:
            raise BenchError(f"`{self.rw_python} -m rustwheel build --help` failed with "
                             f"PYTHONPATH={self.rw_path}:\n{res.stderr.strip()}")
        return "--cache-dir" in res.stdout

    def copy_crate(self, dest: Path) -> None:
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(self.crate_src, dest,
                        ignore=shutil.ignore_patterns("target", "__pycache__", "*.pyc", "*.so"))

    def fresh_dir(self, tool: Tool, kind: str) -> Path:
        self.counter += 1
        path = tool.root / f"{kind}-{self.counter}"
        path.mkdir(parents=True)
        return path

    # ---- one build

    def build_cmd(self, tool: Tool, crate: Path, target: Path,
                  store: Optional[Path]) -> list[str]:
        common = ["-m", str(crate / "Cargo.toml"), "-i", self.python, "--compatibility", "linux",
                  "-o", str(tool.out)]
        if self.args.target_dir_flag:
            common += ["--target-dir", str(target)]
        if tool.name == "maturin":
            return [*self.maturin, "build", *common]
        cmd = [self.rw_python, "-m", "rustwheel", "build", *common]
        if store is not None:
            cmd += ["--cache-dir", str(store)]
        return cmd

    def build(self, tool: Tool, crate: Path, target: Path,
              store: Optional[Path] = None) -> Sample:
        env = self._rustwheel_env() if tool.name == "rustwheel" else dict(os.environ)
        env["CARGO_TARGET_DIR"] = str(target)
        env.pop("CARGO_BUILD_TARGET_DIR", None)
        env.setdefault("CARGO_TERM_COLOR", "never")
        if tool.name == "rustwheel" and store is not None:
            env["RUSTWHEEL_CACHE_DIR"] = str(store)
        if self.args.target_dir_flag:
            env.pop("CARGO_TARGET_DIR")
        start = self.log.stat().st_size if self.log.exists() else 0
        code, seconds, rss = run_measured(self.build_cmd(tool, crate, target, store), crate, env,
                                          self.log)
        if code != 0:
            raise BenchError(f"{tool.name} build of {crate} failed (exit {code}); "
                             f"see the end of {self.log}")
        with open(self.log, "rb") as f:
            f.seek(start)
            finished = CARGO_FINISHED.findall(f.read().decode("utf-8", "replace"))
        return Sample(seconds, rss, cargo_seconds=float(finished[-1]) if finished else None)

    def wheel(self, tool: Tool) -> Path:
        wheels = sorted(tool.out.glob("bench_mixed-*.whl"))
        if len(wheels) != 1:
            raise BenchError(f"{tool.name}: expected one wheel in {tool.out}, found {wheels}")
        return wheels[0]

    def wheel_member(self, tool: Tool, suffix: str) -> bytes:
        with zipfile.ZipFile(self.wheel(tool)) as zf:
            names = [n for n in zf.namelist() if n.endswith(suffix)]
            if len(names) != 1:
                raise BenchError(f"{tool.name}: no single '*{suffix}' in {self.wheel(tool)}")
            return zf.read(names[0])

    def native_digest(self, tool: Tool) -> str:
        with zipfile.ZipFile(self.wheel(tool)) as zf:
            names = [n for n in zf.namelist() if n.startswith("bench_mixed/_native")]
            if len(names) != 1:
                raise BenchError(f"{tool.name}: no single extension module in the wheel")
            digest = hashlib.sha256()
            with zf.open(names[0]) as f:  # streamed: keeps this script's RSS small
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
            return digest.hexdigest()

    # ---- scenarios

    def record(self, scenario: str, tool: Tool, sample: Sample) -> None:
        self.cells.setdefault((scenario, tool.name), Cell()).samples.append(sample)
        note = f"  [{sample.note}]" if sample.note else ""
        print(f"  {scenario:<7} {tool.name:<10} {sample.seconds:8.2f} s "
              f"{sample.peak_rss_kib / 1024:8.0f} MiB{note}", file=sys.stderr, flush=True)

    def each_rep(self, scenario: str, count: int,
                 step: Callable[[Tool, int], Sample]) -> None:
        print(f"{SCENARIOS[scenario]} ({count}x)", file=sys.stderr, flush=True)
        for rep in range(count):
            # Alternate which tool goes first, so slow drift (thermal, page cache) hits both.
            order = TOOLS if rep % 2 == 0 else tuple(reversed(TOOLS))
            for name in order:
                self.record(scenario, self.tools[name], step(self.tools[name], rep))

    def setup(self) -> None:
        if self.work.exists() and any(self.work.iterdir()):
            raise BenchError(f"work directory {self.work} is not empty")
        self.work.mkdir(parents=True, exist_ok=True)
        print(f"work directory: {self.work} (build output in {self.log})", file=sys.stderr)
        one_minute = self.load_start.split()[0]
        if one_minute.replace(".", "", 1).isdigit() and float(one_minute) > 0.5:
            print(f"warning: load average {self.load_start}: other processes are running and will "
                  "distort the timings", file=sys.stderr)
        for tool in self.tools.values():
            tool.root.mkdir(parents=True)
            tool.out.mkdir()
            self.copy_crate(tool.crate)
        print("warm-up builds (untimed)", file=sys.stderr, flush=True)
        for tool in self.tools.values():
            sample = self.build(tool, tool.crate, tool.target, tool.store)
            print(f"  warm-up {tool.name:<10} {sample.seconds:8.2f} s", file=sys.stderr)
            if not tool.target.is_dir():
                raise BenchError(f"{tool.name} did not use CARGO_TARGET_DIR={tool.target}")

    def noop(self, tool: Tool, rep: int) -> Sample:
        before = self.native_digest(tool)
        sample = self.build(tool, tool.crate, tool.target, tool.store)
        if self.native_digest(tool) != before:
            sample.note = "extension changed on a no-op rebuild"
        return sample

    def python_edit(self, tool: Tool, rep: int) -> Sample:
        marker = f"bench_edit_{rep}_{time.time_ns()}"
        with open(tool.crate / PY_MODULE, "a", encoding="utf-8") as f:
            f.write(f"\n\ndef {marker}() -> int:\n    \"\"\"Added by benchmarks/run.py.\"\"\"\n"
                    f"    return {rep}\n")
        sample = self.build(tool, tool.crate, tool.target, tool.store)
        if marker.encode() not in self.wheel_member(tool, "bench_mixed/helpers.py"):
            sample.note = "STALE: the python edit is not in the wheel"
        return sample

    def rust_edit(self, tool: Tool, rep: int) -> Sample:
        path = tool.crate / RUST_SOURCE
        text = path.read_text(encoding="utf-8")
        if not SCALE_RE.search(text):
            raise BenchError(f"{path}: no `pub const SCALE: i64 = N;` line to edit")
        # A value never used before in this run, so the extension must change every time.
        path.write_text(SCALE_RE.sub(f"pub const SCALE: i64 = {rep + 100};", text),
                        encoding="utf-8")
        before = self.native_digest(tool)
        sample = self.build(tool, tool.crate, tool.target, tool.store)
        if self.native_digest(tool) == before:
            sample.note = "STALE: the extension did not change"
        return sample

    def fresh_clone(self, tool: Tool, rep: int) -> Sample:
        if tool.name == "rustwheel" and tool.store is None:
            raise AssertionError("fresh_clone without a store is not timed")
        base = self.fresh_dir(tool, "clone")
        crate, target = base / "bench-mixed", base / "target"
        self.copy_crate(crate)
        try:
            return self.build(tool, crate, target, tool.store)
        finally:
            shutil.rmtree(base, ignore_errors=True)

    def cold(self, tool: Tool, rep: int) -> Sample:
        base = self.fresh_dir(tool, "cold")
        crate, target = base / "bench-mixed", base / "target"
        self.copy_crate(crate)
        store = (base / "store") if tool.store is not None else None
        try:
            return self.build(tool, crate, target, store)
        finally:
            shutil.rmtree(base, ignore_errors=True)

    def run(self) -> None:
        a = self.args
        self.setup()
        selected = set(a.scenarios)
        if "noop" in selected:
            self.each_rep("noop", a.repeat, self.noop)
        if "python" in selected:
            self.each_rep("python", a.repeat, self.python_edit)
        if "rust" in selected:
            self.each_rep("rust", a.repeat, self.rust_edit)
        if "fresh" in selected:
            if self.has_store:
                # The store was filled by the warm-up build of the pristine sources (and by the
                # edits since); every clone is a copy of the pristine sources again.
                self.each_rep("fresh", a.repeat, self.fresh_clone)
            else:
                print(f"{SCENARIOS['fresh']}: rustwheel has no --cache-dir yet, timing maturin "
                      "only", file=sys.stderr)
                for rep in range(a.repeat):
                    self.record("fresh", self.tools["maturin"],
                                self.fresh_clone(self.tools["maturin"], rep))
                self.cells.setdefault(("fresh", "rustwheel"), Cell()).na = "n/a (no store)"
        if "cold" in selected:
            self.each_rep("cold", a.cold_repeat, self.cold)


# --------------------------------------------------------------------------- report


def fmt_cell(cell: Optional[Cell]) -> str:
    if cell is None:
        return "–"
    if cell.na:
        return cell.na
    secs = [s.seconds for s in cell.samples]
    text = f"{statistics.median(secs):.2f} s"
    if len(secs) > 1:
        text += f" ({min(secs):.2f}–{max(secs):.2f})"
    notes = sorted({s.note for s in cell.samples if s.note})
    if notes:
        text += " ⚠ " + "; ".join(notes)
    return text


def fmt_rss(cell: Optional[Cell]) -> str:
    if cell is None or not cell.samples:
        return "–"
    return f"{max(s.peak_rss_kib for s in cell.samples) / 1024:.0f}"


def fmt_ratio(m: Optional[Cell], r: Optional[Cell]) -> str:
    if m is None or r is None or m.median() is None or r.median() is None:
        return "n/a"
    mm, rm = m.median(), r.median()
    assert mm is not None and rm is not None
    return f"{mm / rm:.1f}×" if rm > 0 else "n/a"


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


def environment(bench: Bench) -> list[tuple[str, str]]:
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    src = bench.crate_src
    crate = src.relative_to(REPO) if REPO in src.parents else src
    interp = capture([bench.python, "-c", ("import sys; print(sys.version.split()[0], "
                      "sys.executable)")])
    return [
        ("date", datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")),
        ("machine", f"{platform.system()} {platform.machine()}, {cpu_model()}"),
        ("CPUs", f"{os.cpu_count()} ({usable} usable by this process)"),
        ("load average (1/5/15 min)", f"at start {bench.load_start}, at end {load_average()}"),
        ("python (built for, runs rustwheel)",
         f"{interp}; rustwheel run by {bench.rw_python}"),
        ("rustc", capture(["rustc", "-V"])),
        ("cargo", capture(["cargo", "-V"])),
        ("maturin", f"{capture([*bench.maturin, '--version'])} ({bench.maturin[-1]})"),
        ("rustwheel", (f"{git_info(bench.rw_path)} ({bench.rw_path}); store: "
                      f"{'--cache-dir' if bench.has_store else 'not supported yet'}; bytecode "
                      f"{'precompiled (compileall)' if bench.compiled else 'not precompiled'}; "
                      f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')}")),
        ("crate", (f"{crate} (pyo3 0.30, serde, serde_json, itertools, smallvec, regex; "
                   "mixed layout)")),
    ]


def report(bench: Bench, elapsed: float) -> str:
    a = bench.args
    lines = [f"# rustwheel vs maturin: {'quick run' if a.quick else 'benchmark'}", ""]
    lines += ["| | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in environment(bench)]
    lines += [f"| repetitions | {a.repeat} per incremental scenario, {a.cold_repeat} cold |",
              f"| total run time | {elapsed:.0f} s |", ""]
    lines += [("Wall-clock time of the whole `build` command: median (min–max). "
              "Ratio = maturin median / rustwheel median (above 1: rustwheel is faster). "
              "Peak RSS = the largest single process of the build (usually rustc), "
              "max over repetitions"
              f"{' (GNU time)' if TIME_BIN else ' (wait4 upper bound: no /usr/bin/time)'}."), ""]
    lines += ["| scenario | maturin | rustwheel | ratio | peak RSS MiB maturin / rustwheel |",
              "|---|---|---|---|---|"]
    for key, title in SCENARIOS.items():
        if key not in a.scenarios:
            continue
        m = bench.cells.get((key, "maturin"))
        r = bench.cells.get((key, "rustwheel"))
        lines.append(f"| {title} | {fmt_cell(m)} | {fmt_cell(r)} | {fmt_ratio(m, r)} | "
                     f"{fmt_rss(m)} / {fmt_rss(r)} |")
    cold_m, cold_r = bench.cells.get(("cold", "maturin")), bench.cells.get(("cold", "rustwheel"))
    beyond = (cold_m.beyond_cargo(), cold_r.beyond_cargo()) if cold_m and cold_r else (None, None)
    base = cold_m.median() if cold_m else None
    if beyond[0] is not None and beyond[1] is not None and base:
        lines += ["", ("Cold build beyond cargo (wall time minus cargo's own `Finished ... in` "
                       "time, median; less sensitive to other load than the totals): "
                       f"maturin {beyond[0]:.2f} s, rustwheel {beyond[1]:.2f} s; the difference "
                       f"is {100 * (beyond[1] - beyond[0]) / base:+.1f}% of maturin's cold "
                       "build.")]
    lines += ["", "Notes:", "",
              ("- Both tools: dev profile, `-i <same python>`, `-o <temp dir>`, each with its own "
              "copy of the crate and its own target dir (given as "
              f"{'`--target-dir`' if a.target_dir_flag else '`CARGO_TARGET_DIR`'}). "
              "Both run with "
              "`--compatibility linux`, so neither runs its manylinux audit / repair stage."),
              ("- Scenarios 1–3 follow an untimed warm-up build. Each edit is checked in the "
              "built wheel (the new python function is in it; the extension's bytes changed); "
              "⚠ marks a build whose wheel did not reflect the edit."),
              ("- Scenario 4: a copy of the crate at a new path with an empty target dir. "
              "rustwheel gets the store (`--cache-dir`) filled by the earlier builds; maturin has "
              "no cross-checkout cache, so its figure is a cold build of the copy (the fair "
              "baseline)."),
              ("- Scenario 5: new copy, empty target dir and (rustwheel) an empty store. Crate "
              "sources are already in cargo's registry cache for both tools (no download is "
              "timed)."),
              ("- The timings are only as quiet as the machine: see the load average above.")]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- main


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeat", type=int, default=None,
                   help="repetitions of each incremental / fresh-clone scenario (default 5)")
    p.add_argument("--cold-repeat", type=int, default=None,
                   help="repetitions of the cold build (default 3)")
    p.add_argument("--quick", action="store_true",
                   help="one repetition of everything (unless --repeat/--cold-repeat say more)")
    p.add_argument("--scenarios", default=",".join(SCENARIOS),
                   help=f"comma separated subset of {','.join(SCENARIOS)} (default: all)")
    p.add_argument("--crate", default=str(DEFAULT_CRATE), help="the crate to build")
    p.add_argument("-i", "--interpreter", default=sys.executable,
                   help="python the wheels are built for (default: this one)")
    p.add_argument("--rustwheel-path", default=str(REPO),
                   help="directory holding the rustwheel package (put on PYTHONPATH; "
                        "default: this checkout)")
    p.add_argument("--rustwheel-python", default=sys.executable,
                   help="python that runs rustwheel (default: this one)")
    p.add_argument("--work-dir", default=None,
                   help="where copies, target dirs and stores go (default: a new temp dir)")
    p.add_argument("--target-dir-flag", action="store_true",
                   help="pass each tool `--target-dir DIR` instead of setting CARGO_TARGET_DIR")
    p.add_argument("--keep", action="store_true", help="keep the work directory")
    p.add_argument("--output", default=str(DEFAULT_OUTPUT),
                   help="Markdown file to write the results to (default benchmarks/RESULTS.md)")
    p.add_argument("--no-write", action="store_true", help="only print the results")
    p.add_argument("--no-compile", action="store_true",
                   help="do not byte-compile rustwheel's modules before timing")
    a = p.parse_args(argv)
    default_repeat, default_cold = (1, 1) if a.quick else (5, 3)
    a.repeat = a.repeat if a.repeat is not None else default_repeat
    a.cold_repeat = a.cold_repeat if a.cold_repeat is not None else default_cold
    if a.repeat < 1 or a.cold_repeat < 1:
        p.error("--repeat and --cold-repeat must be at least 1")
    a.scenarios = [s.strip() for s in a.scenarios.split(",") if s.strip()]
    unknown = [s for s in a.scenarios if s not in SCENARIOS]
    if unknown:
        p.error(f"unknown scenario(s) {unknown}; choose from {list(SCENARIOS)}")
    return a


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    own_tmp = args.work_dir is None
    if own_tmp:
        args.work_dir = tempfile.mkdtemp(prefix="rustwheel-bench-")
    start = time.perf_counter()
    try:
        bench = Bench(args)
        bench.run()
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        if own_tmp and not args.keep:
            print(f"(work directory kept for inspection: {args.work_dir})", file=sys.stderr)
        return 1
    text = report(bench, time.perf_counter() - start)
    print(text)
    if not args.no_write:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"written to {args.output}", file=sys.stderr)
    if own_tmp and not args.keep:
        shutil.rmtree(args.work_dir, ignore_errors=True)
    elif args.keep:
        print(f"work directory kept: {args.work_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
