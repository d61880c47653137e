"""Which python a pyenv shim runs, decided the way pyenv decides it, from files alone.

pyenv's shim ``python3.12`` runs the first of the selected versions that has
``bin/python3.12``. The versions are selected by, in order: the ``PYENV_VERSION`` variable
(``:``-separated), the first ``.python-version`` file from ``PYENV_DIR`` (else the working
directory) up to ``/``, pyenv's global ``$PYENV_ROOT/version`` file, else ``system`` (PATH
without the shims). A version that is not installed by its exact name is the newest installed
one it is a prefix of (``3.12`` -> ``3.12.1``), as pyenv does.

The answer comes with the files that decided it, for the no-op stamp to watch: every
``.python-version`` looked for (absent ones must stay absent), the global version file, the
versions directory and the executable.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Optional

from rustwheel.host.discovery import installs, path_dirs


def root_of(shim: Path, env: Mapping[str, str]) -> Optional[Path]:
    """pyenv's root for a shim in ``<root>/shims``; None for other version managers' shims."""
    root = Path(env["PYENV_ROOT"]) if env.get("PYENV_ROOT") else shim.parent.parent
    return root if shim.parent == root / "shims" and (root / "versions").is_dir() else None


def _read_versions(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    return [word for line in text.splitlines() if not line.lstrip().startswith("#")
            for word in line.split() if word != ".." and "/" not in word]


def selected(root: Path, env: Mapping[str, str], cwd: Path) -> tuple[list[str], list[str]]:
    """(the selected versions, the files that selected them)."""
    if env.get("PYENV_VERSION"):
        return [v for v in env["PYENV_VERSION"].split(":") if v], []
    start = Path(env.get("PYENV_DIR") or cwd)
    watched = []
    for directory in [start, *start.parents]:
        version_file = directory / ".python-version"
        watched.append(str(version_file))
        if version_file.is_file():
            return _read_versions(version_file), watched
    global_file = root / "version"
    watched.append(str(global_file))
    versions = _read_versions(global_file) if global_file.is_file() else []
    return versions or ["system"], watched


def _install(root: Path, version: str) -> Optional[Path]:
    exact = root / "versions" / version
    if exact.is_dir():
        return exact
    newer = [d for d in installs(root / "versions") if d.name.startswith(version + ".")]
    return newer[0] if newer else None


def _executable(root: Path, version: str, name: str, env: Mapping[str, str]) -> Optional[str]:
    """The program ``name`` of one selected version (``system``: PATH without shims)."""
    if version == "system":
        return shutil.which(name, path=os.pathsep.join(map(str, path_dirs(env))))
    install = _install(root, version)
    exe = str(install / "bin" / name) if install is not None else None
    return exe if exe is not None and os.access(exe, os.X_OK) else None


def choice(shim: Path, name: str, env: Mapping[str, str],
           cwd: Path) -> Optional[tuple[str, list[str]]]:
    """(the executable pyenv's shim ``name`` runs, the files that decided it); None when it is
    not pyenv's shim or runs nothing (pyenv would fail)."""
    root = root_of(shim, env)
    if root is None:
        return None
    versions, watched = selected(root, env, cwd)
    for version in versions:
        exe = _executable(root, version, name, env)
        if exe is not None:
            return exe, [*watched, str(root / "versions"), exe]
    return None
