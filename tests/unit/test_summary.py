"""The summary table of a matrix build (`rustwheel.summary`): one aligned row per cell with
its status, the time of each stage, the total and the wheel or the error."""

from __future__ import annotations

import pytest
from matrixresults import ABI3, CELLS, CP311, CP312, CP313, ERROR, WHEELS, matrix_results

from rustwheel.summary import cell_rows, print_summary, table, totals


def test_one_row_per_cell_in_the_order_of_the_plan() -> None:
    rows = cell_rows(matrix_results(), WHEELS)
    assert [r.cell for r in rows] == list(CELLS)
    by = {r.cell: r for r in rows}
    assert [by[c].status for c in CELLS] == ["built", "built", "up to date", "failed"]
    assert by[CP311].seconds == pytest.approx(42.6)
    assert by[CP311].wheel == WHEELS[CP311] and by[CP311].error is None
    assert by[ABI3].wheel is None  # the failed cell's old wheel is not its result
    assert by[ABI3].error == ERROR
    assert set(by[CP312].stages) == {"compile", "repair", "wheel"}


def test_table_is_aligned() -> None:
    text = table(cell_rows(matrix_results(), WHEELS))
    header, *lines = text.splitlines()
    assert header.split() == ["cell", "status", "compile", "repair", "wheel", "total",
                              "wheel", "or", "error"]
    assert [line.split()[0] for line in lines] == list(CELLS)
    # the right-aligned time columns end where their headers end
    for column in ("compile", "repair", "total"):
        end = header.index(column) + len(column)
        assert all(line[end - 1] != " " and line[end] == " " for line in lines), column
    row = {line.split()[0]: line for line in lines}
    assert " 41.20s " in row[CP311] and " 42.60s " in row[CP311]
    assert row[CP311].endswith("m-1.0-cp311-cp311-manylinux_2_34_x86_64.whl")
    assert row[CP312].split()[1:4] == ["built", "restored", "restored"]
    assert row[CP313].split()[1:3] == ["up", "to"]
    assert " failed " in row[ABI3] and " skipped " in row[ABI3]
    assert row[ABI3].endswith(f"error: {ERROR}")
    # the wheel column starts at one place
    assert len({line.index(w) for line in lines for w in ("m-1.0", "error:") if w in line}) == 1


def test_totals() -> None:
    rows = cell_rows(matrix_results(), WHEELS)
    assert totals(rows, 43.14) == "4 cells in 43.1s: 2 built, 1 up to date, 1 failed"
    assert totals(rows[:1]) == "1 cell: 1 built"


def test_printed_for_two_cells_or_more(capsys: pytest.CaptureFixture[str]) -> None:
    results = matrix_results()
    print_summary(results, WHEELS, 43.1)
    err = capsys.readouterr().err
    assert err.startswith("\ncell ") and err.endswith("4 cells in 43.1s: 2 built, 1 up to date, "
                                                      "1 failed\n")
    one_cell = [r for r in results if r.cell in (None, CP311)]
    print_summary(one_cell, WHEELS, 43.1)
    assert capsys.readouterr().err == ""
