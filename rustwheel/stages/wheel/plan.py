"""The wheel stage's plan: every member of the wheel, its tag and where it goes."""

from __future__ import annotations

import json
import operator
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Optional

from rustwheel import __version__
from rustwheel.cache.keys import CacheSpec
from rustwheel.errors import ConfigError
from rustwheel.plan.members import FileItem, GeneratedItem
from rustwheel.plan.statedir import stage_record

if TYPE_CHECKING:
    from rustwheel.plan.matrix import CellSpec
    from rustwheel.plan.project import Project
    from rustwheel.spec.metadata import ProjectMetadata
    from rustwheel.stages.bindgen.plan import UniffiPlan
    from rustwheel.stages.compile.plan import CompilePlan
    from rustwheel.stages.header.plan import HeaderPlan
    from rustwheel.stages.repair.plan import RepairPlan
    from rustwheel.stages.wheel.editable import EditableContents

__all__ = ["FileItem", "GeneratedItem", "WheelPlan", "built_wheel", "collision",
           "dist_info_items", "plan", "retagged", "unique_files", "wheel_file_text"]


class WheelPlan(NamedTuple):
    cell: str
    output: str
    """The wheel's path, with the platform tag known when planning (the repair stage may
    change it: `built_wheel` says where the last run wrote it)."""
    record: str
    """Written after the wheel: ``{"wheel": path}`` (the doit target of the stage)."""
    inputs_record: str
    """``<cell dir>/wheel-inputs.state``: the stage's freshness record."""
    tag: str
    dist_info: str
    files: tuple[FileItem, ...]
    """Package files, staged artifacts and license files, read when the wheel is written."""
    generated: tuple[GeneratedItem, ...]
    """Generated files, METADATA / WHEEL / entry_points.txt included (rendered when planning)."""
    source_date_epoch: Optional[str]
    metadata_inputs: tuple[str, ...] = ()
    """Files the metadata was resolved from (readme, license files)."""
    cache: Optional[CacheSpec] = None
    member_cache: Optional[str] = None
    """Directory for the compressed bytes of large members (reused by the next rebuild)."""
    listed_dirs: tuple[str, ...] = ()
    """Directories whose listing chose some of ``files`` (include globs, the .data dir)."""
    out_dir_files: Optional[str] = None
    """The compile stage's manifest of files staged from build scripts' OUT_DIR."""
    generated_lists: tuple[str, ...] = ()
    """Manifests (same format) of files a stage generated, e.g. uniffi-bindgen's modules."""
    repair: Optional[str] = None
    """The repair stage's manifest (``repair.json``, naming its files relative to itself):
    the platform tag, patched binaries, bundled libraries."""
    in_tree: tuple[FileItem, ...] = ()
    """Editable wheels of mixed layouts: the compiled files placed into the python source tree
    (below ``in_tree_root``) instead of the wheel; see `rustwheel.stages.wheel.editable`."""
    in_tree_generated: tuple[GeneratedItem, ...] = ()
    in_tree_root: Optional[str] = None
    compression: str = "deflated"
    """``--compression-method``: deflated or stored (see `rustwheel.spec.zipwriter`)."""
    compression_level: int = 6

    def input_files(self) -> list[str]:
        extra = [self.out_dir_files] if self.out_dir_files else []
        extra += self.generated_lists
        if self.repair:
            extra.append(self.repair)
        return sorted({*(f.source for f in self.files), *extra})


