"""The store round trip of one stage run, written once for every stage: look up, restore, save.

Keys never contain absolute paths of the checkout: paths under known roots (the workspace,
the target dir) are written as placeholders (`rustwheel.cache.keys.label`), so a fresh clone
elsewhere, a branch switch or a temporary copy made by pip finds what was built before.

Two lookups, because some inputs are known only after a stage ran (compile: cargo's dep-info):
a *manifest* entry, keyed by the plan and the inputs known before running, lists the input
files of the last result built from them; the *result* entry is keyed by the digests of exactly
those files (and the declared environment variables).

With a remote store configured (`use_remote`: ``--remote-cache``, ``RUSTWHEEL_REMOTE_CACHE``,
the user's config file), the store is a `rustwheel.cache.remote.LayeredStore`: the local store
first, then the server; imported only then.

The store is a cache: a store that cannot be read or written (a full disk, a read-only mount,
permissions) costs one warning per build and the stage runs or is not stored, never a failed
build.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple, Optional

from rustwheel import __version__, ui
from rustwheel.cache import pending
from rustwheel.cache.entries import ActionEntry
from rustwheel.cache.keys import CacheSpec, action_key, label, unlabel
from rustwheel.cache.layout import StorePaths
from rustwheel.cache.store import LocalStore, Store, restore_files, store_files
from rustwheel.errors import CacheError
from rustwheel.freshness.facts import DigestCache, of_stat
from rustwheel.freshness.records import Observed, env_digest

if TYPE_CHECKING:
    from rustwheel.cache.remote import HttpRemote
    from rustwheel.cache.remoteconfig import RemoteConfig
    from rustwheel.freshness.facts import Facts
    from rustwheel.options import BuildOptions

STORE_LAYOUT_VERSION = 1
_warned: set[str] = set()


def reset_warnings() -> None:
    """A new build: a store problem is worth one warning again."""
    _warned.clear()


class _Remote:
    """The remote store of this process's build (`use_remote`); not set: the environment's
    (a user's dodo.py, a worker process that did not inherit it)."""

    resolved = False
    config: Optional[RemoteConfig] = None
    client: Optional[HttpRemote] = None


def use_remote(opts: BuildOptions) -> None:
    """A build starts: its remote store (``--remote-cache``, the environment, the user's
    config file), asked again from scratch (an earlier build's failure is forgotten)."""
    from rustwheel.cache.remoteconfig import from_environment

    _Remote.config = from_environment(opts.remote_cache, opts.remote_cache_read_only,
                                      opts.no_cache)
    _Remote.client, _Remote.resolved = None, True


def _store(spec: CacheSpec) -> Store:
    """The local store of ``spec``, with the build's remote store behind it if one is set."""
    local = LocalStore(Path(spec.cache_dir), max_size=_max_size(), warn=ui.warn)
    if not _Remote.resolved:
        from rustwheel.cache.remoteconfig import from_environment

        _Remote.config, _Remote.resolved = from_environment(None, False, False), True
    if _Remote.config is None:
        return local
    from rustwheel.cache.remote import HttpRemote, LayeredStore

    if _Remote.client is None:
        _Remote.client = HttpRemote(_Remote.config, ui.warn)
    return LayeredStore(local, _Remote.client, ui.warn)


def _warn_once(spec: CacheSpec, doing: str, exc: BaseException) -> None:
    if spec.cache_dir in _warned:
        return
    _warned.add(spec.cache_dir)
    reason = getattr(exc, "strerror", None) or str(exc)
    ui.warn(f"cannot {doing} the build cache at {spec.cache_dir} ({reason}); building without "
            "it: free some space or fix its permissions (or pass --no-cache)")


def _max_size() -> int:
    """The size bound (checked when the build's options were resolved)."""
    from rustwheel.cache.location import DEFAULT_MAX_SIZE, max_size

    try:
        return max_size(os.environ)
    except CacheError:
        return DEFAULT_MAX_SIZE


class Hit(NamedTuple):
    entry: ActionEntry
    inputs: tuple[str, ...]
    env: tuple[str, ...]


class Storage:
    """One stage run's use of the store: ``stage`` is the versioned stage name in keys,
    ``tools`` the versions of the tools the result depends on."""

    def __init__(self, spec: CacheSpec, stage: str, tools: Mapping[str, str],
                 store: Optional[Store] = None) -> None:
        self.spec = spec
        self.stage = stage
        self.tools = {**spec.tools, **tools}
        self.store: Store = store if store is not None else _store(spec)

    def _key(self, stage: str, inputs: Mapping[str, str], env: Optional[Mapping[str, object]],
             ) -> str:
        plan = {"fingerprint": self.spec.fingerprint, **({"env": env} if env is not None else {})}
        return action_key(stage, STORE_LAYOUT_VERSION, plan, inputs, self.tools, __version__)

    def _digests(self, paths: Iterable[str],
                 seen: Mapping[str, os.stat_result] = MappingProxyType({}),
                 ) -> Optional[dict[str, str]]:
        """label -> content digest for every path (``seen``: stats just taken); None if one is
        missing."""
        cache = DigestCache.shared()
        try:
            return {label(p, self.spec.roots): cache.digest(p, seen.get(p)) for p in paths}
        except OSError:
            return None

    def lookup(self, known_inputs: Sequence[str],
               seen: Mapping[str, os.stat_result] = MappingProxyType({})) -> Optional[Hit]:
        """A stored result whose recorded inputs all match the files on disk now (``seen``:
        stats of them just taken)."""
        try:
            return self._lookup(known_inputs, seen)
        except (OSError, CacheError) as exc:
            _warn_once(self.spec, "read", exc)
            return None

    def _lookup(self, known_inputs: Sequence[str], seen: Mapping[str, os.stat_result],
                ) -> Optional[Hit]:
        known = self._digests(known_inputs, seen)
        manifest = None if known is None else self.store.get_action(
            self._key(f"{self.stage}-manifest", known, None))
        if manifest is None:
            return None
        paths = tuple(unlabel(p, self.spec.roots) for p in manifest.meta.get("inputs", []))
        env_names = tuple(manifest.meta.get("env", []))
        found = self._digests(paths, seen)
        env = {name: env_digest(os.environ.get(name)) for name in env_names}
        entry = None if found is None else self.store.get_action(self._key(self.stage, found, env))
        return None if entry is None else Hit(entry, paths, env_names)

    def restore(self, hit: Hit, dest: Path) -> Optional[dict[str, Path]]:
        """Write the hit's outputs under ``dest``; their paths by name, None on a bad blob."""
        try:
            if not restore_files(self.store, hit.entry, dest):
                return None
        except OSError as exc:
            _warn_once(self.spec, "read", exc)
            return None
        return {out.name: dest.joinpath(*out.name.split("/")) for out in hit.entry.outputs}

    def save(self, known_inputs: Sequence[str], observed: Observed,
             outputs: Mapping[str, Path]) -> None:
        """Store ``outputs`` under the key of the inputs as the stage read them, and the
        manifest that leads there; nothing when an input changed while the stage ran."""
        if not observed.clean:
            return
        by_path = observed.digests()
        if any(p not in by_path for p in known_inputs):
            return  # a known input vanished while building
        try:
            versions = {name: of_stat(os.stat(path)) for name, path in outputs.items()}
        except OSError:
            return  # an output is already gone
        paths: Optional[StorePaths] = getattr(self.store, "paths", None)  # a local directory
        # The keys too are made by the writer (after the command, `pending.Writes`): with
        # 3,000 python files, labelling and hashing the inputs is a few milliseconds.
        known = tuple(known_inputs)
        pending.WRITES.add(paths, lambda: self._put(by_path, known, observed.env, outputs,
                                                    versions))

    def _put(self, by_path: Mapping[str, str], known_inputs: Sequence[str],
             env: Mapping[str, Optional[str]], outputs: Mapping[str, Path],
             versions: Mapping[str, Facts]) -> None:
        """Store the outputs if they are still the files the stage wrote (a later build may
        have replaced them when this runs after the command, see `pending.Writes`), under the
        key of ``by_path`` (the inputs' digests as the stage read them), and the manifest
        that leads there from ``known_inputs``."""
        roots = self.spec.roots
        found = {label(p, roots): d for p, d in by_path.items()}
        known = {label(p, roots): by_path[p] for p in known_inputs}
        manifest = ActionEntry(stage=f"{self.stage}-manifest", outputs=(),
                               meta={"inputs": sorted(found), "env": sorted(env)})
        try:
            if not _unchanged(outputs, versions):
                return
            entry = store_files(self.store, self.stage, outputs, {})
            if not _unchanged(outputs, versions):
                return
            self.store.put_action(self._key(self.stage, found, env), entry)
            self.store.put_action(self._key(f"{self.stage}-manifest", known, None), manifest)
        except (OSError, CacheError) as exc:
            _warn_once(self.spec, "write", exc)


def _unchanged(outputs: Mapping[str, Path], versions: Mapping[str, Facts]) -> bool:
    try:
        return all(of_stat(os.stat(path)) == versions[name] for name, path in outputs.items())
    except OSError:
        return False
