"""What the no-op stamp watches, derived from the task graph, never listed by hand.

The stamp of a successful build holds the facts of every file the graph declares (each task's
``file_dep`` and ``targets``) and every file its stages recorded (`Recorded` items in a task's
``uptodate``: the inputs a stage read, including those known only after it ran, and the outputs
it wrote). A new stage input is watched as soon as a stage declares or records it.

A recorded input is watched only while it has the content the stage read (its facts, or when
they moved, its digest): if it changed in between, the stamp would pair new content with an
old output, so no stamp is written at all (the next build runs the graph, which reruns the
stage).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Optional

from rustwheel.freshness import records
from rustwheel.freshness.facts import DigestCache, facts
from rustwheel.freshness.records import Recorded
from rustwheel.freshness.records import Watched as WatchedRecord

Watched = dict[str, Optional[list[int]]]


def _recorded(task: Mapping[str, Any]) -> Iterable[Recorded]:
    return (u for u in task.get("uptodate", ()) if isinstance(u, Recorded))


def _from_record(record_path: str) -> Optional[Watched]:
    """The record's files with their facts now, provided each still has the content the stage
    read (an absent probe must stay absent: None); None when there is no clean record, a file
    changed since its stage read it, or build scripts declared environment variables (their
    values are not part of the stamp)."""
    mine = records.written(record_path)
    data = mine if mine is not None else records.read(record_path)
    if data is None or data["env"]:
        return None
    cache = DigestCache.shared()
    out: Watched = {}
    for path, entry in data["inputs"].items():
        # A record this build wrote: its facts were taken after its stage ran, the latest a
        # stamp may trust (an edit since then shows at the next build as a change).
        if mine is not None and entry[3] not in (None, records.ABSENT):
            out[path] = entry[:3]
            continue
        now = facts(path)
        if entry[3] == records.ABSENT and now is None:
            out[path] = None
            continue
        if entry[3] is None or now is None:
            return None  # changed while its stage ran, or since
        if list(now) != entry[:3] and cache.digest(path) != entry[3]:
            return None  # new content: a stamp would pair it with the old output
        out[path] = list(now)
    for path, recorded in data["outputs"].items():
        if list(facts(path) or ()) != recorded:
            return None  # an output was replaced
        out[path] = recorded
    return out


def declared(tasks: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every file the tasks declare: their ``file_dep`` and ``targets``."""
    found: set[str] = set()
    for task in tasks:
        found.update(task.get("file_dep", ()))
        found.update(task.get("targets", ()))
    return sorted(found)


def watched(tasks: Iterable[Mapping[str, Any]], resolution: Optional[Watched] = None,
            ) -> Optional[Watched]:
    """The stamp's files and facts after a successful build of ``tasks``; None when no stamp
    can be trusted (a record is missing or unclean, or a recorded file changed since).
    ``resolution``: what this build's plan was resolved from (the plan stamp's files), taken
    instead of detect's record: resolving again to the same plan (after a new file in the
    project directory) leaves detect, and so its record, as they were."""
    tasks = list(tasks)
    out: Watched = {}
    for task in tasks:
        for item in _recorded(task):
            if resolution is not None and isinstance(item, WatchedRecord):
                out.update(resolution)
                continue
            recorded = _from_record(item.record_path)
            if recorded is None:
                return None
            out.update(recorded)
    for path in declared(tasks):
        if path not in out:
            current = facts(path)
            out[path] = list(current) if current is not None else None
    return out
