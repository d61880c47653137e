"""``--timings FILE.html``: a page of when each cell's stages ran, like cargo's ``--timings``.

`render` is pure: the build's stage results (with their start and end, `StageResult`) in, one
self-contained HTML page out (inline CSS, no script, nothing fetched). The page has the totals
(wall time, the stages' time added up, cells, cache hits), a legend, a time axis with one row
for ``detect`` and one per cell holding a bar per stage, positioned by its start and end and
coloured by what happened (ran, restored from the store, up to date: a thin mark, failed,
skipped), then a table of the cells. Rows carry ``data-cell``, bars ``data-task``,
``data-stage`` and ``data-status``, and the status as a class (``up-to-date``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Optional

from rustwheel.errors import RustwheelError
from rustwheel.results import StageResult, by_cell, cell_status
from rustwheel.summary import STAGE_ORDER, CellRow, cell_rows, stage_text

STATUSES = ("ran", "restored", "up to date", "failed", "skipped")
_STEPS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1200, 1800,
          3600)
_LABELLED = 0.07
"""A bar this long a part of the axis, or longer, says its stage (twice as long: and its
time)."""
_CSS = """
:root { --ran: #3b6fd8; --restored: #16a37a; --up-to-date: #9aa3af; --failed: #dc3b3b;
        --skipped: #c9ced6; --grid: #e8ebef; --text: #1f2328; --muted: #656d76; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--text); margin: 24px 32px; background: #fff; }
h1 { font-size: 20px; margin: 0 0 16px; font-weight: 600; }
h2 { font-size: 15px; margin: 28px 0 10px; font-weight: 600; }
code, .name, td.cell { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.totals { display: flex; gap: 8px; margin-bottom: 18px; max-width: 1400px; }
.total { flex: 1 1 0; border: 1px solid var(--grid); border-radius: 6px; padding: 6px 12px; }
.total b { display: block; font-size: 17px; font-weight: 600; white-space: nowrap; }
.total span { color: var(--muted); font-size: 12px; }
.legend { display: flex; gap: 18px; color: var(--muted); font-size: 12px; margin-bottom: 10px; }
.legend i { display: inline-block; width: 14px; height: 10px; border-radius: 2px;
            vertical-align: -1px; margin-right: 5px; }
.chart { border: 1px solid var(--grid); border-radius: 6px; padding: 6px 12px 10px; }
.row, .axis { display: flex; align-items: center; }
.row:hover { background: #f6f8fa; }
.label { flex: 0 0 330px; padding: 0 12px 0 4px; overflow: hidden; line-height: 1.2; }
.label .name { display: block; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
               font-size: 13px; }
.label small { color: var(--muted); font-size: 11px; }
.track { position: relative; flex: 1; height: 40px; border-top: 1px solid var(--grid);
         background-image: linear-gradient(to right, var(--grid) 1px, transparent 1px);
         background-size: var(--step) 100%; }
.axis .track { height: 22px; border-top: none; background: none; }
.tick { position: absolute; top: 3px; font-size: 11px; color: var(--muted);
        transform: translateX(-50%); white-space: nowrap; }
.tick:first-child { transform: none; }
.bar { position: absolute; top: 9px; height: 22px; border-radius: 3px; overflow: hidden;
       color: #fff; font-size: 11px; line-height: 22px; padding: 0 6px; white-space: nowrap;
       text-overflow: ellipsis; min-width: 3px; box-shadow: 0 0 0 1px #fff; }
.bar.ran { background: var(--ran); }
.bar.restored { background: var(--restored); }
.bar.failed { background: var(--failed); }
.bar.up-to-date { background: var(--up-to-date); width: 3px !important; padding: 0;
                  top: 6px; height: 28px; border-radius: 1px; }
.bar.skipped { background: repeating-linear-gradient(45deg, var(--skipped) 0 3px,
               transparent 3px 6px); width: 10px !important; padding: 0; }
.legend .ran { background: var(--ran); }  .legend .restored { background: var(--restored); }
.legend .up-to-date { background: var(--up-to-date); width: 3px; }
.legend .failed { background: var(--failed); }
.legend .skipped { background: repeating-linear-gradient(45deg, var(--skipped) 0 3px,
                   transparent 3px 6px); }
.status { font-weight: 600; }
.status.built { color: var(--ran); } .status.restored { color: var(--restored); }
.status.up-to-date { color: var(--muted); } .status.failed { color: var(--failed); }
table { border-collapse: collapse; font-size: 13px; }
th, td { padding: 5px 12px 5px 0; text-align: left; border-bottom: 1px solid var(--grid); }
th { color: var(--muted); font-weight: 500; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
"""


def status_class(status: str) -> str:
    """A status as a CSS class: ``up to date`` is ``up-to-date``."""
    return status.replace(" ", "-")


def _seconds(value: float) -> str:
    if value >= 60:
        return f"{int(value // 60)}m {value % 60:04.1f}s"
    return f"{value:.2f}s" if value < 10 else f"{value:.1f}s"


def _tick(value: float) -> str:
    if value >= 60 and value % 60 == 0:
        return f"{int(value // 60)}m"
    return _seconds(value) if value >= 60 else f"{value:g}s"


def _pct(value: float, span: float) -> str:
    return f"{100 * value / span:.3f}%"


def _step(span: float) -> float:
    """A round tick interval giving at most 10 ticks over ``span``."""
    return next((s for s in _STEPS if span / s <= 10), span / 10)


def _axis(span: float, step: float) -> str:
    count = int(span / step + 1e-9)
    ticks = "".join(f'<span class="tick" style="left:{_pct(i * step, span)}">'
                    f"{_tick(round(i * step, 2))}</span>" for i in range(count + 1))
    return f'<div class="axis"><div class="label"></div><div class="track">{ticks}</div></div>'


def _bar(s: StageResult, span: float) -> str:
    times = (f"{_seconds(s.seconds)}, {_seconds(s.start)} to {_seconds(s.end)}"
             if s.status in ("ran", "restored", "failed") else f"at {_seconds(s.start)}")
    title = f"{s.task}: {s.status}, {times}" + (f"\n{s.message}" if s.message else "")
    length = max(s.end - s.start, 0.0)
    said = _seconds(s.seconds) if s.status != "failed" else "failed"
    text = (f"{s.stage} {said}" if length / span >= 2 * _LABELLED
            else s.stage if length / span >= _LABELLED else "")
    width = _pct(length, span)
    return (f'<div class="bar {status_class(s.status)}" data-task="{escape(s.task)}" '
            f'data-stage="{escape(s.stage)}" data-status="{escape(s.status)}" '
            f'style="left:{_pct(s.start, span)};width:{width}" title="{escape(title)}">'
            f"{escape(text)}</div>")


def _row(name: str, stages: Sequence[StageResult], span: float) -> str:
    status = cell_status(stages) if name != "detect" else stages[0].status
    total = sum(s.seconds for s in stages)
    bars = "".join(_bar(s, span) for s in stages)
    return (f'<div class="row" data-cell="{escape(name)}" data-status="{status_class(status)}">'
            f'<div class="label"><span class="name" title="{escape(name)}">{escape(name)}</span>'
            f'<small><span class="status {status_class(status)}">{status}</span> · '
            f"{_seconds(total)}</small></div>"
            f'<div class="track">{bars}</div></div>')


def _total(value: str, what: str) -> str:
    return f'<div class="total"><b>{escape(value)}</b><span>{escape(what)}</span></div>'


def _totals(results: Sequence[StageResult], rows: Sequence[CellRow], wall: float) -> str:
    count = {status: sum(s.status == status for s in results) for status in STATUSES}
    stage_time = sum(s.seconds for s in results)
    worked = count["ran"] + count["restored"]
    hits = f"{count['restored']} of {worked}" if worked else "0"
    rate = f" ({100 * count['restored'] / worked:.0f}%)" if worked else ""
    cells = {status: sum(r.status == status for r in rows)
             for status in ("built", "restored", "up to date", "failed")}
    said = ", ".join(f"{n} {status}" for status, n in cells.items() if n) or "none"
    parts = [_total(_seconds(wall), "wall time"),
             _total(_seconds(stage_time), "stage time, added up"),
             _total(f"{stage_time / wall:.1f}×" if wall > 0 else "-", "stages at once"),
             _total(str(len(rows)), f"cells: {said}"),
             _total(str(count["ran"]), "stages ran" + _failures(count)),
             _total(hits + rate, "cache hits: restored from the store"),
             _total(str(count["up to date"]), "stages up to date")]
    return f'<div class="totals">{"".join(parts)}</div>'


def _failures(count: Mapping[str, int]) -> str:
    said = ", ".join(f"{count[s]} {s}" for s in ("failed", "skipped") if count[s])
    return f" ({said})" if said else ""


def _legend() -> str:
    items = "".join(f'<span><i class="{status_class(s)}"></i>{s}</span>' for s in STATUSES)
    return f'<div class="legend">{items}</div>'


def _table(rows: Sequence[CellRow]) -> str:
    stages = [s for s in STAGE_ORDER if any(s in r.stages for r in rows)]
    head = "".join(f"<th>{h}</th>" for h in ["cell", "status", *stages, "total",
                                              "wheel or error"])
    body = []
    for r in rows:
        times = "".join(f'<td class="num">{escape(stage_text(r.stages.get(s)))}</td>'
                        for s in stages)
        result = escape(Path(r.wheel).name) if r.wheel else escape(f"error: {r.error}"
                                                                   if r.error else "")
        body.append(f'<tr data-cell="{escape(r.cell)}"><td class="cell">{escape(r.cell)}</td>'
                    f'<td><span class="status {status_class(r.status)}">{r.status}</span></td>'
                    f'{times}<td class="num">{_seconds(r.seconds)}</td><td>{result}</td></tr>')
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def render(results: Sequence[StageResult], wall: Optional[float] = None,
           wheels: Optional[Mapping[str, str]] = None, title: str = "rustwheel build") -> str:
    """The page of ``results``; ``wall``: how long the run took (default: until the last
    stage ended), ``wheels``: the wheel each cell built, by cell."""
    end = max((s.end for s in results), default=0.0)
    wall = max(wall if wall is not None else end, 0.0)
    span = max(wall, end, 0.01)
    step = _step(span)
    rows = cell_rows(results, wheels or {})
    detect = [s for s in results if s.cell is None and s.stage == "detect"]
    chart = [_row("detect", detect, span)] if detect else []
    chart += [_row(cell, stages, span) for cell, stages in by_cell(results).items()]
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{escape(title)} timings</title><style>{_CSS}</style></head><body>"
            f"<h1>{escape(title)} timings</h1>{_totals(results, rows, wall)}{_legend()}"
            f'<div class="chart" style="--step:{_pct(step, span)}">{_axis(span, step)}'
            f'{"".join(chart)}</div><h2>Cells</h2>{_table(rows)}</body></html>\n')


def write(path: str, results: Sequence[StageResult], wall: Optional[float] = None,
          wheels: Optional[Mapping[str, str]] = None) -> Path:
    """Write the page of ``results`` to ``path`` atomically; the path written."""
    from rustwheel.atomic import write_bytes

    dest = Path(path).resolve()
    try:
        write_bytes(dest, render(results, wall, wheels).encode("utf-8"))
    except OSError as exc:
        raise RustwheelError(f"--timings {path}: cannot be written ({exc.strerror}); "
                             "choose a writable path") from None
    return dest
