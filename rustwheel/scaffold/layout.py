"""Which file of a new project goes where: ``{relative path: text}`` for a `ProjectSpec`
(pure)."""

from __future__ import annotations

from rustwheel.scaffold import python, rust
from rustwheel.scaffold.spec import ProjectSpec


def project_files(spec: ProjectSpec) -> dict[str, str]:
    """Every file `rustwheel new` writes for ``spec``, by path relative to the project."""
    files = {"pyproject.toml": python.pyproject_toml(spec), ".gitignore": python.GITIGNORE,
             f"{spec.rust_dir}Cargo.toml": rust.cargo_toml(spec),
             f"tests/test_{spec.module}.py": python.test_module(spec), "dodo.py": python.DODO}
    files.update({f"{spec.rust_dir}{path}": text
                  for path, text in rust.rust_sources(spec).items()})
    if spec.has_package:
        files[f"{spec.python_dir}/{spec.module}/__init__.py"] = python.package_init(spec)
    return dict(sorted(files.items()))
