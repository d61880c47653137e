"""Where Python interpreters are: a path, PATH, and the installs of pyenv and uv.

Only the file system is looked at here (`candidates`, `search_all`); running what is found is
`rustwheel.host.locate`'s. An ``-i`` value is a path, a program name (``python3.12``,
``pypy3.10``) or a bare version (``3.12`` and ``3.13t`` name ``python3.12`` and
``python3.13t``). A version manager's shim on PATH may be unable to run the version asked for
(pyenv runs only the versions it is told to use), so the installs of pyenv
(``$PYENV_ROOT/versions/*/bin``) and uv (``$UV_PYTHON_INSTALL_DIR/*/bin``) are candidates
too, newest version first.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rustwheel import _run

PROGRAM = re.compile(r"(?:python3\.\d+t?|pypy3(?:\.\d+)?)")
"""The program names `search_all` looks for."""
_NUMBERS = re.compile(r"\d+(?:\.\d+)*")


@dataclass(frozen=True)
class Candidate:
    path: Path
    source: str
    """``path`` (given as one), ``PATH``, ``pyenv`` or ``uv``."""
    shim: bool = False
    """A version manager's shim: what it runs is decided when it runs."""


def program_name(value: str) -> str:
    """The program an ``-i`` value names: ``3.12`` -> ``python3.12``, ``3.13t`` ->
    ``python3.13t``; names (and paths) as given."""
    return f"python{value}" if value[:1].isdigit() else value


def is_path(value: str) -> bool:
    return os.sep in value


def _home(env: Mapping[str, str]) -> Path:
    home = env.get("HOME")
    return Path(home) if home else Path.home()


def pyenv_versions(env: Mapping[str, str]) -> Path:
    """pyenv's installs: ``$PYENV_ROOT/versions``, else ``~/.pyenv/versions``."""
    root = env.get("PYENV_ROOT")
    return (Path(root).expanduser() if root else _home(env) / ".pyenv") / "versions"


def uv_pythons(env: Mapping[str, str]) -> Path:
    """uv's managed pythons: ``$UV_PYTHON_INSTALL_DIR``, else
    ``$XDG_DATA_HOME/uv/python``, else ``~/.local/share/uv/python``."""
    explicit = env.get("UV_PYTHON_INSTALL_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = env.get("XDG_DATA_HOME")
    data = Path(xdg) if xdg and Path(xdg).is_absolute() else _home(env) / ".local" / "share"
    return data / "uv" / "python"


def managers(env: Mapping[str, str]) -> list[tuple[str, Path]]:
    """(name, directory of installs) of each version manager searched."""
    return [("pyenv", pyenv_versions(env)), ("uv", uv_pythons(env))]


def is_shim(path: Path) -> bool:
    """A version manager's shim (pyenv's, pyenv-virtualenv's, asdf's live in ``shims/``)."""
    return path.parent.name == "shims"


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _version_key(name: str) -> tuple[tuple[int, ...], bool]:
    """Newest first when sorted in reverse: ``3.12.1`` > ``3.12.0``; at one version the
    default build before a ``t`` (free-threaded) one."""
    m = _NUMBERS.search(name)
    numbers = tuple(int(p) for p in m.group().split(".")) if m else ()
    return numbers, not name.endswith("t")


def installs(root: Path) -> list[Path]:
    """The install directories under a version manager's ``root``, newest version first."""
    try:
        names = [e.name for e in os.scandir(root) if e.is_dir() and not e.name.startswith(".")]
    except OSError:
        return []
    return [root / n for n in sorted(names, key=_version_key, reverse=True)]


def managed(name: str, env: Mapping[str, str]) -> list[Candidate]:
    """``name`` in pyenv's, then uv's installs, newest version first."""
    return [Candidate(d / "bin" / name, source) for source, root in managers(env)
            for d in installs(root) if _executable(d / "bin" / name)]


def candidates(value: str, env: Mapping[str, str]) -> list[Candidate]:
    """Where the ``-i`` value may be, in the order to try them: a path as given; else what
    PATH gives, then the program in pyenv's and uv's installs (for when PATH has none, or
    gives a shim or a program that cannot run it)."""
    if is_path(value):
        path = Path(value)
        return [Candidate(path, "path")] if _executable(path) else []
    name = program_name(value)
    found = _run.which(name, env.get("PATH"))
    first = [Candidate(found, "PATH", is_shim(found))] if found is not None else []
    return first + [c for c in managed(name, env) if c.path != found]


def searched(value: str, env: Mapping[str, str]) -> str:
    """Where `candidates` looked for ``value``, for messages."""
    if is_path(value):
        return f"{value} is not an executable file"
    places = ", ".join(f"{root}/*/bin" for _, root in managers(env))
    return f"searched PATH, {places} for {program_name(value)}"


def path_dirs(env: Mapping[str, str]) -> list[Path]:
    """PATH's directories, each once, shims left out (pyenv's installs are searched
    themselves, and a shim runs only the versions pyenv is told to use)."""
    seen: set[str] = set()
    dirs = []
    for entry in env.get("PATH", "").split(os.pathsep):
        if not entry or Path(entry).name == "shims":
            continue
        real = os.path.realpath(entry)
        if real not in seen:
            seen.add(real)
            dirs.append(Path(entry))
    return dirs


def programs(directory: Path) -> list[Path]:
    """The interpreter programs in ``directory`` (python3.N, python3.Nt, pypy3, pypy3.N)."""
    try:
        names = sorted(e.name for e in os.scandir(directory) if PROGRAM.fullmatch(e.name))
    except OSError:
        return []
    return [directory / n for n in names if _executable(directory / n)]


def search_all(env: Mapping[str, str]) -> list[Candidate]:
    """Every interpreter program on PATH, then in pyenv's and uv's installs (newest first),
    in that order."""
    found = [Candidate(p, "PATH") for d in path_dirs(env) for p in programs(d)]
    for source, root in managers(env):
        found += [Candidate(p, source) for d in installs(root) for p in programs(d / "bin")]
    return found
