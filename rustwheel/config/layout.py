"""Where the python sources are and where the extension goes: pure, mixed and src layouts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from rustwheel.errors import ConfigError


@dataclass(frozen=True)
class ProjectLayout:
    project_root: Path
    """Directory of pyproject.toml (or of Cargo.toml when there is none)."""
    python_dir: Path
    """Directory that holds the top-level python package(s)."""
    module_name: str
    """Dotted import name of the compiled module, e.g. ``pkg._native``."""
    mixed: bool
    """True when a python package named like the module's first component exists."""
    python_packages: tuple[str, ...] = ()

    @property
    def extension_name(self) -> str:
        return self.module_name.rsplit(".", 1)[-1]

    @property
    def top_package(self) -> str:
        return self.module_name.split(".", 1)[0]

    @property
    def extension_dir(self) -> str:
        """Archive directory of the compiled module (forward slashes)."""
        parts = self.module_name.split(".")
        if not self.mixed:
            return parts[-1]
        return "/".join(parts[:-1]) if len(parts) > 1 else parts[0]


def validate_module_name(name: str, where: str) -> str:
    parts = name.split(".")
    for part in parts:
        if "-" in part:
            raise ConfigError(f"{where}: module name '{name}' contains '-', which Python cannot "
                              f"import; use '{name.replace('-', '_')}'")
        if not part.isidentifier():
            raise ConfigError(f"{where}: module name '{name}' is not a valid dotted Python "
                              "identifier; use letters, digits and underscores")
    return name


def determine_layout(*, project_root: Path, module_name: str,
                     python_source: Optional[str], python_packages: tuple[str, ...],
                     project_name: Optional[str], pyproject_file: str,
                     table: str = "tool.rustwheel") -> ProjectLayout:
    if python_source is not None:
        python_dir = (project_root / python_source).resolve()
        if not python_dir.is_dir():
            raise ConfigError(
                f"{pyproject_file}: [{table}] python-source = '{python_source}' does not exist "
                f"({python_dir}); create it or fix the path")
    else:
        python_dir = _src_layout(project_root, project_name, python_packages) or project_root
    top = python_dir / module_name.split(".")[0]
    crate_dir = (top / "Cargo.toml").is_file() and not (top / "__init__.py").is_file()
    mixed = top.is_dir() and not crate_dir
    if python_source is not None and not top.is_dir() and not crate_dir:
        _check_module_package(python_dir, python_packages, top.name, module_name,
                              f"{pyproject_file}: [{table}] python-source = '{python_source}'")
    for package in python_packages:
        if not ((python_dir / package).is_dir() or (python_dir / f"{package}.py").is_file()):
            raise ConfigError(f"{pyproject_file}: [{table}] python-packages entry '{package}' "
                              f"was not found in {python_dir}; create it or remove the entry")
    return ProjectLayout(project_root=project_root, python_dir=python_dir,
                         module_name=module_name, mixed=mixed, python_packages=python_packages)


def _src_layout(project_root: Path, project_name: Optional[str],
                python_packages: tuple[str, ...]) -> Optional[Path]:
    """maturin's "python first" src layout: ``rust/Cargo.toml`` (a crate or a workspace, the
    crate built may be any member) beside ``src/<project name or python-packages entry>/
    __init__.py``; the python sources are then in ``src/``."""
    src = project_root / "src"
    if project_name is None or not (project_root / "rust" / "Cargo.toml").is_file():
        return None
    names = (project_name.replace("-", "_"), *python_packages)
    return src if any((src / name / "__init__.py").is_file() for name in names) else None


def _check_module_package(python_dir: Path, python_packages: tuple[str, ...], package: str,
                          module_name: str, where: str) -> None:
    """python-source holding python packages, none of them the module's (nor a python-packages
    entry), is a mistake (maturin's wrong-python-source); maturin refuses any python-source
    without the module's package, rustwheel still builds a pure layout from one holding no
    package (its own sdists of workspace members set python-source so)."""
    others = sorted(p.name for p in python_dir.iterdir() if (p / "__init__.py").is_file()
                    and p.name not in python_packages)
    if others:
        raise ConfigError(
            f"{where} holds the python package(s) {', '.join(others)} but none named "
            f"'{package}' for module '{module_name}'; rename the package, set module-name to "
            "it, or list it in python-packages")
