"""What rustwheel tells the user on stderr besides errors: warnings, notes and stage lines.

Every warning goes through `warn`: it is printed at once as ``warning: ...`` and collected by
the innermost `collecting` block, so that `rustwheel.build` returns the warnings of its build
(a stage run in a worker process hands its warnings back in its task values). Errors are not
printed here: they are exceptions, turned into ``error: ...`` lines by `rustwheel.cli` and the
build backend only.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Optional, TextIO

_collectors: list[list[str]] = []


def warn(message: str) -> None:
    """``warning: message`` on stderr, and into the current build's warnings."""
    print(f"warning: {message}", file=sys.stderr, flush=True)
    if _collectors:
        _collectors[-1].append(message)


def note(message: str) -> None:
    """An informational line on stderr (what a stage did that the user may want to know)."""
    print(f"  {message}", file=sys.stderr, flush=True)


@contextmanager
def collecting() -> Iterator[list[str]]:
    """Collect the warnings given inside the block (and not by a nested block) into a list."""
    found: list[str] = []
    _collectors.append(found)
    try:
        yield found
    finally:
        _collectors.pop()


def stage_line(status: str, task: str, seconds: Optional[float] = None,
               stream: Optional[TextIO] = None) -> None:
    """One stage's line: ``  ran         compile:<cell>   1.23s``."""
    timing = f"  {seconds:6.2f}s" if seconds is not None else ""
    out = sys.stderr if stream is None else stream
    out.write(f"  {status:<11} {task}{timing}\n")
    out.flush()


def block(text: str, stream: Optional[TextIO] = None) -> None:
    """Several lines at once, after a blank line (the summary of a matrix build)."""
    out = sys.stderr if stream is None else stream
    out.write(f"\n{text}\n")
    out.flush()


def progress_bar(label: str, done: int, total: int, stream: Optional[TextIO] = None) -> None:
    """A bar redrawn in place on a terminal (``  label  [#####-----]  50%``), ended by a
    newline when ``done == total``; nothing elsewhere (the callers print plain lines)."""
    out = sys.stderr if stream is None else stream
    if not out.isatty():
        return
    width = 30
    filled = width * done // total if total else width
    percent = 100 * done // total if total else 100
    out.write(f"\r  {label}  [{'#' * filled}{'-' * (width - filled)}] {percent:3d}%")
    if done >= total:
        out.write("\n")
    out.flush()
