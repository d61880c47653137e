"""Reuse stage outputs from the content-addressed store: look up before running, store after.

Keys never contain absolute paths of the checkout: paths under known roots (the workspace,
the target dir) are written as placeholders, so a fresh clone elsewhere, a branch switch or a
temporary copy made by pip finds what was built before. Only the content of inputs, the
path-independent plan fingerprint and the tool versions decide a hit.

Stages whose input set is known only after they ran (compile: cargo's dep-info) use two
lookups: a *manifest* entry keyed by the plan and the always-known inputs lists the input files
of the last build, and the *result* entry is keyed by the digests of exactly those files.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from rustwheel import __version__
from rustwheel.cache.keys import CacheSpec, label, unlabel
from rustwheel.freshness.digests import DigestCache
from rustwheel.freshness.records import env_digest

STORE_LAYOUT_VERSION = 1














def digests(paths: Iterable[str], roots: Sequence[tuple[str, str]]) -> Optional[dict[str, str]]:
    """label -> content digest for every path; None if one is missing."""
    cache = DigestCache.shared()
    out: dict[str, str] = {}
    for p in paths:
        try:
            st = os.stat(p)
            out[label(p, roots)] = cache.digest(p, st)
        except OSError:
            return None
    return out


def _key(stage: str, spec: CacheSpec, extra: Mapping[str, Any], inputs: Mapping[str, str]) -> str:
    from rustwheel.cache.keys import action_key

    plan = {"fingerprint": spec.fingerprint, **extra}
    return action_key(stage, STORE_LAYOUT_VERSION, plan, inputs, spec.tools, __version__)


def open_store(spec: Optional[CacheSpec]) -> Any:
    if spec is None:
        return None
    from rustwheel.cache.store import LocalStore

    return LocalStore(Path(spec.cache_dir))


@dataclass(frozen=True)
class Hit:
    entry: Any
    inputs: tuple[str, ...]
    env: tuple[str, ...]


def lookup(store: Any, spec: CacheSpec, stage: str, known_inputs: Sequence[str]) -> Optional[Hit]:
    """Find a stored result whose recorded inputs all match the files on disk now."""
    known = digests(known_inputs, spec.roots)
    if known is None:
        return None
    manifest = store.get_action(_key(f"{stage}-manifest", spec, {}, known))
    if manifest is None:
        return None
    paths = [unlabel(p, spec.roots) for p in manifest.meta.get("inputs", [])]
    env_names = tuple(manifest.meta.get("env", []))
    found = digests(paths, spec.roots)
    if found is None:
        return None
    env = {name: env_digest(os.environ.get(name)) for name in env_names}
    entry = store.get_action(_key(stage, spec, {"env": env}, found))
    if entry is None:
        return None
    return Hit(entry, tuple(paths), env_names)


def save(store: Any, spec: CacheSpec, stage: str, known_inputs: Sequence[str],
         inputs: Sequence[str], env_names: Sequence[str], outputs: Mapping[str, Path]) -> None:
    """Store the outputs under the key of their inputs, and the manifest that leads there."""
    from rustwheel.cache.store import ActionEntry, store_files

    known = digests(known_inputs, spec.roots)
    found = digests(inputs, spec.roots)
    if known is None or found is None:  # an input vanished while building: do not cache
        return
    env = {name: env_digest(os.environ.get(name)) for name in sorted(set(env_names))}
    entry = store_files(store, stage, outputs, {})
    store.put_action(_key(stage, spec, {"env": env}, found), entry)
    manifest = ActionEntry(stage=f"{stage}-manifest", outputs=(),
                           meta={"inputs": sorted(found), "env": sorted(env)})
    store.put_action(_key(f"{stage}-manifest", spec, {}, known), manifest)


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr, flush=True)
