"""What the no-op stamp watches, derived from the task graph, never listed by hand.

The stamp of a successful build holds the facts of every file the graph declares (each task's
``file_dep`` and ``targets``) and every file its stages recorded (`Recorded` items in a task's
``uptodate``: the inputs a stage read, including those known only after it ran, and the outputs
it wrote). A new stage input is watched as soon as a stage declares or records it.

A recorded input is watched with the facts the stage saw when it read it, not the facts it has
when the build ends: if it changed in between, the stamp would pair new content with an old
output, so no stamp is written at all (the next build runs the graph, which reruns the stage).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Optional

from rustwheel.freshness import records
from rustwheel.freshness.facts import facts
from rustwheel.freshness.records import Recorded

Watched = dict[str, Optional[list[int]]]


def _recorded(task: Mapping[str, Any]) -> Iterable[Recorded]:
    return (u for u in task.get("uptodate", ()) if isinstance(u, Recorded))


def _from_record(record_path: str) -> Optional[Watched]:
    """The record's files with the facts the stage saw (None for an absent probe); None when
    there is no clean record, or when build scripts declared environment variables (their
    values are not part of the stamp)."""
    data = records.read(record_path)
    if data is None or data["env"]:
        return None
    out: Watched = {}
    for path, entry in data["inputs"].items():
        if entry[3] is None:
            return None  # changed while the stage ran
        out[path] = None if entry[3] == records.ABSENT else list(entry[:3])
    out.update((path, list(f)) for path, f in data["outputs"].items())
    return out


def declared(tasks: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every file the tasks declare: their ``file_dep`` and ``targets``."""
    found: set[str] = set()
    for task in tasks:
        found.update(task.get("file_dep", ()))
        found.update(task.get("targets", ()))
    return sorted(found)


def watched(tasks: Iterable[Mapping[str, Any]]) -> Optional[Watched]:
    """The stamp's files and facts after a successful build of ``tasks``; None when no stamp
    can be trusted (a record is missing or unclean, or a recorded file changed since)."""
    tasks = list(tasks)
    out: Watched = {}
    for task in tasks:
        for item in _recorded(task):
            recorded = _from_record(item.record_path)
            if recorded is None:
                return None
            out.update(recorded)
    if any(facts(path) != (tuple(f) if f else None) for path, f in out.items()):
        return None  # changed after its stage read it
    for path in declared(tasks):
        if path not in out:
            current = facts(path)
            out[path] = list(current) if current is not None else None
    return out
