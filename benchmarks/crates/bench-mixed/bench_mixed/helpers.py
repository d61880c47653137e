"""Pure python half of `bench_mixed`; `benchmarks/run.py` appends to this file."""

from __future__ import annotations

import json

from bench_mixed._native import stats_json, total_from_json


def describe(values: list[int]) -> dict[str, object]:
    """Statistics of `values` computed in Rust, as a dict."""
    result: dict[str, object] = json.loads(stats_json(values))
    return result


def roundtrip_total(values: list[int]) -> int:
    """Serialise in Rust, parse in Rust again, return the total."""
    return int(total_from_json(stats_json(values)))
