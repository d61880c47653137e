"""The sdist stage: plan which files a source distribution carries, then write it.

Planning reads the configuration (cargo metadata with every feature on, so optional path
dependencies are packaged too), decides the sdist's top directory — the deepest directory that
holds pyproject.toml, the crate, its workspace and every path dependency — and lists each member
with the file it comes from, or its generated content (PKG-INFO, rewritten manifests). Writing is
`rustwheel.stages.sdist.tarball`: reproducible, atomic.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from rustwheel.cargo.metadata import (
    CargoMetadata,
    Package,
    cargo_metadata_argv,
    load_metadata,
    resolution_args,
)
from rustwheel.config.layout import ProjectLayout, determine_layout
from rustwheel.config.options import BuildConfig
from rustwheel.config.pyproject import PyProject
from rustwheel.errors import ConfigError, FileSystemError, check_writable_dir
from rustwheel.spec import tags
from rustwheel.spec.globs import excluded
from rustwheel.spec.metadata import ProjectMetadata, resolve_metadata
from rustwheel.stages.detect.includes import include_files
from rustwheel.stages.detect.pyfiles import python_files
from rustwheel.stages.sdist import files as sources
from rustwheel.stages.sdist.manifests import moved_pyproject, workspace_manifest
from rustwheel.stages.sdist.tarball import Member, member_mtime, write_tar_gz
from rustwheel.stages.wheel.plan import FileItem, GeneratedItem

GENERATORS = ("cargo", "git")


@dataclass(frozen=True)
class SdistPlan:
    output: str
    top: str
    """The one top directory, ``{dist}-{version}`` (PEP 625)."""
    files: tuple[FileItem, ...]
    """Members copied from files; archive paths relative to ``top``."""
    generated: tuple[GeneratedItem, ...]
    """PKG-INFO and rewritten manifests."""
    source_date_epoch: Optional[str] = None
    target_dir: str = ""
    """The crate's cargo target directory (a wheel built from the sdist can reuse it)."""

    def members(self) -> list[Member]:
        """PKG-INFO first, then every other member sorted by path."""
        out = [Member(f"{self.top}/{g.archive_path}", g.content.encode("utf-8"))
               for g in self.generated]
        for item in self.files:
            path = Path(item.source)
            out.append(Member(f"{self.top}/{item.archive_path}", path.read_bytes(),
                              bool(os.stat(path).st_mode & 0o100)))
        pkg_info = f"{self.top}/PKG-INFO"
        return sorted(out, key=lambda m: (m.path != pkg_info, m.path))


def run(plan: SdistPlan) -> Path:
    """Write the archive (whole or not at all); an OS error names the file and the fix."""
    output = Path(plan.output)
    check_writable_dir(output.parent, "-o/--out")
    try:
        write_tar_gz(output, plan.members(), member_mtime(plan.source_date_epoch))
    except OSError as exc:
        if exc.filename is not None and not str(exc.filename).startswith(str(output.parent)):
            raise FileSystemError(exc, None, "reading") from None  # a source file
        exc.filename = None
        raise FileSystemError(exc, output, "writing", "-o/--out") from None
    return output


class _Members:
    """Archive path -> source file, relative to the sdist top; the first source of a path wins
    when both are the same file, two different files are an error."""

    def __init__(self, top: Path) -> None:
        self.top = top
        self.files: dict[str, Path] = {}
        self.generated: dict[str, str] = {}

    def rel(self, path: Path, what: str) -> str:
        if not sources.is_within(path, self.top):
            raise ConfigError(f"{path}: {what} lies outside the project root {self.top}; move "
                              "it inside the project (or publish it to crates.io and depend "
                              "on it by version)")
        return path.relative_to(self.top).as_posix()

    def add(self, path: Path, what: str) -> None:
        rel = self.rel(path, what)
        previous = self.files.get(rel)
        if previous is not None and os.path.realpath(previous) != os.path.realpath(path):
            raise ConfigError(f"two different files would be stored as '{rel}' in the sdist, "
                              f"{previous} and {path}; rename or exclude one of them")
        self.files.setdefault(rel, path)

    def generate(self, rel: str, content: str) -> None:
        self.files.pop(rel, None)
        self.generated[rel] = content


