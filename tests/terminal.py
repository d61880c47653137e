"""Enough of a terminal to read what the live display drew: the lines left on the screen."""

from __future__ import annotations

import re

_TOKEN = re.compile(r"(\x1b\[[0-9;?]*[A-Za-z]|\r|\n)")


def screen(data: bytes) -> list[str]:
    """The lines on an (endless) terminal after ``data``: text, CR, LF, cursor up (``CSI n A``,
    ``CSI n F``), erase (``CSI J``, ``CSI K``); colours and cursor visibility are ignored."""
    lines = [""]
    row = col = 0
    for token in _TOKEN.split(data.decode("utf-8", "replace")):
        if token == "\r":
            col = 0
        elif token == "\n":
            row, col = row + 1, 0
            lines += [""] * (row + 1 - len(lines))
        elif token.startswith("\x1b["):
            row, col = _control(token, lines, row, col)
        elif token:
            line = lines[row].ljust(col)
            lines[row] = line[:col] + token + line[col + len(token):]
            col += len(token)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _control(token: str, lines: list[str], row: int, col: int) -> tuple[int, int]:
    arg, kind = token[2:-1], token[-1]
    n = int(arg) if arg.isdigit() else 1
    if kind in "AF":
        return max(row - n, 0), (0 if kind == "F" else col)
    if kind == "J":
        del lines[row + 1:]
    if kind in "JK":
        lines[row] = lines[row][:col]
    return row, col
