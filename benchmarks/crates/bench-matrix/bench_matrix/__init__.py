"""Benchmark package: a native extension (`bench_matrix._native`) plus pure python helpers."""

from bench_matrix._native import python_version, scale, scaled_sum
from bench_matrix.helpers import describe

__all__ = ["describe", "python_version", "scale", "scaled_sum"]
