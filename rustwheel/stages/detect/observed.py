"""What resolving read, besides the configuration files: the toolchain and interpreter choice.

While none of the files and directories resolving read (or listed) changes, resolving again
gives the same plan; the no-op stamp watches them (`rustwheel.freshness.stamp`). When a choice
is made at run time by something no file shows (a version manager's shim), nothing can be said.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Optional

from rustwheel.host.discovery import is_shim, program_name
from rustwheel.host.interpreter import Interpreter


def toolchain_files(env: Mapping[str, str], manifest_path: Path) -> Optional[list[str]]:
    """rustc, and what selects the toolchain when it is a rustup proxy (None: no rustc)."""
    rustc = shutil.which(env.get("RUSTC", "rustc"), path=env.get("PATH"))
    if rustc is None:
        return None
    files = [rustc]
    rustup_home = Path(env.get("RUSTUP_HOME", str(Path.home() / ".rustup")))
    if rustup_home.is_dir():  # rustc is a rustup proxy: watch what selects the toolchain
        files += [str(rustup_home / "settings.toml"), str(rustup_home / "toolchains")]
        # A rust-toolchain file appearing in the crate's directory changes that directory
        # (watched below); existing ones further up are watched themselves. Ancestors such as
        # /tmp change all the time, so they are not watched as directories.
        files.append(str(manifest_path.parent))
        for d in [manifest_path.parent, *manifest_path.parent.parents]:
            for name in ("rust-toolchain", "rust-toolchain.toml"):
                if (d / name).is_file():
                    files.append(str(d / name))
    return [f for f in files if os.path.exists(f)]


def interpreter_files(requested: Optional[Sequence[str]],
                      interpreters: Sequence[Interpreter], env: Mapping[str, str],
                      cwd: Path) -> Optional[list[str]]:
    """The interpreters as found from their ``requested`` values (on PATH unless a path) and
    as they report themselves; for a pyenv shim, the files by which pyenv chooses what it
    runs (`rustwheel.host.pyenv`). None when another version manager's shim chose one, when
    one was found elsewhere than on PATH (pyenv's or uv's installs) or when they were
    searched for (``-f``: any new interpreter could change the choice)."""
    from rustwheel.host import pyenv

    if requested is None:
        return None
    files = []
    for value in requested:
        name = program_name(value)
        found = shutil.which(name, path=env.get("PATH")) if os.sep not in name else name
        if found is None:
            return None
        if is_shim(Path(found)):
            chosen = pyenv.choice(Path(found), name, env, cwd)
            if chosen is None:
                return None  # decided at run time by something no file shows
            files += chosen[1]
        files.append(found)
    return files + [i.executable for i in interpreters]


def resolution_inputs(toolchain: Optional[list[str]], interpreters: Optional[list[str]],
                      *read: Iterable[object]) -> Optional[tuple[str, ...]]:
    """Every file and directory resolving read or listed: the toolchain's and interpreters'
    files and each of ``read`` (None when the toolchain or an interpreter cannot be known)."""
    if toolchain is None or interpreters is None:
        return None
    return tuple(sorted({*toolchain, *interpreters, *(str(p) for group in read for p in group)}))
