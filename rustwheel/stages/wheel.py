"""The wheel stage: package files, staged artifacts and metadata into a reproducible wheel."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from rustwheel import __version__
from rustwheel.spec import tags
from rustwheel.spec.metadata import ProjectMetadata
from rustwheel.spec.wheelfile import Entry, MemberCache, write_wheel
from rustwheel.stages import plancodec, reuse
from rustwheel.stages.reuse import CacheSpec


@dataclass(frozen=True)
class FileItem:
    archive_path: str
    source: str
    executable: Optional[bool] = None
    """None: take the executable bit from the file on disk."""


@dataclass(frozen=True)
class GeneratedItem:
    archive_path: str
    content: str


@dataclass(frozen=True)
class WheelPlan:
    cell: str
    output: str
    tag: str
    metadata: dict[str, Any]
    files: tuple[FileItem, ...]
    generated: tuple[GeneratedItem, ...]
    source_date_epoch: Optional[str]
    generator: str = f"rustwheel ({__version__})"
    license_files: tuple[str, ...] = ()
    cache: Optional[CacheSpec] = None
    member_cache: Optional[str] = None
    """Directory for the compressed bytes of large members (reused by the next rebuild)."""

    def input_files(self) -> list[str]:
        return sorted({f.source for f in self.files} | set(self.license_files))


def wheel_file_text(generator: str, tag: str) -> str:
    lines = ["Wheel-Version: 1.0", f"Generator: {generator}", "Root-Is-Purelib: false"]
    lines += [f"Tag: {t}" for t in tags.expand(tag)]
    return "\n".join(lines) + "\n"


def entries(plan: WheelPlan) -> tuple[list[Entry], str]:
    meta = ProjectMetadata.from_json(plan.metadata)
    dist_info = tags.dist_info_dir(meta.name, meta.version)
    out: list[Entry] = []
    for item in plan.files:
        data = Path(item.source).read_bytes()
        executable = item.executable
        if executable is None:
            executable = bool(os.stat(item.source).st_mode & 0o100)
        out.append(Entry(item.archive_path, data, executable))
    for gen in plan.generated:
        out.append(Entry(gen.archive_path, gen.content.encode("utf-8")))
    out.append(Entry(f"{dist_info}/METADATA", meta.metadata_text().encode("utf-8")))
    out.append(Entry(f"{dist_info}/WHEEL", wheel_file_text(plan.generator, plan.tag).encode()))
    ep = meta.entry_points_text()
    if ep:
        out.append(Entry(f"{dist_info}/entry_points.txt", ep.encode("utf-8")))
    for lic in meta.license_files:
        out.append(Entry(f"{dist_info}/licenses/{lic.archive_path}", Path(lic.source).read_bytes()))
    return out, dist_info


def run(plan_path: str) -> dict[str, Any]:
    """doit action: write the wheel described by the plan at ``plan_path``."""
    plan = plancodec.read(WheelPlan, plan_path)
    output = Path(plan.output)
    store = reuse.open_store(plan.cache)
    inputs = plan.input_files()
    if store is not None and plan.cache is not None:
        hit = reuse.lookup(store, plan.cache, "wheel", inputs)
        from rustwheel.cache.store import restore_files

        if hit is not None and restore_files(store, hit.entry, output.parent):
            return {"wheel": plan.output, "restored": True}
    items, dist_info = entries(plan)
    members = MemberCache(Path(plan.member_cache)) if plan.member_cache else None
    write_wheel(output, items, dist_info, plan.source_date_epoch, members)
    if store is not None and plan.cache is not None:
        reuse.save(store, plan.cache, "wheel", inputs, inputs, (), {output.name: output})
    return {"wheel": plan.output}
