"""Put an editable build's compiled files into the python source tree.

Each file replaces its destination by one rename (never missing, never half written), so a
process that still has the old extension loaded keeps its (unlinked) copy instead of crashing on
a half-written one. A compiled file becomes a hard link to the compile stage's staged copy
(which is only ever replaced, never rewritten): placing a 26 MB debug library costs a link, not
a read and a write. A file that is already right is left alone (its mtime too).
"""

from __future__ import annotations

import os
from pathlib import Path

from rustwheel.atomic import default_mode, link_or_copy, write_if_changed
from rustwheel.plan.cells import BuildPlan


def _place_file(dest: Path, source: Path, executable: bool) -> None:
    try:
        if os.path.samefile(dest, source):
            return
    except OSError:
        pass
    link_or_copy(source, dest, 0o755 if executable else default_mode())


def place_in_tree(plan: BuildPlan) -> list[Path]:
    """Copy the compiled files into the source tree; returns the paths written or kept."""
    placed: list[Path] = []
    for cell in plan.cells:
        wheel = cell.wheel
        if wheel.in_tree_root is None:
            continue
        root = Path(wheel.in_tree_root)
        for item in wheel.in_tree:
            source = Path(item.source)
            _place_file(root / item.archive_path, source,
                        bool(item.executable) or bool(source.stat().st_mode & 0o100))
            placed.append(root / item.archive_path)
        for gen in wheel.in_tree_generated:
            # a module a running python may import: never missing, not even for a moment
            write_if_changed(root / gen.archive_path, gen.content, always_there=True)
            placed.append(root / gen.archive_path)
    return placed
