"""Python half of the src-layout test crate."""

from ._core import square

__all__ = ["square", "square_plus_one"]


def square_plus_one(x: int) -> int:
    return square(x) + 1
