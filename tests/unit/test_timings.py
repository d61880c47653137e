"""The ``--timings`` page (`rustwheel.timings.render`): a row per cell (and detect), a bar per
stage placed by its start and end with its status as class, the totals, the legend, names
escaped, nothing fetched; written atomically."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from matrixresults import ABI3, CELLS, CP311, CP312, CP313, WHEELS, matrix_results

from rustwheel.errors import RustwheelError
from rustwheel.results import StageResult
from rustwheel.timings import render, write

Element = tuple[str, dict[str, str]]


class Elements(HTMLParser):
    """Every start tag with its attributes, and the page's text."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[Element] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> Elements:
    parser = Elements()
    parser.feed(page)
    return parser


def with_class(page: Elements, name: str) -> list[dict[str, str]]:
    return [a for _, a in page.found if name in a.get("class", "").split()]


def test_a_row_per_cell_and_a_bar_per_stage() -> None:
    results = matrix_results()
    page = parse(render(results, wall=43.1, wheels=WHEELS))
    rows = with_class(page, "row")
    assert [r["data-cell"] for r in rows] == ["detect", *CELLS]
    assert [r["data-status"] for r in rows] == ["ran", "built", "built", "up-to-date", "failed"]
    bars = with_class(page, "bar")
    assert sorted(b["data-task"] for b in bars) == sorted(r.task for r in results)
    for bar in bars:
        status = bar["data-status"]
        assert status.replace(" ", "-") in bar["class"].split()
        assert bar["data-stage"] == bar["data-task"].partition(":")[0]
    by_task = {b["data-task"]: b for b in bars}
    assert by_task[f"compile:{CP312}"]["class"] == "bar restored"
    assert by_task[f"compile:{CP313}"]["class"] == "bar up-to-date"
    assert by_task[f"compile:{ABI3}"]["class"] == "bar failed"
    assert by_task[f"wheel:{ABI3}"]["class"] == "bar skipped"


def _place(style: str) -> tuple[float, float]:
    m = re.fullmatch(r"left:([\d.]+)%;width:([\d.]+)%", style)
    assert m, style
    return float(m.group(1)), float(m.group(2))


def test_bars_are_placed_by_start_and_end() -> None:
    page = parse(render(matrix_results(), wall=50.0))
    by_task = {b["data-task"]: b for b in with_class(page, "bar")}
    assert _place(by_task[f"compile:{CP311}"]["style"]) == pytest.approx((0.42, 82.4))
    assert _place(by_task[f"wheel:{CP311}"]["style"]) == pytest.approx((84.9, 1.0))
    assert _place(by_task[f"compile:{CP313}"]["style"]) == pytest.approx((0.44, 0.0))
    assert "compile 41.2s" in page.text  # a long bar says what it is
    ticks = [t for t in page.text if re.fullmatch(r"\d+s", t)]
    assert ticks == ["0s", "5s", "10s", "15s", "20s", "25s", "30s", "35s", "40s", "45s", "50s"]


def test_totals_and_legend() -> None:
    text = " ".join(parse(render(matrix_results(), wall=43.1, wheels=WHEELS)).text)
    assert "43.1s wall time" in text
    assert "55.6s stage time, added up" in text  # 0.21 + 0.4 + 0.1 + 0.3 + 12 + 41.2 + ...
    assert "4 cells: 2 built, 1 up to date, 1 failed" in text
    assert "5 stages ran (1 failed, 2 skipped)" in text
    assert "2 of 7 (29%) cache hits: restored from the store" in text
    assert "3 stages up to date" in text
    for status in ("ran", "restored", "up to date", "failed", "skipped"):
        assert status in text
    assert "m-1.0-cp311-cp311-manylinux_2_34_x86_64.whl" in text
    assert "an-old-wheel-of-the-failed-cell.whl" not in text
    assert "error: `cargo rustc` failed with exit code 101" in text


def test_names_are_escaped() -> None:
    cell = 'cp312-<script>alert("x")</script>&'
    page = render([StageResult("detect", "ran", 0.1, None, 0.0, 0.1),
                   StageResult(f"compile:{cell}", "failed", 1.0, '<b>"bad"</b>', 0.1, 1.1),
                   StageResult(f"wheel:{CP312}", "ran", 1.0, None, 0.1, 1.1)])
    assert "<script>" not in page and '<b>"bad"' not in page
    assert "&lt;b&gt;&quot;bad&quot;&lt;/b&gt;" in page  # the failure's message, in its title
    assert "cp312-&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;" in page
    assert [r["data-cell"] for r in with_class(parse(page), "row")] == ["detect", cell, CP312]


def test_self_contained() -> None:
    page = render(matrix_results(), wall=43.1, wheels=WHEELS)
    assert page.startswith("<!DOCTYPE html>")
    for fetch in ("<script", "<link", "src=", "href=", "url(", "@import", "http:", "https:"):
        assert fetch not in page


def test_a_no_op_build_all_up_to_date() -> None:
    results = [StageResult(t, "up to date") for t in ("detect", f"compile:{CP311}",
                                                        f"wheel:{CP311}")]
    page = parse(render(results, wall=0.0))
    assert [r["data-cell"] for r in with_class(page, "row")] == ["detect", CP311]
    assert [b["class"] for b in with_class(page, "bar")] == ["bar up-to-date"] * 3


def test_written_atomically(tmp_path: Path) -> None:
    dest = write(str(tmp_path / "out" / "t.html"), matrix_results(), 43.1, WHEELS)
    assert dest == tmp_path / "out" / "t.html"
    assert dest.read_text(encoding="utf-8") == render(matrix_results(), 43.1, WHEELS)
    assert [p.name for p in dest.parent.iterdir()] == ["t.html"]
    (tmp_path / "file").write_text("")
    with pytest.raises(RustwheelError, match=r"--timings .*file/t\.html: cannot be written"):
        write(str(tmp_path / "file" / "t.html"), matrix_results())
