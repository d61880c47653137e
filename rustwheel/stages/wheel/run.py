"""The wheel stage's work: `run()` (see the package docstring)."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rustwheel.plan import codec as plancodec
from rustwheel.stages.wheel.plan import FileItem, WheelPlan, collision, retagged, unique_files
from rustwheel.tasks import reuse

if TYPE_CHECKING:
    from rustwheel.spec.wheelfile import WheelEntry














def _repaired(plan: WheelPlan) -> WheelPlan:
    """The plan as the repair stage's manifest says: final tag, patched binaries, libraries."""
    if plan.repair is None:
        return plan
    from rustwheel.stages.repair.plan import read_manifest

    manifest = read_manifest(plan.repair)
    base = Path(plan.repair).parent  # the manifest's paths are relative to its directory
    replace: dict[str, str] = manifest["replace"]
    files = [dataclasses.replace(f, source=str(base / replace[f.archive_path]))
             if f.archive_path in replace else f for f in plan.files]
    files += [FileItem(archive, str(base / rel)) for archive, rel in sorted(manifest["add"].items())]
    out = retagged(plan, manifest["platform"])
    return dataclasses.replace(out, files=tuple(unique_files(files, list(out.generated))))










def entries(plan: WheelPlan) -> list[WheelEntry]:
    from rustwheel.spec.membercache import MemberLoader
    from rustwheel.spec.wheelfile import Entry

    loader = MemberLoader(Path(plan.member_cache) if plan.member_cache else None)
    out: list[WheelEntry] = [loader.load(item.archive_path, item.source, item.executable)
                             for item in plan.files]
    for gen in plan.generated:
        out.append(Entry(gen.archive_path, gen.content.encode("utf-8")))
    lists = [*([plan.out_dir_files] if plan.out_dir_files else []), *plan.generated_lists]
    if lists:
        from rustwheel.stages.compile.outdir import read_manifest

        taken = {item.archive_path: item.source for item in plan.files}
        taken.update((gen.archive_path, "a file rustwheel generates") for gen in plan.generated)
        for staged in (s for manifest in lists for s in read_manifest(manifest)):
            if staged.archive_path in taken:
                raise collision(staged.archive_path, taken[staged.archive_path], staged.origin)
            taken[staged.archive_path] = staged.origin
            out.append(loader.load(staged.archive_path, staged.source, staged.executable))
    loader.save()
    return out


def run(plan_path: str) -> dict[str, Any]:
    """doit action: write the wheel described by the plan at ``plan_path``."""
    from rustwheel.atomic import write_bytes

    planned = plancodec.read(WheelPlan, plan_path)
    plan = _repaired(planned)
    output = Path(plan.output)
    record = (json.dumps({"wheel": plan.output}) + "\n").encode()
    store = reuse.open_store(plan.cache)
    # The repair manifest names checkout paths; the platform it chose and the files it made
    # (inputs of the repaired plan) are what the wheel depends on.
    inputs = [f for f in plan.input_files() if f != planned.repair]
    stage = "wheel" if planned.repair is None else f"wheel@{plan.tag.rsplit('-', 1)[1]}"
    if store is not None and plan.cache is not None:
        hit = reuse.lookup(store, plan.cache, stage, inputs)
        from rustwheel.cache.store import restore_files

        if hit is not None and restore_files(store, hit.entry, output.parent):
            write_bytes(Path(plan.record), record)
            return {"wheel": plan.output, "restored": True}
    from rustwheel.spec.wheelfile import MemberCache, write_wheel

    items, dist_info = entries(plan), plan.dist_info
    members = MemberCache(Path(plan.member_cache)) if plan.member_cache else None
    write_wheel(output, items, dist_info, plan.source_date_epoch, members)
    write_bytes(Path(plan.record), record)
    if store is not None and plan.cache is not None:
        reuse.save(store, plan.cache, stage, inputs, inputs, (), {output.name: output})
    return {"wheel": plan.output}
