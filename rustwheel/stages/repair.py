"""The repair stage: audit the compiled binaries, choose the platform tag, bundle libraries.

Runs between compile and wheel for Linux wheels unless the compatibility is ``linux`` or the
audit is skipped. It reads the staged artifacts (never modifies them) and writes a manifest
the wheel stage reads: the platform tag (both spellings where a legacy alias exists, e.g.
``manylinux_2_17_x86_64.manylinux2014_x86_64``), and, after a repair, the patched copies of the
binaries and the bundled libraries (see `rustwheel.stages.graft`).

The manifest records the system libraries it bundled with their stat facts, so that an updated
system library reruns the stage (`LibsUnchanged`); an unchanged binary is not audited again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from rustwheel.atomic import write_bytes
from rustwheel.errors import RustwheelError
from rustwheel.stages import plancodec

MANIFEST_FORMAT = 1


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
    work_dir: str
    manifest: str
    ld_library_path: str = ""
    """LD_LIBRARY_PATH when planned: part of the library search."""

    def inputs(self) -> list[str]:
        return sorted(f.source for f in self.files)


def _stat(path: str) -> list[int]:
    st = os.stat(path)
    return [st.st_size, st.st_mtime_ns]


class LibsUnchanged:
    """doit ``uptodate``: the system libraries the last repair bundled are unchanged."""

    def __init__(self, manifest: str) -> None:
        self.manifest = manifest

    def __call__(self) -> bool:
        try:
            data = json.loads(Path(self.manifest).read_text(encoding="utf-8"))
            return all(_stat(path) == facts for path, facts in data["system_libs"].items())
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return False


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_manifest(plan: RepairPlan, platform: str, replace: dict[str, str],
                   add: dict[str, str], system_libs: dict[str, list[int]],
                   notes: list[str]) -> None:
    digests = {p: _digest(Path(p)) for p in sorted({*replace.values(), *add.values()})}
    data = {"format": MANIFEST_FORMAT, "platform": platform, "replace": replace, "add": add,
            "system_libs": system_libs, "digests": digests, "notes": notes}
    write_bytes(Path(plan.manifest), (json.dumps(data, indent=1, sort_keys=True) + "\n").encode())


def read_manifest(path: str) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise RepairError(f"{path} (the repair stage's manifest) is missing or unreadable; run "
                          "the build again") from None
    return data


def _fresh_dir(work: Path) -> Path:
    """An empty directory beside ``work`` to build the new content in."""
    tmp = work.parent / f".{work.name}.rw{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    return tmp


def run(plan_path: str) -> dict[str, Any]:
    """doit action: audit, decide, repair; the manifest appears last."""
    from rustwheel.stages.repairpolicy import decide

    plan = plancodec.read(RepairPlan, plan_path)
    manifest = Path(plan.manifest)
    manifest.unlink(missing_ok=True)  # never leave a manifest that disagrees with work_dir
    decision = decide(plan)
    for note in decision.notes:
        print(f"warning: {note}", file=sys.stderr, flush=True)
    work = Path(plan.work_dir)
    replace: dict[str, str] = {}
    add: dict[str, str] = {}
    if decision.bundle:
        from rustwheel.stages.graft import find_patchelf, graft

        patchelf = find_patchelf(", ".join(sorted(decision.bundle)))
        tmp = _fresh_dir(work)
        try:
            binaries = {f.archive_path: Path(f.source) for f in plan.files}
            patched, bundled = graft(binaries, decision.bundle, plan.libs_dir, tmp, patchelf)
            shutil.rmtree(work, ignore_errors=True)
            os.replace(tmp, work)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        sources = {f.archive_path: f.source for f in plan.files}
        replace = {sources[a]: str(work / p.relative_to(tmp)) for a, p in patched.items()}
        add = {a: str(work / p.relative_to(tmp)) for a, p in bundled.items()}
        print(f"  bundled {', '.join(sorted(decision.bundle))} into {plan.libs_dir}/",
              file=sys.stderr, flush=True)
    else:
        shutil.rmtree(work, ignore_errors=True)
    system_libs = {str(p): _stat(str(p)) for p in decision.bundle.values()}
    write_manifest(plan, decision.platform, replace, add, system_libs, decision.notes)
    return {"platform": decision.platform}
