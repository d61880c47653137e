"""``rustwheel new PATH`` and ``rustwheel init [PATH]``: start a project (Cargo.toml,
pyproject.toml, sources, a test, a dodo.py, .gitignore) that `rustwheel build` builds as is."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from rustwheel import ui
from rustwheel.errors import ConfigError
from rustwheel.scaffold.layout import project_files
from rustwheel.scaffold.names import check_name
from rustwheel.scaffold.spec import ProjectSpec, check_spec
from rustwheel.scaffold.write import write_files


def project_spec(directory: Path, name: Optional[str], bindings: str, mixed: bool,
                 src: bool) -> ProjectSpec:
    """The checked spec; the name defaults to the directory's."""
    chosen = check_name(name, "--name") if name is not None else check_name(
        directory.resolve().name, f"the directory name of {directory}")
    return check_spec(ProjectSpec(chosen, bindings, mixed, src))


def _check_new_directory(directory: Path) -> None:
    if os.path.lexists(directory) and not directory.is_dir():
        raise ConfigError(f"rustwheel new: {directory} exists and is not a directory; choose a "
                          "new path (or use rustwheel init in an existing directory)")
    if directory.is_dir() and any(directory.iterdir()):
        raise ConfigError(f"rustwheel new: {directory} exists and is not empty; choose a new "
                          "path, or run rustwheel init there")


def _create(directory: Path, spec: ProjectSpec, command: str) -> int:
    written = write_files(directory, project_files(spec), command)
    layout = "src" if spec.src else "mixed" if spec.mixed else "pure"
    ui.note(f"created {spec.name} ({spec.bindings} bindings, {layout} layout) in {directory}: "
            f"{len(written)} files; build it with `rustwheel build`")
    return 0


def cmd_new(path: str, name: Optional[str], bindings: str, mixed: bool, src: bool) -> int:
    directory = Path(path)
    spec = project_spec(directory, name, bindings, mixed, src)
    _check_new_directory(directory)
    directory.mkdir(parents=True, exist_ok=True)
    return _create(directory, spec, "rustwheel new")


def cmd_init(path: Optional[str], name: Optional[str], bindings: str, mixed: bool,
             src: bool) -> int:
    directory = Path(path or ".")
    if not directory.is_dir():
        raise ConfigError(f"rustwheel init: {directory} is not a directory; create it, or use "
                          "rustwheel new")
    return _create(directory, project_spec(directory, name, bindings, mixed, src),
                   "rustwheel init")
