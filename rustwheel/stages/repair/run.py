"""The repair stage's work: `job()` (see the package docstring)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rustwheel import ui
from rustwheel.atomic import write_bytes
from rustwheel.plan import codec
from rustwheel.stages.repair.plan import _STORE_STAGE, MANIFEST_FORMAT, RepairPlan, read_manifest
from rustwheel.stages.stage import StageRun


def write_manifest(plan: RepairPlan, platform: str, replace: dict[str, str],
                   add: dict[str, str], system_libs: dict[str, str], notes: list[str]) -> None:
    """``replace`` / ``add``: path in the wheel -> file relative to the manifest's directory
    (so that the manifest means the same in any checkout the store restores it into);
    ``system_libs``:
    soname -> the system file bundled."""
    from rustwheel.freshness.facts import digest_file

    data = {"format": MANIFEST_FORMAT, "platform": platform, "replace": replace, "add": add,
            "system_libs": {p: digest_file(p) for p in sorted(system_libs.values())},
            "bundled": sorted(system_libs), "notes": notes}
    write_bytes(Path(plan.manifest), (json.dumps(data, indent=1, sort_keys=True) + "\n").encode())




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
        ui.warn(note)
    if manifest["bundled"]:
        ui.note(f"bundled {', '.join(manifest['bundled'])} into {plan.libs_dir}/")


def _bundle(plan: RepairPlan, bundle: Mapping[str, Path]) -> tuple[dict[str, str], dict[str, str]]:
    """Patch the binaries and copy the libraries into the work dir (replaced whole): the
    (replace, add) maps of the manifest, relative to its directory."""
    from rustwheel.stages.repair.graft import find_patchelf, graft

    patchelf = find_patchelf(", ".join(sorted(bundle)))
    work = Path(plan.work_dir)
    tmp = _fresh_dir(work)
    moved = {f.archive_path: f"{plan.scripts_dir}/{Path(f.archive_path).name}"
             for f in plan.files if f.binary}
    try:
        binaries = {moved.get(f.archive_path, f.archive_path): Path(f.source) for f in plan.files}
        patched, bundled = graft(binaries, dict(bundle), plan.libs_dir, tmp, patchelf)
        _write_sbom(plan, tmp, [str(p) for p in bundle.values()], bundled)
        for script, target in moved.items():  # the script becomes a launcher
            bundled[target] = patched.pop(target)
            patched[script] = write_launcher(tmp / "launchers" / Path(script).name, target)
        shutil.rmtree(work, ignore_errors=True)
        os.replace(tmp, work)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    prefix = work.relative_to(Path(plan.manifest).parent)  # where tmp's files are now
    replace = {a: (prefix / p.relative_to(tmp)).as_posix() for a, p in patched.items()}
    add = {a: (prefix / p.relative_to(tmp)).as_posix() for a, p in bundled.items()}
    return replace, add


class RepairJob:
    """Audit, choose the tag, bundle; the manifest (written last) and the files it names are
    the outputs, the staged binaries and the bundled system libraries the inputs."""

    store_name = _STORE_STAGE

    def __init__(self, plan: RepairPlan) -> None:
        self.plan = plan
        self.known_inputs = plan.inputs()
        self.output_dir = Path(plan.manifest).parent
        # Never leave a manifest that disagrees with the work dir, whatever happens next.
        Path(plan.manifest).unlink(missing_ok=True)

    def tools(self) -> dict[str, str]:
        return {}

    def consults_store(self, seen: Mapping[str, os.stat_result]) -> bool:
        return True

    def run(self, seen: Mapping[str, os.stat_result]) -> StageRun:
        from rustwheel.stages.repair.policy import decide

        plan = self.plan
        decision = decide(plan)
        replace: dict[str, str] = {}
        add: dict[str, str] = {}
        if decision.bundle:
            replace, add = _bundle(plan, decision.bundle)
        else:
            shutil.rmtree(plan.work_dir, ignore_errors=True)
        system_libs = {soname: str(p) for soname, p in decision.bundle.items()}
        write_manifest(plan, decision.platform, replace, add, system_libs, decision.notes)
        written = read_manifest(plan.manifest)
        _report(plan, written)
        return StageRun(_outputs(plan, written), list(system_libs.values()),
                        values={"platform": decision.platform})

    def restored(self, outputs: Mapping[str, Path]) -> StageRun:
        restored = read_manifest(self.plan.manifest)
        _report(self.plan, restored)
        return StageRun(outputs, values={"platform": restored["platform"]})


def job(plan_text: str) -> RepairJob:
    return RepairJob(codec.loads(RepairPlan, plan_text))
