"""The repair stage's plan: which binaries to audit, the policy and mode, where results go."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from rustwheel.cache.keys import CacheSpec
from rustwheel.errors import RustwheelError

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
    inputs_record: str
    """This stage's record (`rustwheel.freshness.records`): ``<cell dir>/repair-inputs.json``."""
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
    ld_library_path: str = ""
    """LD_LIBRARY_PATH when planned: part of the library search."""
    sbom: Optional[tuple[str, str, str]] = None
    """(path in the wheel, project name, version) of the bundled libraries' SBOM, if wanted."""
    cache: Optional[CacheSpec] = None

    def inputs(self) -> list[str]:
        return sorted(f.source for f in self.files)


def read_manifest(path: str) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise RepairError(f"{path} (the repair stage's manifest) is missing or unreadable; run "
                          "the build again") from None
    return data
