"""Put an editable build's compiled files into the python source tree.

Each file is written beside its destination and renamed over it, so a process that still has the
old extension loaded keeps its (unlinked) copy instead of crashing on a half-written one; a file
whose content is already right is left alone (its mtime too).
"""

from __future__ import annotations

from pathlib import Path

from rustwheel.atomic import default_mode, write_bytes
from rustwheel.plan.cells import BuildPlan


def _place(dest: Path, data: bytes, executable: bool) -> bool:
    try:
        if dest.read_bytes() == data:
            return False
    except OSError:
        pass
    write_bytes(dest, data, 0o755 if executable else default_mode())
    return True


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
            _place(root / item.archive_path, source.read_bytes(),
                   bool(item.executable) or bool(source.stat().st_mode & 0o100))
            placed.append(root / item.archive_path)
        for gen in wheel.in_tree_generated:
            _place(root / gen.archive_path, gen.content.encode("utf-8"), False)
            placed.append(root / gen.archive_path)
    return placed