def make_plan(cfg: BuildConfig) -> SdistPlan:
    """Resolve what the sdist of ``cfg``'s project holds and where it is written."""
    if cfg.pyproject is None:
        raise ConfigError(f"{cfg.manifest_path.parent}: no pyproject.toml found for "
                          f"{cfg.manifest_path}; an sdist needs one (add pyproject.toml with a "
                          "[build-system] table)")
    pyproject = cfg.pyproject
    resolution = resolution_args(
        features=(), all_features=True, no_default_features=False, locked=cfg.locked,
        frozen=cfg.frozen, offline=cfg.offline, config=cfg.cargo_config)
    meta = load_metadata(cargo_metadata_argv(cfg.manifest_path, None, resolution),
                         cfg.manifest_path, cfg.env)
    layout, metadata = _layout_and_metadata(cfg, pyproject, meta)
    generator = cfg.tool.sdist_generator
    target_dir = cfg.target_dir or meta.target_directory
    if generator == "git":
        members = _Members(pyproject.directory)
        for path in sources.git_files(pyproject.directory, cfg.env):
            members.add(path, "a file git tracks")
    else:
        members = _cargo_members(cfg, meta, layout, target_dir)
        for item in python_files(layout):
            members.add(Path(item.source), "the python source")
    for input_file in metadata.input_files:
        members.add(Path(input_file), "a readme or license file")
    _add_includes(cfg, layout, members, target_dir)
    _apply_excludes(cfg, members)
    out_dir = cfg.out_dir or (target_dir / "wheels")
    for rel in [r for r, p in members.files.items()
                if sources.is_within(p, target_dir) or sources.is_within(p, out_dir)]:
        del members.files[rel]
    moved = _place_pyproject(pyproject, cfg.manifest_path, layout, members)
    members.generate("PKG-INFO", pkg_info(metadata, moved))
    top = f"{tags.dist_name(metadata.name)}-{tags.file_version(metadata.version)}"
    return SdistPlan(
        output=str(out_dir / f"{top}.tar.gz"), top=top,
        files=tuple(FileItem(rel, str(path)) for rel, path in sorted(members.files.items())),
        generated=tuple(GeneratedItem(rel, text)
                        for rel, text in sorted(members.generated.items())),
        source_date_epoch=cfg.env.get("SOURCE_DATE_EPOCH") or None, target_dir=str(target_dir))


def pkg_info(metadata: ProjectMetadata, moved: bool) -> str:
    """PKG-INFO: the wheel's METADATA, the same bytes (PEP 643: nothing marked ``Dynamic`` may
    differ in a wheel built from the sdist, and every field here is fixed by the files the sdist
    carries). The one exception: when pyproject.toml moved to the top, License-File paths are
    relative to its new place in wheels built from the sdist, so that field is dynamic."""
    text = metadata.metadata_text()
    if not moved or not metadata.license_files:
        return text
    head, sep, body = text.partition("\n\n")
    return head + "\nDynamic: License-File\n" + (sep[1:] + body if sep else "")


def _layout_and_metadata(cfg: BuildConfig, pyproject: PyProject,
                         meta: CargoMetadata) -> tuple[ProjectLayout, ProjectMetadata]:
    from rustwheel.stages.detect import module_name

    project = pyproject.project
    layout = determine_layout(
        project_root=cfg.project_root, module_name=module_name(cfg, meta),
        python_source=cfg.tool.python_source,
        python_packages=cfg.tool.python_packages, project_name=(project or {}).get("name"),
        pyproject_file=str(pyproject.path), table=pyproject.tool_table)
    from rustwheel import ui

    metadata = resolve_metadata(project, meta.root.raw, pyproject.directory, str(pyproject.path),
                                workspace_root=meta.workspace_root, warn=ui.warn)
    return layout, metadata


