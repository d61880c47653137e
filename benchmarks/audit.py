#!/usr/bin/env python3
"""`rustwheel audit` against `auditwheel show` on the same wheels: medians and ratios.

    python benchmarks/audit.py [--repeat 5]

Wheels: a small extension (tests/crates/pyo3-pure-abi3), a large one (the 26 MB dev build of
benchmarks/crates/bench-mixed) and a wheel with many extension files (40 renamed copies of the
small extension). Both tools run as fresh processes of the same interpreter, so start-up is
part of the figure, as it is for a user. Both tools must report the same platform tag.

rustwheel's modules are byte-compiled first (``compileall``), as ``pip install`` does for an
installed rustwheel and for auditwheel: with ``PYTHONDONTWRITEBYTECODE`` set and an editable
checkout, every run would otherwise compile rustwheel's sources again (~40 ms) while auditwheel
loads its cached bytecode. ``--no-compile`` measures without that step.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
CONSISTENT = re.compile(r'consistent\s+with\s+the\s+following\s+platform\s+tag:\s+"([^"]+)"')


def build(manifest: Path, out: Path, target: Path) -> Path:
    proc = subprocess.run([sys.executable, "-m", "rustwheel", "build", "-q", "-m", str(manifest),
                           "-o", str(out), "--target-dir", str(target), "-i", sys.executable],
                          cwd=REPO, capture_output=True, text=True, check=True)
    return Path(proc.stdout.strip().splitlines()[-1])


def many(small: Path, out: Path, copies: int) -> Path:
    """A valid wheel holding ``copies`` renamed copies of the small wheel's extension."""
    from rustwheel.spec.wheelfile import Entry, write_wheel

    with zipfile.ZipFile(small) as zf:
        so = next(n for n in zf.namelist() if n.endswith(".so"))
        data = zf.read(so)
        meta = [(n, zf.read(n)) for n in zf.namelist()
                if ".dist-info/" in n and not n.endswith("RECORD")]
    dist_info = meta[0][0].split("/")[0]
    entries = [Entry(f"many_ext/mod_{i:02d}.abi3.so", data, True) for i in range(copies)]
    entries += [Entry(n, d) for n, d in meta]
    wheel = out / small.name
    write_wheel(wheel, entries, dist_info, None)
    return wheel


def timed(argv: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, check=True, cwd=REPO)
    return time.perf_counter() - start, proc.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-compile", action="store_true",
                        help="do not byte-compile rustwheel's modules first")
    args = parser.parse_args()
    if not args.no_compile:
        compileall.compile_dir(str(REPO / "rustwheel"), quiet=1)
    with tempfile.TemporaryDirectory(prefix="rw-audit-bench-") as tmp:
        work = Path(tmp)
        target = REPO / "target" / "bench-audit"
        small = build(REPO / "tests/crates/pyo3-pure-abi3/Cargo.toml", work / "small", target)
        large = build(REPO / "benchmarks/crates/bench-mixed/Cargo.toml", work / "large", target)
        (work / "many").mkdir()
        wheels = {"small extension": small, "large extension (26 MB .so)": large,
                  "40 extension files": many(small, work / "many", 40)}
        rows = []
        load_start = os.getloadavg()
        for label, wheel in wheels.items():
            ours_t, theirs_t = [], []
            for _ in range(args.repeat):
                t, out = timed([sys.executable, "-m", "rustwheel", "audit", "--json", str(wheel)])
                ours_t.append(t)
                ours_tag = json.loads(out)[0]["tag"]
                t, out = timed([sys.executable, "-m", "auditwheel", "show", str(wheel)])
                theirs_t.append(t)
                m = CONSISTENT.search(" ".join(out.split()))
                theirs_tag = m.group(1) if m else "?"
            same = "yes" if ours_tag == theirs_tag.split(".")[0] else f"NO ({theirs_tag})"
            a, b = statistics.median(theirs_t), statistics.median(ours_t)
            rows.append(f"| {label} | {a:.3f} s ({min(theirs_t):.3f}–{max(theirs_t):.3f}) | "
                        f"{b:.3f} s ({min(ours_t):.3f}–{max(ours_t):.3f}) | {a / b:.1f}× | "
                        f"{ours_tag} | {same} |")
    load_end = os.getloadavg()
    print(f"Medians (min–max) of {args.repeat} runs, each tool a fresh process "
          f"(python {sys.version.split()[0]}; rustwheel bytecode "
          f"{'not ' if args.no_compile else ''}precompiled; load average "
          f"{' '.join(f'{x:.2f}' for x in load_start)} at start, "
          f"{' '.join(f'{x:.2f}' for x in load_end)} at end, {os.cpu_count()} CPUs).\n")
    print("| wheel | auditwheel show | rustwheel audit | ratio | tag | same tag |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
