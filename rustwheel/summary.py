"""The summary of a matrix build: one row per cell, printed after the stage lines.

    cell                                status   compile    repair    wheel   total  wheel or error
    cp311-x86_64-unknown-linux-gnu      built     41.20s     0.90s    0.50s  42.60s  m-cp311-….whl
    cp312-x86_64-unknown-linux-gnu      built   restored  restored    0.30s   0.80s  m-cp312-….whl
    cp39-abi3-x86_64-unknown-linux-gnu  failed    failed   skipped  skipped  12.00s  error: cargo…
    3 cells in 43.1s: 2 built, 1 failed

`cell_rows` is what the table and the ``--timings`` page (`rustwheel.timings`) show of each
cell; `table` lays it out as aligned plain text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple, Optional

from rustwheel.results import OK_STATUSES, StageResult, by_cell, cell_status

STAGE_ORDER = ("header", "compile", "bindgen", "repair", "wheel")
"""The stages of a cell, in pipeline order (`rustwheel.tasks.pipeline.STAGES` less detect)."""


class CellRow(NamedTuple):
    cell: str
    status: str
    """``built``, ``restored``, ``up to date`` or ``failed`` (`rustwheel.results.cell_status`)."""
    stages: dict[str, StageResult]
    """By stage: ``compile``, ``wheel``, ..."""
    seconds: float
    """The time of its stages, added up."""
    wheel: Optional[str]
    """The wheel's path, when the cell built one."""
    error: Optional[str]
    """What failed, in one line, when it failed."""


def _error(stages: Sequence[StageResult]) -> Optional[str]:
    for s in stages:
        if s.status == "failed":
            lines = (s.message or "").strip().splitlines()
            return lines[0] if lines else f"{s.task} failed"
    if any(s.status == "skipped" for s in stages):
        return "skipped: a stage it needs failed"
    return None


def cell_rows(results: Sequence[StageResult], wheels: Mapping[str, str]) -> list[CellRow]:
    """One row per cell of ``results``; ``wheels``: the wheel each cell built, by cell."""
    rows = []
    for cell, stages in by_cell(results).items():
        status = cell_status(stages)
        ok = status != "failed" and all(s.status in OK_STATUSES for s in stages)
        rows.append(CellRow(cell, status, {s.stage: s for s in stages},
                            sum(s.seconds for s in stages), wheels.get(cell) if ok else None,
                            _error(stages)))
    return rows


def stage_text(result: Optional[StageResult]) -> str:
    """A stage in the table: its time when it ran, else what happened to it."""
    if result is None:
        return ""
    if result.status == "ran":
        return f"{result.seconds:.2f}s"
    return result.status


def table(rows: Sequence[CellRow]) -> str:
    """The rows as aligned plain text, a header first (the stages no cell has left out)."""
    stages = [s for s in STAGE_ORDER if any(s in r.stages for r in rows)]
    header = ["cell", "status", *stages, "total", "wheel or error"]
    body = [[r.cell, r.status, *(stage_text(r.stages.get(s)) for s in stages),
             f"{r.seconds:.2f}s", Path(r.wheel).name if r.wheel else f"error: {r.error}"
             if r.error else ""] for r in rows]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    lines = []
    for line in [header, *body]:
        cells = [text.ljust(w) if i < 2 else text.rjust(w)
                 for i, (text, w) in enumerate(zip(line[:-1], widths))]
        lines.append("  ".join([*cells, line[-1]]).rstrip())
    return "\n".join(lines)


def totals(rows: Sequence[CellRow], wall: Optional[float] = None) -> str:
    """``2 cells in 45.2s: 1 built, 1 restored``."""
    counts = {status: sum(r.status == status for r in rows)
              for status in ("built", "restored", "up to date", "failed")}
    said = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    took = f" in {wall:.1f}s" if wall is not None else ""
    return f"{len(rows)} cell{'s' if len(rows) != 1 else ''}{took}: {said}"


def print_summary(results: Sequence[StageResult], wheels: Mapping[str, str],
                  wall: Optional[float] = None) -> None:
    """The table and its totals on stderr, when the build had two cells or more."""
    from rustwheel import ui

    rows = cell_rows(results, wheels)
    if len(rows) >= 2:
        ui.block(f"{table(rows)}\n{totals(rows, wall)}")
