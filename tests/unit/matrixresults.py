"""The stage results of a matrix build with a cell of every kind, for the summary and the
--timings page: built, restored from the store, up to date, failed."""

from __future__ import annotations

from rustwheel.results import StageResult

CP311 = "cp311-x86_64-unknown-linux-gnu"
CP312 = "cp312-x86_64-unknown-linux-gnu"
CP313 = "cp313-x86_64-unknown-linux-gnu"
ABI3 = "cp39-abi3-x86_64-unknown-linux-gnu"
CELLS = (CP311, CP312, CP313, ABI3)
"""In the order of the plan."""
ERROR = "`cargo rustc` failed with exit code 101; cargo's messages are above"
WHEELS = {CP311: "/dist/m-1.0-cp311-cp311-manylinux_2_34_x86_64.whl",
          CP312: "/dist/m-1.0-cp312-cp312-manylinux_2_34_x86_64.whl",
          CP313: "/dist/m-1.0-cp313-cp313-manylinux_2_34_x86_64.whl",
          ABI3: "/dist/an-old-wheel-of-the-failed-cell.whl"}


def matrix_results() -> list[StageResult]:
    """In the order of the plan, as a build has them (`RunLog.end`)."""
    return [
        StageResult("detect", "ran", 0.21, None, 0.0, 0.21),
        StageResult(f"compile:{CP311}", "ran", 41.2, None, 0.21, 41.41),
        StageResult(f"compile:{CP312}", "restored", 0.4, None, 0.26, 0.66),
        StageResult(f"compile:{CP313}", "up to date", 0.0, None, 0.22, 0.22),
        StageResult(f"compile:{ABI3}", "failed", 12.0, ERROR + "\nmore", 1.2, 13.2),
        StageResult(f"repair:{CP311}", "ran", 0.9, None, 41.5, 42.4),
        StageResult(f"repair:{CP312}", "restored", 0.1, None, 0.7, 0.8),
        StageResult(f"repair:{CP313}", "up to date", 0.0, None, 0.23, 0.23),
        StageResult(f"repair:{ABI3}", "skipped", 0.0, None, 13.2, 13.2),
        StageResult(f"wheel:{CP311}", "ran", 0.5, None, 42.45, 42.95),
        StageResult(f"wheel:{CP312}", "ran", 0.3, None, 0.82, 1.12),
        StageResult(f"wheel:{CP313}", "up to date", 0.0, None, 0.23, 0.23),
        StageResult(f"wheel:{ABI3}", "skipped", 0.0, None, 13.2, 13.2),
    ]
