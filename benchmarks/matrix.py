#!/usr/bin/env python3
"""Release-matrix benchmark: `maturin build -i <6 pythons>` against `rustwheel build -i <6
pythons> -j 2` on benchmarks/crates/bench-matrix (pyo3 0.25, not abi3, CPython 3.8-3.13).

Each tool builds its own copy of the crate with its own CARGO_TARGET_DIR, for the same six
interpreters, with the dev profile and `--compatibility linux`, into its own output directory.
Three scenarios are timed (cold build, python-only edit, Rust edit; see benchmarks/README.md);
every build is checked (six wheels, each with the edit), cargo's `Compiling ...` lines are
counted per build, and the result is printed as a Markdown table and written to
benchmarks/MATRIX_RESULTS.md.

    python benchmarks/matrix.py            # 3 repetitions of each edit, 1 cold build per tool
    python benchmarks/matrix.py --quick    # 1 of each

Only the standard library is used (plus benchmarks/common.py beside this file).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from common import (
    CARGO_FINISHED,
    HERE,
    RSS_SOURCE,
    RUST_SOURCE,
    RUSTWHEEL_ENV,
    SCALE_RE,
    TOOLS,
    BenchError,
    add_common_args,
    append_python_edit,
    bytecode_text,
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

DEFAULT_CRATE = HERE / "crates" / "bench-matrix"
RUSTC_CPU = HERE / "rustc-cpu.sh"
DEFAULT_OUTPUT = HERE / "MATRIX_RESULTS.md"
DEFAULT_MINORS = range(8, 14)  # CPython 3.8 ... 3.13
PACKAGE = "bench_matrix"
PY_MODULE = Path(PACKAGE) / "helpers.py"
COMPILING_RE = re.compile(r"^\s*Compiling (\S+) v\S+", re.MULTILINE)
# rustwheel's stage lines: "  ran         compile:cp38-x86_64-unknown-linux-gnu    6.50s"
STAGE_RE = re.compile(r"^  (ran|restored|up to date|failed|skipped) +(\S+)(?: +(\d+\.\d+)s)?$",
                      re.MULTILINE)
# Two cargo processes sharing a target dir: the second waits until the first is done.
LOCK_WAIT_RE = re.compile(r"Blocking waiting for file lock on (?:artifact|build) directory")
# Variables that would make either tool build something else than asked for.
SCRUBBED_ENV = ("PYO3_PYTHON", "PYO3_CONFIG_FILE", "PYO3_NO_PYTHON", "PYO3_CROSS",
                "PYO3_CROSS_LIB_DIR", "CARGO_BUILD_TARGET", "CARGO_BUILD_TARGET_DIR",
                "RUSTWHEEL_CACHE_DIR")

SCENARIOS: dict[str, str] = {
    "cold": "cold build",
    "python": "python-only edit",
    "rust": "Rust edit (`SCALE` in `src/lib.rs`)",
}
# maturin median / rustwheel median must reach this (the issue's targets).
TARGETS: dict[str, float] = {"cold": 1.0, "python": 20.0, "rust": 5.0}
TARGET_TEXT: dict[str, str] = {
    "cold": "no slower than maturin (≥ 1.0×)",
    "python": "≥ 20×",
    "rust": "≥ 5× (one crate compile per interpreter)",
}
# maturin's figures from the issue (a user's machine), for orientation only.
ISSUE_MATURIN: dict[str, float] = {"cold": 43.0, "python": 38.9, "rust": 38.7}


@dataclass(frozen=True)
class Interpreter:
    path: str  # absolute, given to both tools
    version: str  # e.g. "3.12.1"
    ext_suffix: str  # e.g. ".cpython-312-x86_64-linux-gnu.so": identifies its wheel

    @property
    def minor(self) -> str:
        return ".".join(self.version.split(".")[:2])


@dataclass
class Stage:
    status: str  # ran / restored / up to date / failed / skipped
    task: str  # e.g. compile:cp38-x86_64-unknown-linux-gnu
    seconds: float


@dataclass
class Sample:
    seconds: float
    peak_rss_kib: int
    note: str = ""  # "" when the build succeeded and its wheels were checked and correct
    compiling: Counter[str] = field(default_factory=Counter)  # cargo "Compiling <crate>" lines
    cargo_seconds: list[float] = field(default_factory=list)  # each cargo's "Finished ... in"
    stages: list[Stage] = field(default_factory=list)  # rustwheel's stage lines
    lock_waits: int = 0  # cargo runs that waited for another's lock on the target dir


@dataclass
class Cell:
    samples: list[Sample] = field(default_factory=list)

    def median(self) -> Optional[float]:
        return median(self.samples)


@dataclass
class Tool:
    name: str
    root: Path  # everything this tool builds lives under here
    crate: Path  # its long-lived working copy
    target: Path  # CARGO_TARGET_DIR of the working copy
    out: Path  # -o of the working copy's builds
    store: Optional[Path] = None  # rustwheel's --cache-dir


@dataclass
class Wheel:
    path: Path
    helpers: bytes  # bench_matrix/helpers.py
    native_digest: str  # sha256 of the extension module


# --------------------------------------------------------------------------- interpreters


def pyenv_interpreters(minors: Sequence[int] = DEFAULT_MINORS) -> list[str]:
    """The newest pyenv CPython 3.<minor>.<patch> for each minor, by absolute path."""
    versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    found, missing = [], []
    for minor in minors:
        candidates = []
        for exe in versions.glob(f"3.{minor}.*/bin/python3.{minor}"):
            patch = re.fullmatch(rf"3\.{minor}\.(\d+)", exe.parent.parent.name)
            if patch and os.access(exe, os.X_OK):  # not 3.13.0t, 3.13-dev, ...
                candidates.append((int(patch.group(1)), exe))
        if candidates:
            found.append(str(max(candidates)[1]))
        else:
            missing.append(f"3.{minor}")
    if missing:
        raise BenchError(f"no pyenv CPython {', '.join(missing)} under {versions} "
                         "(pyenv install them, or pass --interpreters PATH,...)")
    return found


def probe_interpreter(name: str) -> Interpreter:
    """`name`: a path, a command on PATH or `3.X` (pyenv's newest CPython 3.X). The path both
    tools get is the interpreter's own `sys.executable`, so a pyenv shim is resolved."""
    minor = re.fullmatch(r"3\.(\d+)", name)
    if minor:
        path = pyenv_interpreters([int(minor.group(1))])[0]
    else:
        path = os.path.abspath(name if os.sep in name else (shutil.which(name) or name))
    code = ("import sys, sysconfig; print(sys.executable); "
            "print('%d.%d.%d' % sys.version_info[:3]); "
            "print(sysconfig.get_config_var('EXT_SUFFIX'))")
    try:
        res = subprocess.run([path, "-c", code], capture_output=True, text=True, timeout=60,
                             check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise BenchError(f"interpreter {name} ({path}) does not run: {exc}") from exc
    lines = res.stdout.splitlines()
    if res.returncode != 0 or len(lines) != 3 or not lines[0]:
        raise BenchError(f"interpreter {name} ({path}) failed to report its path, version and "
                         f"extension suffix:\n{res.stderr.strip()}")
    return Interpreter(path=lines[0], version=lines[1], ext_suffix=lines[2])


# --------------------------------------------------------------------------- build output


def parse_output(text: str, sample: Sample) -> None:
    """Fill in the sample's cargo `Compiling` lines, cargo times and rustwheel stage lines."""
    sample.compiling.update(COMPILING_RE.findall(text))
    sample.cargo_seconds = [float(s) for s in CARGO_FINISHED.findall(text)]
    sample.lock_waits = len(LOCK_WAIT_RE.findall(text))
    sample.stages = [Stage(status, task, float(secs) if secs else 0.0)
                     for status, task, secs in STAGE_RE.findall(text)]


def read_wheels(out: Path, interpreters: Sequence[Interpreter]) -> dict[str, Wheel]:
    """The wheel in `out` for each interpreter (by the extension's suffix), newest first."""
    found: dict[str, Wheel] = {}
    wheels = sorted(out.glob(f"{PACKAGE}-*.whl"), key=lambda p: p.stat().st_mtime, reverse=True)
    for whl in wheels:
        with zipfile.ZipFile(whl) as zf:
            names = set(zf.namelist())
            for interp in interpreters:
                native = f"{PACKAGE}/_native{interp.ext_suffix}"
                if interp.path in found or native not in names:
                    continue
                helpers = zf.read(PY_MODULE.as_posix()) if PY_MODULE.as_posix() in names else b""
                found[interp.path] = Wheel(whl, helpers, member_digest(zf, native))
    return found


def member_digest(zf: zipfile.ZipFile, name: str) -> str:
    digest = hashlib.sha256()
    with zf.open(name) as f:  # streamed: keeps this script's RSS small
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def import_check(interp: Interpreter, wheel: Path, scale: int) -> str:
    """"" when the wheel's module imports in `interp` and reports `scale` and the interpreter's
    version (an extension built against another Python fails here), else what went wrong."""
    with tempfile.TemporaryDirectory(prefix="bench-matrix-import-") as tmp:
        with zipfile.ZipFile(wheel) as zf:
            zf.extractall(tmp)
        code = (f"import sys; sys.path.insert(0, {tmp!r}); import {PACKAGE} as m; "
                "print(m.scale(), m.python_version())")
        try:
            res = subprocess.run([interp.path, "-S", "-c", code], capture_output=True, text=True,
                                 timeout=60, check=False)
        except (OSError, subprocess.SubprocessError) as exc:
            return f"{interp.minor}: {exc.__class__.__name__}"
    if res.returncode != 0:
        lines = res.stderr.strip().splitlines()
        return f"{interp.minor}: import failed ({lines[-1] if lines else res.returncode})"
    if res.stdout.split() != [str(scale), interp.minor]:
        return f"{interp.minor}: reports {res.stdout.strip()!r}, expected '{scale} {interp.minor}'"
    return ""


def source_scale(crate: Path) -> int:
    match = SCALE_RE.search((crate / RUST_SOURCE).read_text(encoding="utf-8"))
    if not match:
        raise BenchError(f"{crate / RUST_SOURCE}: no `pub const SCALE: i64 = N;` line")
    return int(match.group(0).split("=")[1].strip(" ;"))


# --------------------------------------------------------------------------- the benchmark


class Matrix:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        names = args.interpreters or pyenv_interpreters()
        self.interpreters = [probe_interpreter(n) for n in names]
        self.rw_path = Path(args.rustwheel_path).resolve()
        self.crate_src = Path(args.crate).resolve()
        self.work = Path(args.work_dir).resolve()
        self.rw_python = installed_like(args.rustwheel_python, self.work / RUSTWHEEL_ENV)
        self.log = self.work / "build.log"
        self.maturin = self._maturin_cmd()
        self.compiled = not args.no_compile and compile_rustwheel(self.rw_python, self.rw_path)
        self._check_rustwheel()
        self.cells: dict[tuple[str, str], Cell] = {}
        self.rustc_cpu: dict[str, dict[tuple[str, str], tuple[int, float]]] = {}
        """Per tool, with --rustc-cpu: (crate, crate type) -> (rustc runs, CPU seconds)."""
        self.load_start = load_average()
        self.tools = {name: self._tool(name, self.work / name) for name in TOOLS}

    # ---- setup

    def _tool(self, name: str, root: Path) -> Tool:
        # Every copy is a directory named like the crate, as `git clone` would make it.
        return Tool(name=name, root=root, crate=root / self.crate_src.name,
                    target=root / "target", out=root / "out",
                    store=(root / "store") if name == "rustwheel" else None)

    def _maturin_cmd(self) -> list[str]:
        if self.args.maturin:
            return [self.args.maturin]
        # The maturin beside the python running rustwheel (the venv's, as `scripts/setup.sh`
        # installs it) first: a version-manager shim on PATH adds ~0.1 s to every run.
        for python in (self.rw_python, sys.executable):
            beside = Path(python).parent / "maturin"
            if beside.is_file() and os.access(beside, os.X_OK):
                return [str(beside)]
        exe = shutil.which("maturin")
        if exe:
            return [exe]
        raise BenchError("maturin not found: pass --maturin PATH, install it beside "
                         f"{self.rw_python} or put it on PATH")

    def _env(self, tool: str, target: Path, store: Optional[Path]) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
        env["CARGO_TARGET_DIR"] = str(target)
        env.setdefault("CARGO_TERM_COLOR", "never")
        if tool == "rustwheel":
            with_rustwheel_path(env, self.rw_path)
            if store is not None:
                env["RUSTWHEEL_CACHE_DIR"] = str(store)
        return env

    def _check_rustwheel(self) -> None:
        usage = rustwheel_help(self.rw_python, self.rw_path)
        missing = [flag for flag in ("--cache-dir", "--jobs") if flag not in usage]
        if missing:
            raise BenchError(f"rustwheel at {self.rw_path} has no {' / '.join(missing)} option: "
                             "it predates the release matrix")

    def fetch_crates(self, crate: Path) -> None:
        """Download the locked dependencies now, so no cold build times a download."""
        res = subprocess.run(["cargo", "fetch", "--manifest-path", str(crate / "Cargo.toml")],
                             capture_output=True, text=True, check=False)
        if res.returncode != 0:
            raise BenchError(f"cargo fetch failed for {crate}:\n{res.stderr.strip()}")

    # ---- one build

    def build_cmd(self, tool: Tool, crate: Path, out: Path, store: Optional[Path]) -> list[str]:
        common = ["-m", str(crate / "Cargo.toml"), "-i", *(i.path for i in self.interpreters),
                  "--compatibility", "linux", "-o", str(out)]
        if tool.name == "maturin":
            return [*self.maturin, "build", *common]
        cmd = [self.rw_python, "-m", "rustwheel", "build", *common, "-j", str(self.args.jobs)]
        if store is not None:
            cmd += ["--cache-dir", str(store)]
        return cmd

    def build(self, tool: Tool, crate: Path, target: Path, out: Path,
              store: Optional[Path], extra_env: Optional[dict[str, str]] = None) -> Sample:
        """Run one build; a failed one gives a sample marked FAILED (the run goes on)."""
        start = self.log.stat().st_size if self.log.exists() else 0
        env = {**self._env(tool.name, target, store), **(extra_env or {})}
        code, seconds, rss = run_measured(self.build_cmd(tool, crate, out, store), crate, env,
                                          self.log)
        sample = Sample(seconds, rss)
        parse_output(log_since(self.log, start), sample)
        if code != 0:
            sample.note = f"FAILED (exit {code})"
        return sample

    def check(self, sample: Sample, out: Path, stale: Callable[[Interpreter, Wheel], bool],
              what: str, scale: Optional[int] = None) -> None:
        """Mark the sample unless every interpreter has a wheel, none of them is `stale` and
        (with `scale`) each one's module imports in its interpreter and reports `scale`."""
        if sample.note:
            return
        wheels = read_wheels(out, self.interpreters)
        present = [i for i in self.interpreters if i.path in wheels]
        missing = [i.minor for i in self.interpreters if i.path not in wheels]
        bad = [i.minor for i in present if stale(i, wheels[i.path])]
        notes = []
        if missing:
            notes.append(f"MISSING: no wheel for {', '.join(missing)}")
        if bad:
            notes.append(f"STALE: {what} ({', '.join(bad)})")
        if scale is not None and not bad:
            broken = [e for e in (import_check(i, wheels[i.path].path, scale) for i in present)
                      if e]
            if broken:
                notes.append(f"WRONG: {'; '.join(broken)}")
        sample.note = "; ".join(notes)

    # ---- scenarios

    def record(self, scenario: str, tool: Tool, sample: Sample) -> None:
        self.cells.setdefault((scenario, tool.name), Cell()).samples.append(sample)
        note = f"  [{sample.note}]" if sample.note else ""
        print(f"  {scenario:<7} {tool.name:<10} {sample.seconds:8.2f} s "
              f"{sample.peak_rss_kib / 1024:6.0f} MiB  compiled: {fmt_compiling(sample)}{note}",
              file=sys.stderr, flush=True)

    def each_rep(self, scenario: str, count: int, step: Callable[[Tool, int], Sample]) -> None:
        repeat(SCENARIOS[scenario], count, self.tools,
               lambda tool, rep: self.record(scenario, tool, step(tool, rep)))

    def setup(self) -> None:
        start_work_dir(self.work, self.log, self.load_start)
        print("interpreters: " + ", ".join(f"{i.version} {i.path}" for i in self.interpreters),
              file=sys.stderr)
        for tool in self.tools.values():
            tool.root.mkdir(parents=True)
            tool.out.mkdir()
            copy_crate(self.crate_src, tool.crate)
        self.fetch_crates(self.tools["maturin"].crate)

    def warm_up(self, tool: Tool) -> None:
        """An untimed build of the working copy, which the edits need first. If it fails, the
        edits run anyway: their builds are marked in the table."""
        sample = self.build(tool, tool.crate, tool.target, tool.out, tool.store)
        print(f"  warm-up {tool.name:<10} {sample.seconds:8.2f} s (untimed)", file=sys.stderr)
        if sample.note:
            print(f"warning: {tool.name}'s warm-up build {sample.note}", file=sys.stderr)

    def cold(self, tool: Tool, rep: int) -> Sample:
        """The first cold build is the working copy's first build (it is the edits' warm-up);
        later ones build a new copy in a new directory with a new target dir, output dir and
        store."""
        if rep == 0:
            return self._cold_in(tool, tool)
        fresh = self._tool(tool.name, tool.root / f"cold-{rep}")
        fresh.root.mkdir(parents=True)
        copy_crate(self.crate_src, fresh.crate)
        try:
            return self._cold_in(tool, fresh)
        finally:
            shutil.rmtree(fresh.root, ignore_errors=True)

    def _cold_in(self, tool: Tool, where: Tool) -> Sample:
        source = (where.crate / PY_MODULE).read_bytes()
        sample = self.build(tool, where.crate, where.target, where.out, where.store)
        self.check(sample, where.out, lambda i, w: w.helpers != source,
                   "helpers.py in the wheel differs from the source", source_scale(where.crate))
        return sample

    def python_edit(self, tool: Tool, rep: int) -> Sample:
        marker = append_python_edit(tool.crate / PY_MODULE, rep, "matrix.py")
        sample = self.build(tool, tool.crate, tool.target, tool.out, tool.store)
        self.check(sample, tool.out, lambda i, w: marker.encode() not in w.helpers,
                   "the python edit is not in the wheel")
        return sample

    def rust_edit(self, tool: Tool, rep: int) -> Sample:
        # A value never used before in this run, so every extension must change every time.
        scale = rep + 100
        set_scale(tool.crate, scale)
        before = {k: w.native_digest for k, w in read_wheels(tool.out, self.interpreters).items()}
        sample = self.build(tool, tool.crate, tool.target, tool.out, tool.store)
        self.check(sample, tool.out, lambda i, w: w.native_digest == before.get(i.path),
                   "the extension did not change", scale)
        return sample

    def run(self) -> None:
        a = self.args
        self.setup()
        if "cold" in a.scenarios:
            self.each_rep("cold", a.cold_repeat, self.cold)
        if "python" in a.scenarios or "rust" in a.scenarios:
            for tool in self.tools.values():
                first = self.cells.get(("cold", tool.name))
                if first is None or first.samples[0].note:  # no cold build, or a broken one
                    self.warm_up(tool)
        if "python" in a.scenarios:
            self.each_rep("python", a.repeat, self.python_edit)
        if "rust" in a.scenarios:
            self.each_rep("rust", a.repeat, self.rust_edit)
        if a.rustc_cpu:
            for tool in self.tools.values():
                self.measure_rustc_cpu(tool)

    def measure_rustc_cpu(self, tool: Tool) -> None:
        """One more cold build (untimed, in a new copy) with `rustc-cpu.sh` as cargo's
        `RUSTC_WRAPPER`: the CPU seconds of every rustc run, summed per crate."""
        fresh = self._tool(tool.name, tool.root / "rustc-cpu")
        fresh.root.mkdir(parents=True)
        copy_crate(self.crate_src, fresh.crate)
        log = fresh.root / "rustc-cpu.log"
        sample = self.build(tool, fresh.crate, fresh.target, fresh.out, fresh.store,
                            {"RUSTC_WRAPPER": str(RUSTC_CPU), "RUSTC_CPU_LOG": str(log)})
        print(f"  rustc-cpu {tool.name:<10} {sample.seconds:8.2f} s (untimed)", file=sys.stderr)
        if sample.note:
            raise BenchError(f"{tool.name}'s build with {RUSTC_CPU.name} {sample.note}")
        self.rustc_cpu[tool.name] = read_rustc_cpu(log)
        shutil.rmtree(fresh.root, ignore_errors=True)


# --------------------------------------------------------------------------- report


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def fmt_compiling(sample: Sample) -> str:
    """`pyo3 6, bench-matrix 6, other 30` for one build's cargo `Compiling` lines."""
    pyo3 = sample.compiling.get("pyo3", 0)
    own = sample.compiling.get("bench-matrix", 0)
    other = sum(sample.compiling.values()) - pyo3 - own
    return f"pyo3 {pyo3}, bench-matrix {own}, other {other}"


def fmt_cell(cell: Optional[Cell]) -> str:
    return "–" if cell is None else fmt_seconds(cell.samples)


def fmt_rss(cell: Optional[Cell]) -> str:
    return "–" if cell is None else fmt_peak(cell.samples)


def fmt_ratio(value: Optional[float]) -> str:
    if value is None:
        return "n/a"
    return f"{value:.2f}×" if value < 10 else f"{value:.1f}×"


def ratio(m: Optional[Cell], r: Optional[Cell]) -> Optional[float]:
    mm = m.median() if m else None
    rm = r.median() if r else None
    return mm / rm if mm is not None and rm else None


def verdict(scenario: str, m: Optional[Cell], r: Optional[Cell]) -> str:
    value = ratio(m, r)
    if value is None:
        return "n/a"
    if any(s.note for cell in (m, r) if cell for s in cell.samples):
        return "⚠ unchecked (a build failed its check)"
    return "met" if value >= TARGETS[scenario] else "**missed**"


def fmt_counts(cell: Optional[Cell]) -> str:
    """The distinct `Compiling` summaries over the repetitions (usually one)."""
    if cell is None or not cell.samples:
        return "–"
    return " / ".join(dict.fromkeys(fmt_compiling(s) for s in cell.samples))


def fmt_other_crates(cell: Optional[Cell]) -> str:
    """Every crate compiled in the last repetition, with its count."""
    if cell is None or not cell.samples or not cell.samples[-1].compiling:
        return "nothing"
    counts = cell.samples[-1].compiling
    return ", ".join(f"{name} ×{n}" for name, n in sorted(counts.items()))


def fmt_profile(sample: Sample) -> str:
    """Where one build's time went: its cargo runs and (rustwheel) its stages by kind."""
    cargo = sample.cargo_seconds
    parts = [f"wall {sample.seconds:.2f} s"]
    if cargo:
        parts.append(f"{plural(len(cargo), 'cargo run')}: sum {sum(cargo):.2f} s, longest "
                     f"{max(cargo):.2f} s ({', '.join(f'{s:.1f}' for s in cargo)})")
    else:
        parts.append("no cargo `Finished` line")
    if sample.lock_waits:
        parts.append(f"{plural(sample.lock_waits, 'cargo run')} waited for the target dir's lock "
                     "(its time includes the wait)")
    kinds: dict[str, list[Stage]] = {}
    for stage in sample.stages:
        kinds.setdefault(stage.task.split(":")[0], []).append(stage)
    for kind, stages in kinds.items():
        status = Counter(s.status for s in stages)
        secs = [s.seconds for s in stages]
        parts.append(f"{kind} ×{len(stages)} ({', '.join(f'{n} {k}' for k, n in status.items())}"
                     f"): sum {sum(secs):.2f} s, longest {max(secs):.2f} s")
    return "; ".join(parts)


def environment(bench: Matrix) -> list[tuple[str, str]]:
    return [
        *machine_rows(bench.load_start),
        ("interpreters (built for)",
         "<br>".join(f"{i.version} {i.path}" for i in bench.interpreters)),
        *toolchain_rows(bench.maturin),
        ("rustwheel", (f"{git_info(bench.rw_path)} ({bench.rw_path}), run by {bench.rw_python} "
                      f"with `-j {bench.args.jobs}`; {bytecode_text(bench.compiled)}")),
        ("crate", f"{crate_text(bench.crate_src)} (pyo3 0.25, not abi3; mixed layout)"),
    ]


def main_table(bench: Matrix) -> list[str]:
    lines = ["| scenario | maturin | rustwheel | ratio | target | verdict | peak RSS MiB m / r |",
             "|---|---|---|---|---|---|---|"]
    for key, title in SCENARIOS.items():
        if key not in bench.args.scenarios:
            continue
        m, r = bench.cells.get((key, "maturin")), bench.cells.get((key, "rustwheel"))
        value = ratio(m, r)
        lines.append(f"| {title} | {fmt_cell(m)} | {fmt_cell(r)} | "
                     f"{fmt_ratio(value)} | {TARGET_TEXT[key]} | "
                     f"{verdict(key, m, r)} | {fmt_rss(m)} / {fmt_rss(r)} |")
    return lines


def compile_table(bench: Matrix) -> list[str]:
    lines = ["| scenario | maturin | rustwheel |", "|---|---|---|"]
    for key, title in SCENARIOS.items():
        if key in bench.args.scenarios:
            lines.append(f"| {title} | {fmt_counts(bench.cells.get((key, 'maturin')))} | "
                         f"{fmt_counts(bench.cells.get((key, 'rustwheel')))} |")
    return lines


def profile_lines(bench: Matrix) -> list[str]:
    lines = []
    for key, title in SCENARIOS.items():
        for tool in TOOLS:
            cell = bench.cells.get((key, tool))
            if key in bench.args.scenarios and cell and cell.samples:
                lines.append(f"- {title}, {tool}: {fmt_profile(cell.samples[-1])}")
    return lines


def read_rustc_cpu(log: Path) -> dict[tuple[str, str], tuple[int, float]]:
    """`rustc-cpu.sh`'s log summed per (crate, crate type): (runs, user + system seconds)."""
    sums: dict[tuple[str, str], tuple[int, float]] = {}
    for line in log.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) != 7:
            raise BenchError(f"{log}: not a rustc-cpu.sh line: {line!r}")
        key = (fields[0], fields[1])
        runs, cpu = sums.get(key, (0, 0.0))
        sums[key] = (runs + 1, cpu + float(fields[5]) + float(fields[6]))
    return sums


def _total(sums: dict[tuple[str, str], tuple[int, float]]) -> tuple[int, float]:
    return sum(v[0] for v in sums.values()), sum(v[1] for v in sums.values())


def rustc_cpu_lines(bench: Matrix, rows: int = 12) -> list[str]:
    """The crates whose rustc CPU time differs most between the tools, and the totals."""
    m, r = (bench.rustc_cpu.get(tool, {}) for tool in TOOLS)
    none = (0, 0.0)
    keys = sorted(set(m) | set(r), key=lambda k: -abs(r.get(k, none)[1] - m.get(k, none)[1]))
    named = [(f"{k[0]} ({k[1]})", m.get(k, none), r.get(k, none)) for k in keys[:rows]]
    lines = ["| crate (type) | maturin: runs, CPU | rustwheel: runs, CPU | difference |",
             "|---|---|---|---|"]
    for name, (mn, mc), (rn, rc) in [*named, ("all", _total(m), _total(r))]:
        lines.append(f"| {name} | {mn}, {mc:.2f} s | {rn}, {rc:.2f} s | {rc - mc:+.2f} s |")
    return lines


def report(bench: Matrix, elapsed: float) -> str:
    a = bench.args
    n = len(bench.interpreters)
    lines = [f"# rustwheel vs maturin, release matrix ({plural(n, 'interpreter')}): "
             f"{'quick run' if a.quick else 'benchmark'}", ""]
    lines += table(environment(bench))
    lines += [f"| repetitions | {a.repeat} per edit, {a.cold_repeat} cold |",
              f"| total run time | {elapsed:.0f} s |", ""]
    lines += [("Wall-clock time of the whole `build` command for all interpreters: median "
               "(min–max). Ratio = maturin median / rustwheel median (above 1: rustwheel is "
               "faster); the target is the issue's. ⚠ marks a build that failed or whose wheels "
               "did not all reflect the edit."), ""]
    lines += main_table(bench)
    lines += ["", (f"cargo `Compiling` lines per build ({plural(n, 'interpreter')} together; "
                   "distinct counts over the repetitions). The Rust edit's target is "
                   f"`pyo3 0, bench-matrix {n}, other 0`."), ""]
    lines += compile_table(bench)
    for tool in TOOLS:
        cell = bench.cells.get(("rust", tool))
        if "rust" in a.scenarios:
            lines += ["", f"Crates the Rust edit recompiled, {tool} (last repetition): "
                          f"{fmt_other_crates(cell)}."]
    lines += ["", "Profile of the last repetition of each build (cargo's own `Finished ... in` "
                  "times; rustwheel's stage lines; with `-j` they overlap, and a cargo that "
                  "waited for another's lock on the target dir counts the wait):", ""]
    lines += profile_lines(bench)
    if bench.rustc_cpu:
        lines += ["", ("rustc CPU time per crate (user + system) in one more cold build of each "
                       "tool, untimed, with `benchmarks/rustc-cpu.sh` as cargo's "
                       "`RUSTC_WRAPPER` (`--rustc-cpu`); the largest differences first:"), ""]
        lines += rustc_cpu_lines(bench)
    lines += ["", "Notes:", "",
              (f"- Both tools: `-i` with the same {plural(n, 'interpreter')} (absolute paths), "
               "dev profile, "
               "`--compatibility linux` (no manylinux audit / repair), each with its own copy "
               "of the crate, its own `CARGO_TARGET_DIR` and its own output directory; "
               f"rustwheel with `-j {a.jobs}` and a private store (`--cache-dir`)."),
              ("- Cold: new copy, empty target dir and (rustwheel) empty store; crate sources "
               "are already in cargo's registry cache (no download is timed). The first cold "
               "build of each tool is its working copy's first build, which the edits follow."),
              ("- Python edit: a function appended to `bench_matrix/helpers.py`; Rust edit: the "
               "`SCALE` constant changed. Every wheel is checked after each build."),
              (f"- maturin's figures in the issue (another machine): cold "
               f"{ISSUE_MATURIN['cold']} s, python edit {ISSUE_MATURIN['python']} s, Rust edit "
               f"{ISSUE_MATURIN['rust']} s."),
              ("- Peak RSS: the largest single process of a build (usually rustc; with `-j` two "
               "run at once, so the machine's total is higher), max over repetitions"
               f"{RSS_SOURCE}."),
              ("- The timings are only as quiet as the machine: see the load average above.")]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- main


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(p, list(SCENARIOS), DEFAULT_CRATE, DEFAULT_OUTPUT, "default 3; cold 1")
    p.add_argument("--interpreters", default=None,
                   help="comma separated interpreters to build for: paths, names on PATH or "
                        "3.X for pyenv's newest CPython 3.X (default: 3.8 ... 3.13)")
    p.add_argument("-j", "--jobs", type=int, default=2, help="rustwheel's -j (default 2)")
    p.add_argument("--maturin", default=None,
                   help="maturin executable (default: beside --rustwheel-python, else on PATH)")
    p.add_argument("--rustc-cpu", action="store_true",
                   help="then one more cold build per tool, untimed, with benchmarks/"
                        "rustc-cpu.sh as RUSTC_WRAPPER: rustc CPU time per crate in the report")
    a = p.parse_args(argv)
    check_common_args(p, a, list(SCENARIOS), repeat=3, cold_repeat=1)
    if a.jobs < 1:
        p.error("--jobs must be at least 1")
    if a.interpreters is not None:
        a.interpreters = [s.strip() for s in a.interpreters.split(",") if s.strip()]
        if not a.interpreters:
            p.error("--interpreters is empty")
    return a


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    own_tmp = args.work_dir is None
    if own_tmp:
        args.work_dir = tempfile.mkdtemp(prefix="rustwheel-matrix-")
    start = time.perf_counter()
    try:
        bench = Matrix(args)
        bench.run()
    except (BenchError, KeyboardInterrupt) as exc:
        print(f"error: {exc}" if isinstance(exc, BenchError) else "interrupted",
              file=sys.stderr)
        print(f"(work directory kept for inspection: {args.work_dir}; every command and its "
              "output are in build.log there)", file=sys.stderr)
        return 1 if isinstance(exc, BenchError) else 130
    write_report(report(bench, time.perf_counter() - start), args)
    marked = any(s.note for cell in bench.cells.values() for s in cell.samples)
    if own_tmp and not args.keep and not marked:
        shutil.rmtree(args.work_dir, ignore_errors=True)
    else:
        why = " (a build was marked ⚠: see build.log there)" if marked else ""
        print(f"work directory kept: {args.work_dir}{why}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
