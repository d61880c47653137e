"""Glob patterns over forward-slash relative paths (pure; no file system access).

Include globs follow the Rust ``glob`` crate that maturin uses: ``*`` and ``?`` match within one
path component (leading dots included), ``[...]`` / ``[!...]`` are character classes and a
``**`` component matches any number of directories. Exclude globs follow gitignore rules as
maturin's ``ignore`` overrides do: a pattern without ``/`` matches a file name at any depth.
"""

from __future__ import annotations

import re
from functools import lru_cache

_WILDCARDS = frozenset("*?[")


def has_wildcard(part: str) -> bool:
    return bool(_WILDCARDS.intersection(part))


def _component(part: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(part):
        ch = part[i]
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            end = part.find("]", i + 2 if part[i + 1:i + 2] in ("!", "]") else i + 1)
            if end < 0:
                out.append(re.escape(ch))
            else:
                body = part[i + 1:end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out)


@lru_cache(maxsize=256)
def compile_glob(pattern: str) -> re.Pattern[str]:
    """A regex matching the relative paths (``a/b/c.txt``) that ``pattern`` matches."""
    parts = pattern.strip("/").split("/")
    regex = ""
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "**":
            regex += ".*" if last else "(?:[^/]+/)*"
        else:
            regex += _component(part) + ("" if last else "/")
    return re.compile(regex + r"\Z", re.DOTALL)


def literal_prefix(pattern: str) -> tuple[list[str], list[str]]:
    """(leading components without wildcards, the rest) of ``pattern``."""
    parts = [p for p in pattern.strip("/").split("/") if p]
    for index, part in enumerate(parts):
        if has_wildcard(part):
            return parts[:index], parts[index:]
    return parts, []


def excluded(pattern: str, relative_path: str) -> bool:
    """gitignore-style match of one exclude ``pattern`` against a relative file path."""
    body = pattern.rstrip("/")
    if pattern.endswith("/"):
        return False  # a directory-only pattern never matches a file
    if "/" not in body:
        return bool(compile_glob(body).match(relative_path.rsplit("/", 1)[-1]))
    return bool(compile_glob(body.lstrip("/")).match(relative_path))