def built_wheel(record: str) -> Optional[str]:
    """The wheel the last run of the stage whose ``wheel.json`` is ``record`` wrote, if it is
    still there."""
    try:
        wheel = json.loads(Path(record).read_text(encoding="utf-8"))["wheel"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return wheel if isinstance(wheel, str) and os.path.isfile(wheel) else None


def retagged(plan: WheelPlan, platform: str) -> WheelPlan:
    """``plan`` with its platform tag replaced (file name, WHEEL file)."""
    pythons, abis, _ = plan.tag.split("-")
    tag = f"{pythons}-{abis}-{platform}"
    suffix = f"-{plan.tag}.whl"
    assert plan.output.endswith(suffix), plan.output
    wheel_file = f"{plan.dist_info}/WHEEL"
    generated = tuple(GeneratedItem(g.archive_path, wheel_file_text(tag))
                      if g.archive_path == wheel_file else g for g in plan.generated)
    return plan._replace(tag=tag, output=plan.output[:-len(suffix)] + f"-{tag}.whl",
                         generated=generated)


def collision(archive_path: str, first: str, second: str) -> ConfigError:
    return ConfigError(f"two different files would be stored as '{archive_path}' in the wheel, "
                       f"{first} and {second}; rename, move or exclude one of them")


def same_real_file(a: str, b: str) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


def unique_files(files: list[FileItem], generated: list[GeneratedItem],
                 same_file: Callable[[str, str], bool] = same_real_file) -> list[FileItem]:
    """``files`` without repeats of the same source; two sources for one path is an error.
    ``same_file`` says whether two sources are one file (by default: on disk)."""
    made = {g.archive_path for g in generated}
    by_path: dict[str, FileItem] = {}
    for item in files:
        previous = by_path.get(item.archive_path)
        if previous is not None:
            if not same_file(previous.source, item.source):
                raise collision(item.archive_path, previous.source, item.source)
            continue
        if item.archive_path in made:
            raise collision(item.archive_path, item.source, "a file rustwheel generates")
        by_path[item.archive_path] = item
    return list(by_path.values())


def wheel_file_text(tag: str) -> str:
    from rustwheel.spec import tags

    lines = ["Wheel-Version: 1.0", f"Generator: rustwheel ({__version__})",
             "Root-Is-Purelib: false"]
    lines += [f"Tag: {t}" for t in tags.expand(tag)]
    return "\n".join(lines) + "\n"


def dist_info_items(meta: ProjectMetadata, tag: str,
                    dist_info: str) -> tuple[list[FileItem], list[GeneratedItem]]:
    """METADATA, WHEEL, entry_points.txt and the license files of the wheel's .dist-info."""
    generated = [GeneratedItem(f"{dist_info}/METADATA", meta.metadata_text()),
                 GeneratedItem(f"{dist_info}/WHEEL", wheel_file_text(tag))]
    ep = meta.entry_points_text()
    if ep:
        generated.append(GeneratedItem(f"{dist_info}/entry_points.txt", ep))
    files = [FileItem(f"{dist_info}/licenses/{lic.archive_path}", lic.source, False)
             for lic in meta.license_files]
    return files, generated


def _contents(project: Project, cell_dir: Path, compile_plan: CompilePlan,
              header: Optional[HeaderPlan]) -> EditableContents:
    """The wheel's members but its .dist-info's, split for an editable wheel (nothing is
    placed in the source tree otherwise)."""
    from rustwheel.stages.wheel.contents import wheel_members
    from rustwheel.stages.wheel.editable import EditableContents, editable_contents

    files, generated = wheel_members(project, compile_plan, header.ffi_path if header else None)
    if not project.config.editable:
        return EditableContents(files, generated, [], [])
    meta = project.metadata
    return editable_contents(project.layout, files, generated, dist=meta.name,
                             version=meta.version, compiled_dir=cell_dir,
                             hook=project.autorebuild_hook)


def plan(project: Project, cell: CellSpec, compile_plan: CompilePlan, *,
         header: Optional[HeaderPlan] = None, uniffi: Optional[UniffiPlan] = None,
         repair: Optional[RepairPlan] = None) -> WheelPlan:
    """The wheel stage of ``cell``: the project's files, what the other stages of the cell
    stage (``compile_plan``'s artifacts, ``header``'s ffi.py, ``uniffi``'s modules), and the
    .dist-info; the platform tag comes from ``repair``'s manifest when there is one."""
    from rustwheel.spec import tags
    from rustwheel.stages.compile import outdir

    meta, cell_dir = project.metadata, project.cell_dir(cell.name)
    contents = _contents(project, cell_dir, compile_plan, header)
    dist_info = tags.dist_info_dir(meta.name, meta.version)
    info_files, info_generated = dist_info_items(meta, cell.tag, dist_info)
    generated = contents.generated + info_generated
    return WheelPlan(
        cell=cell.name,
        output=str(project.out_dir / tags.wheel_filename(meta.name, meta.version, cell.tag)),
        record=str(cell_dir / "wheel.json"), inputs_record=stage_record(cell_dir, "wheel"),
        repair=repair.manifest if repair is not None else None, tag=cell.tag, dist_info=dist_info,
        # the detect stage dropped repeats of one file among the project's own files
        files=tuple(unique_files(contents.files + info_files, generated, operator.eq)),
        generated=tuple(generated), listed_dirs=project.sources.listed_dirs,
        out_dir_files=os.path.join(compile_plan.stage_dir, outdir.MANIFEST)
        if compile_plan.out_dir_includes else None,
        generated_lists=(uniffi.manifest,) if uniffi is not None else (),
        source_date_epoch=project.source_date_epoch, metadata_inputs=meta.input_files,
        member_cache=str(cell_dir / "deflated"), in_tree=tuple(contents.in_tree),
        in_tree_generated=tuple(contents.in_tree_generated),
        in_tree_root=str(project.layout.python_dir) if contents.in_tree else None,
        compression=project.config.compression, compression_level=project.config.compression_level)
