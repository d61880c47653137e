"""A stage's record: what it read and what it wrote, checked cheaply on the next run.

Every stage task (and detect) keeps one record file. It holds, for each input the stage read
(the files its plan names and those it learns only while running, such as cargo's dep-info
list), the file's facts and content digest; for each output, its facts; and digests of the
environment variables build scripts declared. `Recorded` is the task's doit ``uptodate`` check:
the stage is up to date while every input has the recorded content (a touched file is hashed
again, an unchanged one is only stat'ed), every output is still the file the stage wrote, and no
declared variable changed. The no-op stamp and the store key are made from the same records
(`rustwheel.freshness.watch`, `rustwheel.tasks.storage`), so the three agree by construction.

**Edits made while a stage runs.** The content a stage read is the content its record must
hold. Before it runs, the task layer takes the facts of every input it can name (those the plan
knows, and those the last run recorded: `snapshot`); an input whose facts differ afterwards was
written while the stage ran. An input first seen afterwards (a new file in cargo's dep-info
list) is judged by its mtime against the stage's start (`facts.clock`), as cargo does. Either
way its digest is recorded as unknown: the record is *unclean*, the next build runs the stage
again, and neither the store nor the no-op stamp is given this result. Files below ``exempt``
directories (the cargo target dir, where cargo and rustwheel write while building) are build
products, not edits, and so are inputs the stage touched itself (``touched``).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import suppress
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple, Optional

from rustwheel.atomic import write_if_changed
from rustwheel.freshness import statefile
from rustwheel.freshness.facts import DigestCache, facts, of_stat

if TYPE_CHECKING:
    from rustwheel.freshness.facts import Facts

FORMAT = 3
ABSENT = "absent"
"""The digest recorded for a probed path that did not exist: its appearance is a change."""
Json = dict[str, Any]


def env_digest(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    return hashlib.sha256(value.encode("utf-8", "surrogateescape")).hexdigest()[:16]


class Observed(NamedTuple):
    """Inputs as a stage read them: ``path -> [inode, size, mtime_ns, digest or None]``."""

    inputs: dict[str, list[Any]]
    env: dict[str, Optional[str]]

    @property
    def clean(self) -> bool:
        """No input changed while the stage ran."""
        return all(entry[3] is not None for entry in self.inputs.values())

    def digests(self) -> dict[str, str]:
        """The digests of the inputs known (absent probes and raced inputs left out)."""
        return {path: str(entry[3]) for path, entry in self.inputs.items()
                if entry[3] not in (None, ABSENT)}

    def to_json(self) -> Json:
        return {"inputs": self.inputs, "env": self.env}


def _under(path: str, dirs: tuple[str, ...]) -> bool:
    return any(path.startswith(d) for d in dirs)


class _Before(Mapping[str, Optional["Facts"]]):
    """`snapshot`'s facts: those of the stats already taken made only when asked for (a
    stage asks for few: the wheel stage's members copied from the last wheel, none)."""

    def __init__(self, paths: Iterable[str], seen: Mapping[str, os.stat_result]) -> None:
        self._seen = seen
        self._paths = set(paths)
        self._taken = {path: facts(path) for path in self._paths if path not in seen}

    def __getitem__(self, path: str) -> Optional[Facts]:
        if path in self._taken:
            return self._taken[path]
        if path not in self._paths:
            raise KeyError(path)
        return of_stat(self._seen[path])

    def __contains__(self, path: object) -> bool:
        return path in self._paths

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


def snapshot(paths: Iterable[str], seen: Mapping[str, os.stat_result] = MappingProxyType({}),
             ) -> Mapping[str, Optional[Facts]]:
    """The facts of ``paths`` before a stage runs (None: missing); ``seen``: stats taken just
    before (`checked`), not taken again, of paths among ``paths``."""
    return _Before(paths, seen)


class Run(NamedTuple):
    """How to judge whether an input was written while a stage ran."""

    since: int
    """The stage's start on the filesystem clock."""
    before: Mapping[str, Optional[Facts]] = MappingProxyType({})
    """Facts taken before the stage ran (`snapshot`)."""
    exempt: tuple[str, ...] = ()
    """Directories where the build itself writes."""
    touched: Mapping[str, int] = MappingProxyType({})
    """Inputs the stage touched itself, with the mtime it set."""

    def raced(self, path: str, st: os.stat_result) -> bool:
        if _under(path, self.exempt) or self.touched.get(path) == st.st_mtime_ns:
            return False
        if path in self.before:
            return self.before[path] != of_stat(st)
        return st.st_mtime_ns >= self.since


def observe(inputs: Iterable[str], env_names: Iterable[str] = (), *, since: int,
            exempt: Iterable[str] = (), probed: Iterable[str] = (),
            touched: Mapping[str, int] = MappingProxyType({}),
            before: Mapping[str, Optional[Facts]] = MappingProxyType({}),
            judged: Mapping[str, Facts] = MappingProxyType({})) -> Observed:
    """The facts and digests of ``inputs`` now, for a stage that started at ``since``
    (`facts.clock`) and saw ``before`` (`snapshot`). Missing inputs are left out (they were
    transient); a missing ``probed`` path (one whose presence decides the result) is recorded
    as absent. An input the stage ``judged`` by its facts alone, never reading it, keeps those
    facts when their digest is known: what it holds now does not matter to this result (if
    it changed meanwhile, the next check sees other facts)."""
    cache = DigestCache.shared()
    run = Run(since, before, tuple(os.path.join(str(d), "") for d in exempt), touched)
    entries: dict[str, list[Any]] = {}
    for path in sorted({*inputs, *probed}):
        used = judged.get(path)
        digest = cache.known(path, used) if used is not None else None
        if used is not None and digest is not None:
            entries[path] = [*used, digest]
            continue
        try:
            st = os.stat(path)
        except OSError:
            if path in probed:
                entries[path] = [0, 0, 0, ABSENT]
            continue
        entries[path] = [*of_stat(st), None if run.raced(path, st) else cache.digest(path, st)]
    env = {name: env_digest(os.environ.get(name)) for name in sorted(set(env_names))}
    return Observed(entries, env)


