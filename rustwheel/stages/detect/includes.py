"""The files `include` globs and the `.data` dir add to a wheel, and `exclude` applied.

Found when resolving, so every file found here is a plain `FileItem` (a file_dep of the wheel
stage only: editing one reruns only that stage). The exception is ``include = [{from =
"out-dir"}]``, whose directory exists only once cargo ran: those globs are handed to the compile
stage (see `rustwheel.stages.compile.outdir`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from rustwheel import ui
from rustwheel.cargo.metadata import CargoMetadata
from rustwheel.config.includes import GlobSpec
from rustwheel.config.options import BuildConfig
from rustwheel.errors import ConfigError
from rustwheel.plan.members import FileItem, OutDirInclude
from rustwheel.spec.globs import excluded
from rustwheel.stages.wheel.globwalk import walk_glob

DATA_SUBDIRS = ("data", "scripts", "headers", "purelib", "platlib")


def _posix_rel(path: Path, root: Path) -> Optional[str]:
    rel = os.path.relpath(path, root)
    return None if rel == ".." or rel.startswith(".." + os.sep) else Path(rel).as_posix()


def include_files(spec: GlobSpec, project_root: Path, python_dir: Path,
                  skip: list[Path]) -> tuple[list[FileItem], list[Path]]:
    """The files of one include glob with their archive paths, and the directories listed.

    The glob is tried relative to the project root, then (when it matched nothing there)
    relative to python-source. A file inside python-source goes to its path relative to
    python-source, any other one to its path relative to the directory it was matched in."""
    matches, listed = walk_glob(project_root, spec.path, skip)
    matched_root = project_root
    if not matches and python_dir != project_root:
        matches, more = walk_glob(python_dir, spec.path, skip)
        listed += more
        matched_root = python_dir
    items = []
    for source in matches:
        in_python = python_dir != project_root and _posix_rel(source, python_dir) is not None
        base = python_dir if in_python else matched_root
        items.append(FileItem(Path(os.path.relpath(source, base)).as_posix(), str(source)))
    return items, listed


def data_files(data: Optional[str], project_root: Path, module_name: str, prefix: str,
               where: str) -> tuple[list[FileItem], list[Path]]:
    """The `.data` directory's files under ``<dist>-<version>.data/<sub>/``."""
    if data is not None:
        directory = project_root / data
        if not directory.is_dir():
            raise ConfigError(f"{where} data = {data!r}: {directory} is not a directory; "
                              "create it or fix the path")
    else:
        directory = project_root / f"{module_name}.data"
        if not directory.is_dir():
            return [], []
    items: list[FileItem] = []
    listed = [directory]
    for name in sorted(os.listdir(directory)):
        sub = directory / name
        if name not in DATA_SUBDIRS or not sub.is_dir():
            raise ConfigError(f"{sub} is not allowed in the wheel data directory {directory}; "
                              f"only the sub-directories {', '.join(DATA_SUBDIRS)} are, so move "
                              "or remove it")
        files, dirs = walk_glob(directory, f"{name}/**")
        listed += dirs
        items += [FileItem(f"{prefix}/{Path(os.path.relpath(f, directory)).as_posix()}", str(f))
                  for f in files]
    return items, listed


def apply_excludes(items: list[FileItem], excludes: tuple[GlobSpec, ...], project_root: Path,
                   keep: Path) -> list[FileItem]:
    """``items`` without those whose source path (relative to the project root) matches an
    exclude glob; files under ``keep`` (the compiled artifacts) are never excluded. Matching
    the archive path instead still works, as in maturin, with a deprecation warning."""
    patterns = [s.path for s in excludes if s.for_wheel]
    if not patterns:
        return items
    warned: set[str] = set()
    kept = []
    for item in items:
        if _posix_rel(Path(item.source), keep) is not None:
            kept.append(item)
            continue
        rel = _posix_rel(Path(item.source), project_root)
        if rel is not None and any(excluded(p, rel) for p in patterns):
            continue
        by_archive = [p for p in patterns if excluded(p, item.archive_path)]
        if by_archive:
            for p in by_archive:
                if p not in warned:
                    warned.add(p)
                    ui.warn(f"exclude pattern {p!r} matched the wheel path {item.archive_path!r}, "
                         "not a source path; write it relative to the directory of "
                         "pyproject.toml (matching wheel paths is deprecated)")
            continue
        kept.append(item)
    return kept


def _out_dir_include(spec: GlobSpec, meta: CargoMetadata, where: str) -> OutDirInclude:
    crate = spec.crate_name or meta.root.name
    candidates = [p for p in [meta.root, *meta.dependency_closure()] if p.name == crate]
    if not candidates:
        raise ConfigError(f"{where} include {spec.path!r}: crate-name '{crate}' is not "
                          f"{meta.root.name} or one of its dependencies; fix crate-name")
    if not any("custom-build" in t.kind for p in candidates for t in p.targets):
        raise ConfigError(f"{where} include {spec.path!r} (from = \"out-dir\"): crate '{crate}' "
                          "has no build script, so it has no OUT_DIR; add a build.rs or fix "
                          "crate-name")
    return OutDirInclude(spec.path, spec.to, crate)


def wheel_includes(cfg: BuildConfig, meta: CargoMetadata, python_dir: Path, skip: list[Path],
                   where: str) -> tuple[list[FileItem], list[Path], list[OutDirInclude]]:
    """The wheel's `include` matches, the directories listed to find them, and the out-dir
    globs (expanded by the compile stage); ``skip`` directories are not entered."""
    root = cfg.project_root
    listed: list[Path] = []
    included: list[FileItem] = []
    out_dir: list[OutDirInclude] = []
    for spec in cfg.tool.include:
        if not spec.for_wheel:
            continue  # sdist-only
        if spec.out_dir:
            out_dir.append(_out_dir_include(spec, meta, where))
            continue
        found, dirs = include_files(spec, root, python_dir, skip)
        listed += dirs
        if not found:
            ui.warn(f"{where} include pattern {spec.path!r} matched no file in {root}"
                 + (f" or {python_dir}" if python_dir != root else ""))
        included += found
    return included, listed, out_dir
