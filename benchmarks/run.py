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
import hashlib
import os
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

from common import (
    CARGO_FINISHED,
    HERE,
    RSS_SOURCE,
    RUSTWHEEL_ENV,
    TOOLS,
    BenchError,
    add_common_args,
    append_python_edit,
    bytecode_text,
    capture,
    check_common_args,
    compile_rustwheel,
    copy_crate,
    crate_text,
    fmt_peak,
    fmt_seconds,
    git_info,
    installed_like,
    load_average,
    log_since,
    machine_rows,
    median,
    repeat,
    run_measured,
    rustwheel_help,
    set_scale,
    start_work_dir,
    table,
    toolchain_rows,
    with_rustwheel_path,
    write_report,
)
from editloop import EditLoop, write_big_member, write_many_modules

DEFAULT_CRATE = HERE / "crates" / "bench-mixed"
DEFAULT_OUTPUT = HERE / "RESULTS.md"
PY_MODULE = Path("bench_mixed") / "helpers.py"

SCENARIOS: dict[str, str] = {
    "noop": "1. no-op rebuild",
    "python": "2. python-only edit",
    "rust": "3. Rust edit (`src/lib.rs` constant)",
    "fresh": "4. fresh clone, warm store",
    "cold": "5. cold build",
    "develop": "6. Rust edit, `develop` + import showing it",
    "many-noop": "7. no-op, 3,000 python modules",
    "many-python": "8. python-only edit, 3,000 python modules",
    "shim-noop": "9. no-op, no venv, python3 a pyenv shim",
    "big-python": "10. python-only edit, 400 MB data member",
}
# Rows shown beside a selected scenario: the untimed first build of its copy.
FIRST_ROWS: dict[str, tuple[str, str]] = {
    "big-python": ("big-first", "10a. first build, 400 MB data member"),
}
# maturin median / rustwheel median must reach this (the issues' targets).
TARGETS: dict[str, float] = {
    "noop": 10.0, "python": 5.0, "rust": 1.5, "fresh": 20.0, "develop": 3.0,
    "many-noop": 10.0, "many-python": 5.0, "shim-noop": 10.0, "big-python": 5.0,
}


@dataclass
class Sample:
    seconds: float
    peak_rss_kib: int
    note: str = ""  # "" when the build output was checked and correct
    cargo_seconds: Optional[float] = None  # cargo's own "Finished ... in Xs", when it compiled
    store_growth: Optional[int] = None  # bytes the (rustwheel) store grew by in this build


@dataclass
class Cell:
    samples: list[Sample] = field(default_factory=list)
    na: str = ""  # a reason when the figure is not available

    def median(self) -> Optional[float]:
        return median(self.samples)

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
    python: Optional[str] = None  # -i (None: the benchmark's interpreter)
    env: Optional[dict[str, str]] = None  # the environment to start from (None: this one)


