"""What the writer of a file knows of it, told to the store in the same process: the sha256 of
byte ranges of a wheel it just wrote (its large members' compressed streams).

The store keeps a wheel as a recipe (`rustwheel.cache.recipe`) whose parts are those streams;
with a hint it need not read and hash a 400 MB stream again when it already holds that part.
A hint is keyed by the file's path and (inode, size, mtime): a file changed since it was written
has none, and its ranges are hashed as usual.
"""

from __future__ import annotations

import os

Spans = dict[tuple[int, int], str]
"""(offset, length) -> sha256 (hex) of those bytes."""
_HINTS: dict[str, tuple[tuple[int, int, int], Spans]] = {}


def _facts(st: os.stat_result) -> tuple[int, int, int]:
    return st.st_ino, st.st_size, st.st_mtime_ns


def remember(path: str, spans: Spans) -> None:
    """``path`` was just written with these ranges (the last few files are kept)."""
    if len(_HINTS) >= 16:
        _HINTS.clear()
    _HINTS[os.path.abspath(path)] = (_facts(os.stat(path)), dict(spans))


def recall(path: str, st: os.stat_result) -> Spans:
    """The ranges remembered for ``path`` as it is now (``st``), or none."""
    facts, spans = _HINTS.get(os.path.abspath(path), ((0, 0, 0), {}))
    return spans if facts == _facts(st) else {}
