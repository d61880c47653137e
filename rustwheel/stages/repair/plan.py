"""The repair stage's plan: which binaries to audit, the policy and mode, where results go."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from rustwheel.cache.keys import CacheSpec
from rustwheel.errors import RustwheelError
from rustwheel.plan.statedir import stage_record

if TYPE_CHECKING:
    from rustwheel.plan.matrix import CellSpec
    from rustwheel.plan.project import Project
    from rustwheel.stages.compile.plan import CompilePlan

MANIFEST_FORMAT = 2
"""2: file paths relative to the manifest's directory (1: to the work dir)."""


_STORE_STAGE = f"repair-v{MANIFEST_FORMAT}"


class RepairError(RustwheelError):
    """The binaries cannot get the platform tag asked for."""


@dataclass(frozen=True)
class RepairFile:
    archive_path: str
    source: str
    binary: bool
    """An executable (libpython may be linked), not a library."""


@dataclass(frozen=True)
class RepairPlan:
    cell: str
    mode: str
    """``repair``, ``check`` or ``warn``."""
    policy: Optional[str]
    """The policy asked for (``manylinux_2_17``), or None for the most compatible."""
    pypi: bool
    arch: str
    files: tuple[RepairFile, ...]
    libs_dir: str
    """``<dist>.libs``: where bundled libraries go in the wheel."""
    scripts_dir: str
    """``<dist>.scripts``: where executables go when libraries are bundled for them (the
    ``.data/scripts`` entry becomes a launcher: pip copies scripts elsewhere, which would
    break their relative RPATH)."""
    work_dir: str
    manifest: str
    inputs_record: str
    """``<cell dir>/repair-inputs.state``: the stage's freshness record."""
    ld_library_path: str = ""
    """LD_LIBRARY_PATH when planned: part of the library search."""
    sbom: Optional[tuple[str, str, str]] = None
    """(path in the wheel, project name, version) of the bundled libraries' SBOM, if wanted."""
    cache: Optional[CacheSpec] = None

    def inputs(self) -> list[str]:
        return sorted(f.source for f in self.files)


def plan(project: Project, cell: CellSpec, compile_plan: CompilePlan) -> Optional[RepairPlan]:
    """The repair stage of ``cell``: audit (and repair) the binaries ``compile_plan`` stages;
    None for a plain ``linux`` tag, ``--auditwheel skip`` and editable wheels."""
    from rustwheel.spec import tags
    from rustwheel.stages.wheel.contents import artifacts

    cfg, compat, meta = project.config, cell.platform.compatibility, project.metadata
    if compat.linux or cfg.auditwheel == "skip" or cfg.editable:
        return None
    dist, cell_dir = tags.dist_name(meta.name), project.cell_dir(cell.name)
    dist_info = tags.dist_info_dir(meta.name, meta.version)
    sbom = (f"{dist_info}/sboms/auditwheel.cdx.json", meta.name, meta.version)
    return RepairPlan(
        cell=cell.name, mode=cfg.auditwheel, policy=compat.policy, pypi=compat.pypi,
        arch=cell.platform.arch,
        files=tuple(RepairFile(item.archive_path, item.source, not unit.lib)
                    for unit, item in artifacts(project, compile_plan)),
        libs_dir=f"{dist}.libs", scripts_dir=f"{dist}.scripts",
        work_dir=str(cell_dir / "repaired"), manifest=str(cell_dir / "repair.json"),
        inputs_record=stage_record(cell_dir, "repair"),
        ld_library_path=project.ld_library_path,
        sbom=sbom if cfg.tool.sbom.auditwheel else None)


def read_manifest(path: str) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise RepairError(f"{path} (the repair stage's manifest) is missing or unreadable; run "
                          "the build again") from None
    return data
