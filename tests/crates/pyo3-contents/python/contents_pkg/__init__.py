"""Mixed-layout package of the pyo3-contents test crate."""

from ._native import repeat_word
from .helpers import shout

__all__ = ["repeat_word", "shout"]
