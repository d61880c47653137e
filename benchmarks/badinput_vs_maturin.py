#!/usr/bin/env python3
"""rustwheel against maturin on the bad-input corpus (tests/integration/badinput_corpus.py).

    python benchmarks/badinput_vs_maturin.py [--only ID ...] [--out benchmarks/BADINPUT_RESULTS.md]

Each case is set up twice, the same way, and run with ``rustwheel build`` and with ``maturin
build`` (the maturin on PATH or beside this interpreter). For each tool: the exit code, whether
a wheel was written (the output directory and the target dir's ``wheels/``), whether it printed
a Python traceback or a Rust panic, and its first error line (rustwheel: the ``error:`` line;
maturin: the first ``Caused by:`` line after ``💥 maturin failed``, else the first line naming an
error). A refusal counts as *clear* when that error text contains one of the strings the corpus
says name the fault (the file, key or flag), a heuristic that the table shows case by case.
Cases marked as having no maturin equivalent (rustwheel-only flags and variables) are skipped.
Needs root (tmpfs mounts, setpriv), like the test.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "integration"))

from badinput_corpus import CASES, Case, expected, files_under, prepared  # noqa: E402

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Needles that name only the file: a message naming just "pyproject.toml" is not clear about
# which key is wrong, so one of the other needles must appear.
_GENERIC = {"pyproject.toml", "Cargo.toml", "[project]", "[tool.maturin]", "--help"}


@dataclass
class Outcome:
    code: int
    wheel: bool
    crashed: bool
    line: str
    clear: bool


def _words(text: str) -> str:
    """Lower case, quotes dropped, ``-``, ``_`` and ``/`` as spaces: ``--manifest-path`` is
    found in "manifest path"."""
    text = re.sub(r"['\"`]", "", text.lower())
    return " ".join(re.sub(r"[-_/]+", " ", text).split())


def _first_error(tool: str, stderr: str) -> str:
    lines = [_ANSI.sub("", line).strip() for line in stderr.splitlines()]
    if tool == "rustwheel":
        return next((line for line in lines if line.startswith("error: ")), "")
    caused = [line for line in lines if line.startswith("Caused by:")]
    if caused:
        return caused[0]
    return next((line for line in lines if re.search(r"\berror\b|💥", line, re.I)), "")


def run(case: Case, tool: str, tmp: Path, target_dir: Path) -> Outcome:
    with prepared(case, tmp, tool, target_dir) as setup:
        wheels_before = files_under(target_dir / "wheels")
        proc = setup.run()
        wrote = any(p.endswith(".whl") for p in files_under(setup.out)) if setup.out.is_dir() \
            else False
        wrote = wrote or files_under(target_dir / "wheels") != wheels_before
        needles = expected(case, setup)
    text = proc.stderr + proc.stdout
    crashed = "Traceback (most recent call last)" in text or "panicked at" in text
    line = _first_error(tool, proc.stderr).replace(str(tmp), "<tmp>")
    said = _words(_ANSI.sub("", proc.stderr + proc.stdout))
    specific = [n for n in needles if n not in _GENERIC] or needles
    clear = proc.returncode != 0 and not crashed and any(_words(n) in said for n in specific)
    return Outcome(proc.returncode, wrote, crashed, line, clear)


def _cell(text: str, width: int = 150) -> str:
    text = text.replace("|", "\\|").replace("`", "'")
    return text if len(text) <= width else text[:width - 1] + "…"


def _verdict(m: Outcome) -> str:
    if m.code == 0:
        return "maturin builds"
    if m.wheel:
        return "maturin fails, leaves a wheel"
    if m.crashed:
        return "maturin crashes"
    return "both refuse" if m.clear else "maturin unclear"


def report(results: list[tuple[Case, Outcome, Outcome]], maturin_version: str) -> str:
    verdicts = [_verdict(m) for _, _, m in results]
    rw_ok = sum(1 for _, r, _ in results if r.code != 0 and not r.wheel and not r.crashed)
    counts = {v: verdicts.count(v) for v in
              ("both refuse", "maturin builds", "maturin fails, leaves a wheel",
               "maturin unclear", "maturin crashes")}
    out = [
        "# Bad input: rustwheel against maturin",
        "",
        f"`python benchmarks/badinput_vs_maturin.py`, {maturin_version}, {len(results)} cases "
        f"of `tests/integration/badinput_corpus.py` that maturin can be given "
        f"({len(CASES) - len(results)} rustwheel-only cases skipped).",
        "",
        "| outcome | cases |",
        "|---|---|",
        f"| rustwheel refuses with one clear line, nothing written | {rw_ok} |",
        f"| both refuse (maturin's message names the file, key or flag) | "
        f"{counts['both refuse']} |",
        f"| maturin builds anyway (exit 0, a wheel written) | {counts['maturin builds']} |",
        f"| maturin fails but leaves a (partial) wheel in the output directory | "
        f"{counts['maturin fails, leaves a wheel']} |",
        f"| maturin refuses, message unclear (names none of them) | "
        f"{counts['maturin unclear']} |",
        f"| maturin crashes (traceback or panic) | {counts['maturin crashes']} |",
        "",
        "| case | rustwheel | maturin exit | wheel | crash | maturin's first error line | "
        "verdict |",
        "|---|---|---|---|---|---|---|",
    ]
    for (case, r, m), verdict in zip(results, verdicts):
        out.append(f"| {case.id} | {r.code}: {_cell(r.line.removeprefix('error: '), 90)} | "
                   f"{m.code} | {'yes' if m.wheel else 'no'} | {'yes' if m.crashed else 'no'} "
                   f"| {_cell(m.line, 110)} | {verdict} |")
    return "\n".join(out) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(allow_abbrev=False)
    ap.add_argument("--only", nargs="*", default=[])
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "BADINPUT_RESULTS.md"))
    ns = ap.parse_args()
    import subprocess

    from badinput_corpus import tool_argv
    version = subprocess.run([tool_argv("maturin")[0], "--version"], capture_output=True,
                             text=True, check=True).stdout.strip()
    rw_target = REPO / "target" / "test-crates"
    m_target = REPO / "target" / "maturin-badinput"
    results = []
    for case in CASES:
        if case.maturin is None or (ns.only and case.id not in ns.only):
            continue
        with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
            r = run(case, "rustwheel", Path(a), rw_target)
            m = run(case, "maturin", Path(b), m_target)
        print(f"{case.id}: rustwheel {r.code}, maturin {m.code} wheel={m.wheel} "
              f"{_verdict(m)}: {m.line[:100]}", file=sys.stderr, flush=True)
        results.append((case, r, m))
    Path(ns.out).write_text(report(results, version), encoding="utf-8")
    print(ns.out)
    shutil.rmtree(m_target / "wheels", ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
