"""Where a build keeps its state: ``<cargo target dir>/rustwheel/<crate>-<hash of manifest>/``,
with one directory per cell holding its plan files, staged artifacts and stage records.

The one place that knows this layout; standard library only (the task layer imports it on
every stage run).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from rustwheel.freshness.statefile import SUFFIX


def state_dir(target_dir: Path, crate: str, manifest_path: Path) -> Path:
    key = hashlib.sha256(str(manifest_path).encode()).hexdigest()[:12]
    return target_dir / "rustwheel" / f"{crate}-{key}"


def written_while_building(record_path: str) -> tuple[str, str]:
    """The directories a build writes into while its stages run, given a stage's record
    (``<state dir>/<cell>/<record>``): the state dir and the cargo target dir around it.
    Files there are build products, never the user's edits."""
    state = Path(record_path).parent.parent
    return (str(state), str(state.parent.parent))


def stage_record(cell_dir: Path, stage: str) -> str:
    """``<cell dir>/<stage>-inputs.state``: a stage's record of what it read and wrote
    (`rustwheel.freshness.records`, a `rustwheel.freshness.statefile`)."""
    return str(cell_dir / f"{stage}-inputs{SUFFIX}")
