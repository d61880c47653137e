"""The repair stage: audit the compiled binaries, choose the platform tag, bundle libraries.

Runs between compile and wheel for Linux wheels unless the compatibility is ``linux`` or the
audit is skipped. It reads the staged artifacts (never modifies them) and writes a manifest
the wheel stage reads: the platform tag (both spellings where a legacy alias exists, e.g.
``manylinux_2_17_x86_64.manylinux2014_x86_64``), and, after a repair, the patched copies of the
binaries and the bundled libraries (see `rustwheel.stages.repair.graft`).

The manifest records the system libraries it bundled with their stat facts, so that an updated
system library reruns the stage (`LibsUnchanged`); an unchanged binary is not audited again.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from rustwheel.atomic import write_bytes
from rustwheel.errors import RustwheelError
from rustwheel.plan import codec as plancodec
from rustwheel.tasks import reuse
from rustwheel.tasks.reuse import CacheSpec

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
    ld_library_path: str = ""
    """LD_LIBRARY_PATH when planned: part of the library search."""
    sbom: Optional[tuple[str, str, str]] = None
    """(path in the wheel, project name, version) of the bundled libraries' SBOM, if wanted."""
    cache: Optional[CacheSpec] = None

    def inputs(self) -> list[str]:
        return sorted(f.source for f in self.files)


class LibsUnchanged:
    """doit ``uptodate``: the system libraries the last repair bundled are unchanged."""

    def __init__(self, manifest: str) -> None:
        self.manifest = manifest

    def __call__(self) -> bool:
        from rustwheel.freshness.digests import DigestCache

        cache = DigestCache.shared()
        try:
            data = json.loads(Path(self.manifest).read_text(encoding="utf-8"))
            return data["format"] == MANIFEST_FORMAT and all(
                cache.digest(path, os.stat(path)) == digest
                for path, digest in data["system_libs"].items())
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return False


def write_manifest(plan: RepairPlan, platform: str, replace: dict[str, str],
                   add: dict[str, str], system_libs: dict[str, str], notes: list[str]) -> None:
    """``replace`` / ``add``: path in the wheel -> file relative to the manifest's directory
    (so that the manifest means the same in any checkout the store restores it into);
    ``system_libs``:
    soname -> the system file bundled."""
    from rustwheel.freshness.digests import digest_file

    data = {"format": MANIFEST_FORMAT, "platform": platform, "replace": replace, "add": add,
            "system_libs": {p: digest_file(p) for p in sorted(system_libs.values())},
            "bundled": sorted(system_libs), "notes": notes}
    write_bytes(Path(plan.manifest), (json.dumps(data, indent=1, sort_keys=True) + "\n").encode())


def read_manifest(path: str) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise RepairError(f"{path} (the repair stage's manifest) is missing or unreadable; run "
                          "the build again") from None
    return data


_LAUNCHER = """#!python
# Runs {target} from the installed wheel (its bundled libraries are found relative to it).
import os
import sys
import sysconfig

if __name__ == "__main__":
    exe = os.path.join(sysconfig.get_path("platlib"), *{parts!r})
    os.execv(exe, [exe, *sys.argv[1:]])
"""


def write_launcher(dest: Path, target: str) -> Path:
    """A python script (pip rewrites ``#!python``) that executes ``target`` (a path inside the
    wheel, installed into platlib)."""
    text = _LAUNCHER.format(target=target, parts=tuple(target.split("/")))
    write_bytes(dest, text.encode("utf-8"), 0o755)
    return dest


def _fresh_dir(work: Path) -> Path:
    """An empty directory beside ``work`` to build the new content in."""
    tmp = work.parent / f".{work.name}.rw{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    return tmp