# --------------------------------------------------------------------------- the benchmark


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.python: str = args.interpreter
        self.rw_path = Path(args.rustwheel_path).resolve()
        self.crate_src = Path(args.crate).resolve()
        self.work = Path(args.work_dir).resolve()
        self.rw_python = installed_like(args.rustwheel_python, self.work / RUSTWHEEL_ENV)
        self.log = self.work / "build.log"
        self.maturin = self._maturin_cmd()
        self.compiled = not args.no_compile and compile_rustwheel(self.rw_python, self.rw_path)
        self.has_store = "--cache-dir" in rustwheel_help(self.rw_python, self.rw_path)
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

    def fresh_dir(self, tool: Tool, kind: str) -> Path:
        self.counter += 1
        path = tool.root / f"{kind}-{self.counter}"
        path.mkdir(parents=True)
        return path

    # ---- one build

    def build_cmd(self, tool: Tool, crate: Path, target: Path,
                  store: Optional[Path]) -> list[str]:
        common = ["-m", str(crate / "Cargo.toml"), "-i", tool.python or self.python,
                  "--compatibility", "linux", "-o", str(tool.out)]
        if self.args.target_dir_flag:
            common += ["--target-dir", str(target)]
        if tool.name == "maturin":
            return [*self.maturin, "build", *common]
        cmd = [self.rw_python, "-m", "rustwheel", "build", *common]
        if store is not None:
            cmd += ["--cache-dir", str(store)]
        return cmd

    def tool_env(self, tool: Tool, target: Path, store: Optional[Path]) -> dict[str, str]:
        env = dict(tool.env if tool.env is not None else os.environ)
        if tool.name == "rustwheel":
            with_rustwheel_path(env, self.rw_path)
        env["CARGO_TARGET_DIR"] = str(target)
        env.pop("CARGO_BUILD_TARGET_DIR", None)
        env.setdefault("CARGO_TERM_COLOR", "never")
        if tool.name == "rustwheel" and store is not None:
            env["RUSTWHEEL_CACHE_DIR"] = str(store)
        if self.args.target_dir_flag:
            env.pop("CARGO_TARGET_DIR")
        return env

    def rustwheel_stores(self, store: Optional[Path] = None) -> list[Path]:
        """The stores rustwheel's detached writers may still be writing to."""
        rustwheel = self.tools.get("rustwheel")
        return [s for s in (rustwheel.store if rustwheel else None, store) if s is not None]

    def build(self, tool: Tool, crate: Path, target: Path,
              store: Optional[Path] = None) -> Sample:
        env = self.tool_env(tool, target, store)
        start = self.log.stat().st_size if self.log.exists() else 0
        code, seconds, rss = run_measured(self.build_cmd(tool, crate, target, store), crate, env,
                                          self.log, self.rustwheel_stores(store))
        if code != 0:
            raise BenchError(f"{tool.name} build of {crate} failed (exit {code}); "
                             f"see the end of {self.log}")
        finished = CARGO_FINISHED.findall(log_since(self.log, start))
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
        if sample.store_growth is not None:
            note += f"  store +{sample.store_growth / 1024:.0f} KiB"
        print(f"  {scenario:<7} {tool.name:<10} {sample.seconds:8.2f} s "
              f"{sample.peak_rss_kib / 1024:8.0f} MiB{note}", file=sys.stderr, flush=True)

    def each_rep(self, scenario: str, count: int, step: Callable[[Tool, int], Sample],
                 tools: Optional[dict[str, Tool]] = None) -> None:
        repeat(SCENARIOS[scenario], count, tools or self.tools,
               lambda tool, rep: self.record(scenario, tool, step(tool, rep)))

    def setup(self) -> None:
        start_work_dir(self.work, self.log, self.load_start)
        for tool in self.tools.values():
            tool.root.mkdir(parents=True)
            tool.out.mkdir()
            copy_crate(self.crate_src, tool.crate)
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
        marker = append_python_edit(tool.crate / PY_MODULE, rep, "run.py")
        sample = self.build(tool, tool.crate, tool.target, tool.store)
        if marker.encode() not in self.wheel_member(tool, "bench_mixed/helpers.py"):
            sample.note = "STALE: the python edit is not in the wheel"
        return sample

    def rust_edit(self, tool: Tool, rep: int) -> Sample:
        # A value never used before in this run, so the extension must change every time.
        set_scale(tool.crate, rep + 100)
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
        copy_crate(self.crate_src, crate)
        try:
            return self.build(tool, crate, target, tool.store)
        finally:
            shutil.rmtree(base, ignore_errors=True)

    def cold(self, tool: Tool, rep: int) -> Sample:
        base = self.fresh_dir(tool, "cold")
        crate, target = base / "bench-mixed", base / "target"
        copy_crate(self.crate_src, crate)
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
        self.run_edit_loop(selected)

    def run_edit_loop(self, selected: set[str]) -> None:
        loop, count = EditLoop(self), self.args.repeat
        if "develop" in selected:
            self.each_rep("develop", count, loop.develop_edit, loop.develop_tools())
        if selected & {"many-noop", "many-python"}:
            many = loop.variant("many", write_many_modules)
            if "many-noop" in selected:
                self.each_rep("many-noop", count, self.noop, many)
            if "many-python" in selected:
                self.each_rep("many-python", count, self.python_edit, many)
        if "shim-noop" in selected:
            self.each_rep("shim-noop", count, self.noop, loop.shim_tools())
        if "big-python" in selected:
            big = loop.variant("big", write_big_member)
            self.each_rep("big-python", count, loop.big_python_edit, big)


# --------------------------------------------------------------------------- report


def fmt_cell(cell: Optional[Cell]) -> str:
    return "–" if cell is None else cell.na or fmt_seconds(cell.samples)


def fmt_rss(cell: Optional[Cell]) -> str:
    return "–" if cell is None else fmt_peak(cell.samples)


def fmt_growth(cell: Optional[Cell]) -> str:
    grown = [s.store_growth for s in cell.samples if s.store_growth is not None] if cell else []
    return f"{statistics.median(grown) / 1024:,.0f} KiB" if grown else "–"


