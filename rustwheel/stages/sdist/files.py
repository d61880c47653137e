"""Which source files an sdist carries: cargo's package lists or git's tracked files.

`cargo package --list` is asked once for the crate and once for every path dependency, so the
sdist holds exactly what cargo would publish for each of them. With ``sdist-generator = "git"``
every file git tracks below the project root is taken instead.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from rustwheel import _run
from rustwheel.cargo.metadata import CargoMetadata, Package
from rustwheel.errors import ConfigError

# Files cargo lists that an sdist never ships as they are: cargo's own bookkeeping, the manifest
# (written separately, rewritten when needed), lock files (the workspace's one is added once)
# and build leftovers.
_CARGO_OWN = {"Cargo.toml.orig", ".cargo_vcs_info.json", "Cargo.toml", "Cargo.lock"}
_LEFTOVER_SUFFIXES = (".pyc", ".pyo", ".pyd", ".so", ".dylib", ".dll")


def path_dependencies(meta: CargoMetadata) -> list[Package]:
    """Every package of the resolution that comes from a local path, the root excluded."""
    return [p for p in meta.dependency_closure() if p.raw.get("source") is None]


def is_within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def cargo_package_list(package: Package, *, offline: bool, env: Mapping[str, str],
                       target_dir: Path) -> list[Path]:
    """The files `cargo package --list` names for ``package``, as absolute paths that exist."""
    argv = ["cargo", "package", "--list", "--allow-dirty", "--manifest-path",
            str(package.manifest_path), "--target-dir", str(target_dir)]
    if offline:
        argv.append("--offline")
    proc = _run.run(argv, env=env, hint="the crate's manifest must be valid for cargo package")
    directory = package.manifest_path.parent
    out: list[Path] = []
    for line in proc.stdout.splitlines():
        rel = line.strip()
        if not rel or rel in _CARGO_OWN or rel.endswith(_LEFTOVER_SUFFIXES):
            continue
        path = directory / rel
        if path.is_file():  # cargo lists a readme from elsewhere under the package root
            out.append(path)
    return out


def git_files(directory: Path, env: Mapping[str, str]) -> list[Path]:
    """Every file git tracks below ``directory``."""
    proc = _run.run(["git", "ls-files", "-z"], cwd=directory, env=env, check=False,
                    hint="sdist-generator = \"git\" needs git")
    if proc.returncode != 0:
        raise ConfigError(f"{directory}: `git ls-files` failed ({proc.stderr.strip()}); "
                          "sdist-generator = \"git\" needs a git checkout, or use "
                          "sdist-generator = \"cargo\"")
    paths = [directory / rel for rel in proc.stdout.split("\0") if rel]
    return [p for p in paths if p.is_file()]


def referenced_files(package: Package) -> list[Path]:
    """The readme and license file a manifest names (they may live outside the package)."""
    directory = package.manifest_path.parent
    out = []
    for key in ("readme", "license_file"):
        value = package.raw.get(key)
        if isinstance(value, str) and value:
            path = Path(os.path.normpath(directory / value))
            if path.is_file():
                out.append(path)
    return out


def sdist_root(paths: Sequence[Path]) -> Path:
    """The deepest directory holding every path."""
    return Path(os.path.commonpath([str(p) for p in paths]))