def _record(fingerprint: str, observed: Observed, outputs: Iterable[str]) -> Json:
    out = {p: list(f) for p in sorted(set(outputs)) if (f := facts(p)) is not None}
    return {"format": FORMAT, "fingerprint": fingerprint, **observed.to_json(), "outputs": out}


def dumps(fingerprint: str, observed: Observed, outputs: Iterable[str] = ()) -> bytes:
    """The record of one stage run: its inputs as observed, its outputs as they are now."""
    return statefile.encode(_record(fingerprint, observed, outputs))


_WRITTEN: dict[str, tuple[Facts, Json]] = {}
"""The records this process wrote, with the facts of the record file then."""


def write(record_path: str, fingerprint: str, observed: Observed,
          outputs: Iterable[str] = ()) -> None:
    data = _record(fingerprint, observed, outputs)
    write_if_changed(Path(record_path), statefile.encode(data))
    written = facts(record_path)
    if written is not None:
        _WRITTEN[record_path] = (written, data)


def written(record_path: str) -> Optional[Json]:
    """The record as this process wrote it, while the file is still that one (not decoded
    again); None otherwise. Its input facts are those observed right after the stage ran."""
    known = _WRITTEN.get(record_path)
    return known[1] if known is not None and facts(record_path) == known[0] else None


def read(record_path: str) -> Optional[Json]:
    data = statefile.read(Path(record_path))
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    return data


_CHECKED: dict[str, tuple[Json, dict[str, os.stat_result]]] = {}
"""The last `changes` check: its record and the stats it took, by record path."""


def checked(record_path: str) -> tuple[Optional[Json], dict[str, os.stat_result]]:
    """The record and input stats of the check just made of ``record_path`` (doit evaluates a
    task's ``uptodate`` right before running it), taken once: the stage starts from them
    instead of reading the record and stating every input again. (None, {}) when the last
    check was of another record."""
    return _CHECKED.pop(record_path, (None, {}))


def _stats(paths: Iterable[str]) -> dict[str, os.stat_result]:
    """The stat of each path that exists."""
    stat = os.stat
    try:
        return {path: stat(path) for path in paths}  # the usual case, in one comprehension
    except OSError:
        pass
    out = {}
    for path in paths:
        with suppress(OSError):
            out[path] = stat(path)
    return out


def _input_changed(path: str, entry: list[Any], cache: DigestCache,
                   st: Optional[os.stat_result]) -> bool:
    """Whether an input whose facts differ from ``entry`` (its record) has other content."""
    if st is None:
        return bool(entry[3] != ABSENT)
    if entry[3] is None or entry[3] == ABSENT:
        return True
    try:
        return bool(cache.digest(path, st) != entry[3])
    except OSError:
        return True


def changes(record_path: str, fingerprint: str) -> Optional[list[str]]:
    """What changed since the record was written (``$NAME`` for a variable); None when there
    is no usable record (never written, another format or another plan)."""
    _CHECKED.clear()
    data = read(record_path)
    if data is None or data.get("fingerprint") != fingerprint:
        return None
    changed = [f"${name}" for name, value in data["env"].items()
               if env_digest(os.environ.get(name)) != value]
    inputs: dict[str, list[Any]] = data["inputs"]
    seen = _stats(inputs)
    # The facts recorded, compared field by field in one pass (this runs for every input);
    # only the inputs whose facts differ are looked at further.
    differ = [p for p, e in inputs.items()
              if (st := seen.get(p)) is None or st.st_mtime_ns != e[2] or st.st_ino != e[0]
              or st.st_size != e[1] or e[3] is None or e[3] == ABSENT]
    cache = DigestCache.shared()
    changed += [p for p in differ if _input_changed(p, inputs[p], cache, seen.get(p))]
    changed += [p for p, f in data["outputs"].items() if list(facts(p) or ()) != f]
    _CHECKED[record_path] = (data, seen)
    return changed


class Recorded:
    """doit ``uptodate`` item: True while the stage's record says nothing changed.

    Plain attributes only, so that tasks pickle for ``doit -n``."""

    def __init__(self, record_path: str, fingerprint: str) -> None:
        self.record_path = record_path
        self.fingerprint = fingerprint

    def __call__(self) -> bool:
        return changes(self.record_path, self.fingerprint) == []

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.record_path!r})"


class Watched(Recorded):
    """doit ``uptodate`` item naming a record that the no-op stamp watches but that does not
    decide whether the task runs (doit ignores a None answer): detect's record of what
    resolution read, where a new file in the project directory means "resolve again", not
    "the plan changed"."""

    def __call__(self) -> None:  # type: ignore[override]
        return None


class SameDigest:
    """doit ``uptodate`` item: True while ``digest`` (the plan's) is the one saved at the
    task's last successful run. doit's ``config_changed`` of a string, without importing
    ``doit.tools`` (and ``datetime``) on every build."""

    KEY = "_config_changed"

    def __init__(self, digest: str) -> None:
        self.digest = digest

    def configure_task(self, task: Any) -> None:
        task.value_savers.append(self._saved)

    def _saved(self) -> dict[str, str]:
        return {self.KEY: self.digest}

    def __call__(self, task: Any, values: Mapping[str, Any]) -> bool:
        return values.get(self.KEY) == self.digest

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.digest!r})"