def report_rows(selected: Sequence[str]) -> list[tuple[str, str]]:
    """(cell key, title) of each row: the selected scenarios, each after its first build's."""
    rows = []
    for key, title in SCENARIOS.items():
        if key in selected:
            rows += [FIRST_ROWS[key]] if key in FIRST_ROWS else []
            rows.append((key, title))
    return rows


def fmt_ratio(m: Optional[Cell], r: Optional[Cell]) -> str:
    if m is None or r is None or m.median() is None or r.median() is None:
        return "n/a"
    mm, rm = m.median(), r.median()
    assert mm is not None and rm is not None
    return f"{mm / rm:.2f}×" if rm > 0 else "n/a"  # two decimals: 1.46 is not "1.5"


def environment(bench: Bench) -> list[tuple[str, str]]:
    interp = capture([bench.python, "-c", ("import sys; print(sys.version.split()[0], "
                      "sys.executable)")])
    return [
        *machine_rows(bench.load_start),
        ("python (built for, runs rustwheel)",
         f"{interp}; rustwheel run by {bench.rw_python} (an env of the base interpreter "
         "that sees the dev env's packages, as an installed rustwheel would run)"),
        *toolchain_rows(bench.maturin),
        ("rustwheel", (f"{git_info(bench.rw_path)} ({bench.rw_path}); store: "
                      f"{'--cache-dir' if bench.has_store else 'not supported yet'}; "
                      f"{bytecode_text(bench.compiled)}")),
        ("crate", (f"{crate_text(bench.crate_src)} (pyo3 0.30, serde, serde_json, itertools, "
                   "smallvec, regex; mixed layout)")),
    ]


def report(bench: Bench, elapsed: float) -> str:
    a = bench.args
    lines = [f"# rustwheel vs maturin: {'quick run' if a.quick else 'benchmark'}", ""]
    lines += table(environment(bench))
    lines += [f"| repetitions | {a.repeat} per incremental scenario, {a.cold_repeat} cold |",
              f"| total run time | {elapsed:.0f} s |", ""]
    lines += [("Wall-clock time of the whole `build` command: median (min–max). "
              "Ratio = maturin median / rustwheel median (above 1: rustwheel is faster). "
              "Peak RSS = the largest single process of the build (usually rustc), "
              f"max over repetitions{RSS_SOURCE}."), ""]
    lines += ["| scenario | maturin | rustwheel | ratio | target | peak RSS MiB maturin / "
              "rustwheel | store growth per build (rustwheel) |", "|---|---|---|---|---|---|---|"]
    for key, title in report_rows(a.scenarios):
        m = bench.cells.get((key, "maturin"))
        r = bench.cells.get((key, "rustwheel"))
        target = f"≥ {TARGETS[key]:g}×" if key in TARGETS else "–"
        lines.append(f"| {title} | {fmt_cell(m)} | {fmt_cell(r)} | {fmt_ratio(m, r)} | "
                     f"{target} | {fmt_rss(m)} / {fmt_rss(r)} | {fmt_growth(r)} |")
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
              ("- Scenarios 6–10 each build a copy of their own (own target and output dirs; "
               "rustwheel's store is the one of scenarios 1–4), after an untimed first build. "
               "6: `maturin develop` / `rustwheel develop` into a venv of their own after a "
               "Rust edit, plus a `python -c` that must print the new constant. 7–8: 3,000 "
               "small modules in `bench_mixed/many/`, written over a second before the first "
               "build. 9: no VIRTUAL_ENV, PATH = pyenv's shims, "
               "cargo, /usr/bin, /bin; both tools get `-i python3` (the shim). 10: "
               "`bench_mixed/weights.bin`, 400 MB of random bytes; store growth is the "
               "rustwheel store's size after the build minus before."),
              ("- The timings are only as quiet as the machine: see the load average above.")]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- main


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(p, list(SCENARIOS), DEFAULT_CRATE, DEFAULT_OUTPUT, "default 5; cold 3")
    p.add_argument("-i", "--interpreter", default=sys.executable,
                   help="python the wheels are built for (default: this one)")
    p.add_argument("--target-dir-flag", action="store_true",
                   help="pass each tool `--target-dir DIR` instead of setting CARGO_TARGET_DIR")
    a = p.parse_args(argv)
    check_common_args(p, a, list(SCENARIOS), repeat=5, cold_repeat=3)
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
    write_report(report(bench, time.perf_counter() - start), args)
    if own_tmp and not args.keep:
        shutil.rmtree(args.work_dir, ignore_errors=True)
    elif args.keep:
        print(f"work directory kept: {args.work_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