def _cargo_members(cfg: BuildConfig, meta: CargoMetadata, layout: ProjectLayout,
                   target_dir: Path) -> _Members:
    """Every packaged crate's files (cargo package --list), its manifest (rewritten when it is a
    workspace root), the workspace's root manifest and Cargo.lock."""
    assert cfg.pyproject is not None
    ws_root = meta.workspace_root
    manifest_dir = cfg.manifest_path.parent
    anchors = [cfg.pyproject.directory, manifest_dir, layout.python_dir, ws_root]
    members = _Members(sources.sdist_root(anchors))
    deps = sources.path_dependencies(meta)
    for dep in deps:
        members.rel(dep.manifest_path.parent, f"path dependency '{dep.name}' of "
                    f"{cfg.manifest_path}")
    packaged: list[Package] = [meta.root, *deps]
    ws_members = sorted(
        p.manifest_path.parent.relative_to(ws_root).as_posix() for p in packaged
        if p.id in meta.workspace_members and p.manifest_path.parent != ws_root)
    for pkg in packaged:
        listed = sources.cargo_package_list(pkg, offline=cfg.offline, env=cfg.env,
                                            target_dir=target_dir)
        for path in [*listed, *sources.referenced_files(pkg)]:
            if pkg is not meta.root and path.name == "pyproject.toml" \
                    and path.parent == pkg.manifest_path.parent:
                continue  # a dependency's own python project is not part of this one
            members.add(path, f"a file of crate '{pkg.name}'")
        rel = members.rel(pkg.manifest_path, "a manifest")
        if pkg.manifest_path.parent == ws_root:
            text = pkg.manifest_path.read_text(encoding="utf-8")
            members.generate(rel, workspace_manifest(text, ws_members, keep_package=True))
        else:
            members.add(pkg.manifest_path, "a manifest")
    ws_manifest = ws_root / "Cargo.toml"
    if not any(p.manifest_path.parent == ws_root for p in packaged):
        text = ws_manifest.read_text(encoding="utf-8")
        members.generate(members.rel(ws_manifest, "the workspace manifest"),
                         workspace_manifest(text, ws_members, keep_package=False))
    lock = ws_root / "Cargo.lock"
    if lock.is_file():
        members.add(lock, "Cargo.lock")
    return members


def _add_includes(cfg: BuildConfig, layout: ProjectLayout, members: _Members,
                  target_dir: Path) -> None:
    for spec in cfg.tool.include:
        if "sdist" in spec.formats and not spec.out_dir:
            found, _ = include_files(spec, cfg.project_root, layout.python_dir, [target_dir])
            for item in found:
                members.add(Path(item.source), f"include pattern {spec.path!r}")


def _apply_excludes(cfg: BuildConfig, members: _Members) -> None:
    patterns = [s.path for s in cfg.tool.exclude if "sdist" in s.formats]
    if not patterns:
        return
    root = cfg.project_root
    for rel, source in list(members.files.items()):
        if sources.is_within(source, root) and source.name not in ("Cargo.toml", "Cargo.lock") \
                and any(excluded(p, source.relative_to(root).as_posix()) for p in patterns):
            del members.files[rel]


def _place_pyproject(pyproject: PyProject, manifest_path: Path, layout: ProjectLayout,
                     members: _Members) -> bool:
    """pyproject.toml at the top of the sdist; True when it had to move there."""
    rel = members.rel(pyproject.path, "pyproject.toml")
    if rel == "pyproject.toml":
        members.add(pyproject.path, "pyproject.toml")
        return False
    prefix = rel.rsplit("/", 1)[0]
    manifest = members.rel(manifest_path, "the crate manifest")
    python_source = members.rel(layout.python_dir, "the python source")
    members.files.pop(rel, None)
    text = pyproject.path.read_text(encoding="utf-8")
    members.generate("pyproject.toml", moved_pyproject(
        text, prefix, pyproject.tool_table, manifest, python_source))
    return True

