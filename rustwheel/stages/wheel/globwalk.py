"""Expand an include glob against a directory: the matching files and the directories listed."""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path

from rustwheel.spec.globs import compile_glob, literal_prefix


def walk_glob(root: Path, pattern: str,
              skip: Collection[Path] = ()) -> tuple[list[Path], list[Path]]:
    """Files (never directories) below ``root`` matching ``pattern``, sorted, and every directory
    read to find them (a new file there can change the result). ``skip`` directories are not
    entered."""
    fixed, rest = literal_prefix(pattern)
    base = root.joinpath(*fixed)
    if not rest:
        return ([base] if base.is_file() else []), ([base.parent] if base.parent.is_dir() else [])
    if not base.is_dir():
        return [], []
    regex = compile_glob(pattern)
    # Without `**` the match cannot be deeper than the pattern.
    max_depth = None if "**" in rest else len(rest) - 1
    skipped = {os.path.normpath(p) for p in skip}
    files: list[Path] = []
    listed: list[Path] = []
    seen: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(base, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in seen:  # a symlink loop
            dirnames[:] = []
            continue
        seen.add(real)
        listed.append(Path(dirpath))
        rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
        depth = 0 if dirpath == str(base) else os.path.relpath(dirpath, base).count(os.sep) + 1
        if max_depth is not None and depth >= max_depth:
            dirnames[:] = []
        dirnames[:] = sorted(d for d in dirnames if d != ".git"
                             and os.path.normpath(os.path.join(dirpath, d)) not in skipped)
        for name in filenames:
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            path = Path(dirpath) / name
            if regex.match(rel) and path.is_file():
                files.append(path)
    return sorted(files), sorted(listed)
