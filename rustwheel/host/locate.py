"""Interpreters found and run: an ``-i`` value resolved (`locate`), or every interpreter on
the machine (`find_all`, for ``-f/--find-interpreter`` and ``rustwheel list-python``).

`rustwheel.host.discovery` says where to look; each candidate is run once
(`rustwheel.host.probecache`) and the first that works is the one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rustwheel.errors import ConfigError, ToolError
from rustwheel.host import discovery
from rustwheel.host.interpreter import Interpreter, NotRunnable
from rustwheel.host.probecache import InterpreterCache

MINIMUM = (3, 7)
"""The oldest Python a build can be for (maturin's)."""


@dataclass(frozen=True)
class Found:
    interpreter: Interpreter
    path: Path
    """The program found (its ``sys.executable`` is ``interpreter.executable``)."""
    source: str
    """Where: ``PATH``, ``pyenv`` or ``uv``."""


def _check_version(value: str, origin: str, interp: Interpreter) -> Interpreter:
    if (interp.major, interp.minor) < MINIMUM:
        raise ConfigError(
            f"interpreter '{value}' (from {origin}) is Python {interp.full_version}; Python "
            f"{MINIMUM[0]}.{MINIMUM[1]} or newer is required, pass a newer one")
    return interp


def _not_found(value: str, origin: str, env: Mapping[str, str]) -> str:
    if discovery.is_path(value):
        fix = "pass an existing python executable (a path, or a name like python3.12)"
    else:
        version = value.removeprefix("python")
        fix = (f"install it (`pyenv install {version}` or `uv python install {version}`) or "
               f"pass the path of {discovery.program_name(value)}")
    return (f"interpreter '{value}' (from {origin}) was not found "
            f"({discovery.searched(value, env)}); {fix}")


def locate(value: str, env: Mapping[str, str], cache: InterpreterCache,
           origin: str = "-i/--interpreter") -> Interpreter:
    """The interpreter an ``-i`` value names: the first of its candidates that runs."""
    found = discovery.candidates(value, env)
    failures = []
    for candidate in found:
        try:
            interp = cache.facts(candidate.path, env, shim=candidate.shim)
        except NotRunnable as exc:
            failures.append(f"{candidate.path}: {exc}")
            continue
        return _check_version(value, origin, interp)
    if not found:
        raise ConfigError(_not_found(value, origin, env))
    raise ToolError(f"interpreter '{value}' (from {origin}) could not be run "
                    f"({'; '.join(failures)}); pass a working python with -i/--interpreter")


def identity(interp: Interpreter) -> tuple[str, int, int, str, bool]:
    """What makes two interpreters build different wheels: the implementation, the version,
    the ABI flags and free-threading."""
    return (interp.implementation, interp.major, interp.minor, interp.abiflags,
            interp.gil_disabled)


def _order(found: Found) -> tuple[bool, str, int, int, bool]:
    i = found.interpreter
    return (i.implementation != "cpython", i.implementation, i.major, i.minor, i.gil_disabled)


def find_all(env: Mapping[str, str],
             cache: InterpreterCache) -> tuple[list[Found], list[str]]:
    """Every interpreter on PATH and in pyenv's and uv's installs, Python 3.7 or newer, one
    per `identity` (the first found: PATH before pyenv before uv), in version order; and why
    programs that looked like interpreters could not be run."""
    kept: dict[tuple[str, int, int, str, bool], Found] = {}
    problems = []
    for candidate in discovery.search_all(env):
        try:
            interp = cache.facts(candidate.path, env)
        except NotRunnable as exc:
            problems.append(f"{candidate.path} could not be run ({exc})")
            continue
        if (interp.major, interp.minor) >= MINIMUM:
            kept.setdefault(identity(interp), Found(interp, candidate.path, candidate.source))
    return sorted(kept.values(), key=_order), problems
