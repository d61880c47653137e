"""Benchmark package: a native extension (`bench_mixed._native`) plus pure python helpers."""

from bench_mixed._native import find_ints, scale, scaled_sum, stats_json, total_from_json
from bench_mixed.helpers import describe, roundtrip_total

__all__ = [
    "describe",
    "find_ints",
    "roundtrip_total",
    "scale",
    "scaled_sum",
    "stats_json",
    "total_from_json",
]