def _write_sbom(plan: RepairPlan, work: Path, libraries: list[str],
                bundled: dict[str, Path]) -> None:
    """Add the bundled libraries' SBOM to ``bundled`` when one is wanted and some OS package
    owns them."""
    if plan.sbom is None:
        return
    from rustwheel.stages.repair.sbom import bundled_sbom

    archive_path, name, version = plan.sbom
    text = bundled_sbom(name, version, libraries)
    if text is not None:
        dest = work / "sbom" / Path(archive_path).name
        write_bytes(dest, text.encode("utf-8"))
        bundled[archive_path] = dest


def _outputs(plan: RepairPlan, manifest: dict[str, Any]) -> dict[str, Path]:
    """The stage's files by their name relative to the manifest's directory (store layout)."""
    base = Path(plan.manifest).parent
    files = {Path(plan.manifest).name: Path(plan.manifest)}
    for rel in sorted({*manifest["replace"].values(), *manifest["add"].values()}):
        files[rel] = base / rel
    return files


def _report(plan: RepairPlan, manifest: dict[str, Any]) -> None:
    """What the stage found, the same whether it ran or was restored."""
    for note in manifest["notes"]:
        print(f"warning: {note}", file=sys.stderr, flush=True)
    if manifest["bundled"]:
        print(f"  bundled {', '.join(manifest['bundled'])} into {plan.libs_dir}/",
              file=sys.stderr, flush=True)


def _restore(plan: RepairPlan) -> bool:
    store = reuse.open_store(plan.cache)
    if store is None or plan.cache is None:
        return False
    from rustwheel.cache.store import restore_files

    hit = reuse.lookup(store, plan.cache, _STORE_STAGE, plan.inputs())
    return hit is not None and restore_files(store, hit.entry, Path(plan.manifest).parent)


def run(plan_path: str) -> dict[str, Any]:
    """doit action: audit, decide, repair; the manifest appears last."""
    from rustwheel.stages.repair.policy import decide

    plan = plancodec.read(RepairPlan, plan_path)
    manifest = Path(plan.manifest)
    manifest.unlink(missing_ok=True)  # never leave a manifest that disagrees with work_dir
    if _restore(plan):
        restored = read_manifest(plan.manifest)
        _report(plan, restored)
        return {"platform": restored["platform"], "restored": True}
    decision = decide(plan)
    work = Path(plan.work_dir)
    replace: dict[str, str] = {}
    add: dict[str, str] = {}
    if decision.bundle:
        from rustwheel.stages.repair.graft import find_patchelf, graft

        patchelf = find_patchelf(", ".join(sorted(decision.bundle)))
        tmp = _fresh_dir(work)
        moved = {f.archive_path: f"{plan.scripts_dir}/{Path(f.archive_path).name}"
                 for f in plan.files if f.binary}
        try:
            binaries = {moved.get(f.archive_path, f.archive_path): Path(f.source)
                        for f in plan.files}
            patched, bundled = graft(binaries, decision.bundle, plan.libs_dir, tmp, patchelf)
            _write_sbom(plan, tmp, [str(p) for p in decision.bundle.values()], bundled)
            for script, target in moved.items():  # the script becomes a launcher
                bundled[target] = patched.pop(target)
                patched[script] = write_launcher(tmp / "launchers" / Path(script).name, target)
            shutil.rmtree(work, ignore_errors=True)
            os.replace(tmp, work)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        prefix = work.relative_to(manifest.parent)  # where the files are once tmp is renamed
        replace = {a: (prefix / p.relative_to(tmp)).as_posix() for a, p in patched.items()}
        add = {a: (prefix / p.relative_to(tmp)).as_posix() for a, p in bundled.items()}
    else:
        shutil.rmtree(work, ignore_errors=True)
    system_libs = {soname: str(p) for soname, p in decision.bundle.items()}
    write_manifest(plan, decision.platform, replace, add, system_libs, decision.notes)
    written = read_manifest(plan.manifest)
    _report(plan, written)
    store = reuse.open_store(plan.cache)
    if store is not None and plan.cache is not None:
        reuse.save(store, plan.cache, _STORE_STAGE, plan.inputs(),
                   [*plan.inputs(), *system_libs.values()], (), _outputs(plan, written))
    return {"platform": decision.platform}
