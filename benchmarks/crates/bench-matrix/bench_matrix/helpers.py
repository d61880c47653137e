"""Pure python half of `bench_matrix`; `benchmarks/matrix.py` appends to this file."""

from typing import Dict, List

from bench_matrix._native import python_version, scaled_sum


def describe(values: List[int]) -> Dict[str, object]:
    """The scaled sum of `values` (computed in Rust) and the interpreter it ran on."""
    return {"python": python_version(), "scaled_sum": scaled_sum(values)}
