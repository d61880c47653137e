"""Mixed Rust/Python package used by rustwheel's tests."""

from ._native import sum_as_string

__all__ = ["sum_as_string", "double"]


def double(x):
    """Pure-Python helper: return ``2 * x``."""
    return 2 * x
