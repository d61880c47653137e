"""Interpreter facts, probed once per executable version and remembered in the user cache.

``<cache root>/interpreters-v2.state`` (the store's root, ``~/.cache/rustwheel`` by default)
maps an executable's absolute path, as found (a virtual env's ``bin/python`` is a symlink
whose ``sys.executable`` is not its target's), to the ``(inode, size, mtime_ns)`` of the file
it resolves to and the facts the probe gave (`rustwheel.freshness.facts.FactsIndex`). A
replaced or upgraded executable has other facts and is probed again, as are facts from
another version of the probe script. A shim is always run: what it runs is decided then.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Optional

from rustwheel.freshness.facts import FactsIndex
from rustwheel.host.interpreter import PROBE_VERSION, Interpreter, NotRunnable, run_probe

CACHE_FILE = "interpreters-v2.state"


def cache_file(cache_dir: Optional[Path], env: Mapping[str, str]) -> Path:
    """Where the facts are remembered: in ``cache_dir`` (the store's root), else in the
    default cache directory."""
    from rustwheel.cache.location import default_cache_dir

    return (cache_dir if cache_dir is not None else default_cache_dir(env)) / CACHE_FILE


class InterpreterCache:
    """Probes interpreters, each executable version once (`facts`); `save` writes what was
    learnt."""

    def __init__(self, path: Optional[Path]) -> None:
        self.index = FactsIndex(path)
        self.probed: list[str] = []
        """The executables run by this cache (what the tests look at)."""

    def facts(self, exe: Path, env: Mapping[str, str], *, shim: bool = False) -> Interpreter:
        """``exe``'s facts (`NotRunnable` when it is no working Python)."""
        key = os.path.abspath(exe)
        try:
            st = os.stat(key)
        except OSError as exc:
            raise NotRunnable(f"{exc.strerror or exc}") from None
        known = None if shim else self.index.get(key, st)
        if known and known[0] == PROBE_VERSION and isinstance(known[1], dict):
            return Interpreter.from_json(known[1])
        self.probed.append(key)
        interp = run_probe(exe, env, shim=shim)
        if not shim:
            self.index.put(key, st, PROBE_VERSION, interp.to_json())
        return interp

    def save(self) -> None:
        self.index.save()
