"""The wheel stage's work: `job()` (see the package docstring)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Optional

from rustwheel.freshness.facts import facts
from rustwheel.plan import codec
from rustwheel.spec.compression import Compression
from rustwheel.stages.stage import StageRun
from rustwheel.stages.wheel.plan import FileItem, WheelPlan, collision, retagged, unique_files

if TYPE_CHECKING:
    from rustwheel.freshness.facts import Facts
    from rustwheel.spec.lastwheel import KeptEntry, LastWheel
    from rustwheel.spec.wheelfile import WheelEntry


def _repaired(plan: WheelPlan) -> WheelPlan:
    """The plan as the repair stage's manifest says: final tag, patched binaries, libraries."""
    if plan.repair is None:
        return plan
    from rustwheel.stages.repair.plan import read_manifest

    manifest = read_manifest(plan.repair)
    base = Path(plan.repair).parent  # the manifest's paths are relative to its directory
    replace: dict[str, str] = manifest["replace"]
    files = [f._replace(source=str(base / replace[f.archive_path]))
             if f.archive_path in replace else f for f in plan.files]
    files += [FileItem(archive, str(base / rel))
              for archive, rel in sorted(manifest["add"].items())]
    out = retagged(plan, manifest["platform"])
    return out._replace(files=tuple(unique_files(files, list(out.generated))))


def preload() -> None:
    """Import what `WheelJob.run` imports (`rustwheel.tasks.execute.preload`)."""
    import concurrent.futures.thread  # noqa: F401 (deflate's workers)

    from rustwheel.spec import compression, lastwheel, wheelfile  # noqa: F401


def entries(plan: WheelPlan, last: Optional[LastWheel] = None,
            seen: Mapping[str, os.stat_result] = MappingProxyType({}),
            kept: Optional[Mapping[str, KeptEntry]] = None) -> list[WheelEntry]:
    """The wheel's members; those ``last`` (the last wheel) holds unchanged are not read.
    ``seen``: stats of the sources taken just before (not taken again); ``kept``: the
    members ``last`` holds as they are, when already known (`LastWheel.kept_all`)."""
    from rustwheel.spec.membercache import load_member
    from rustwheel.spec.wheelfile import Entry

    if kept is None:
        kept = last.kept_all(plan.files, seen) if last is not None else {}
    out: list[WheelEntry] = [kept.get(item.archive_path)
                             or load_member(item.archive_path, item.source, item.executable, last,
                                            seen.get(item.source))
                             for item in plan.files]
    for gen in plan.generated:
        out.append(Entry(gen.archive_path, gen.content.encode("utf-8")))
    lists = [*([plan.out_dir_files] if plan.out_dir_files else []), *plan.generated_lists]
    if lists:
        from rustwheel.stages.compile.outdir import read_manifest

        taken = {item.archive_path: item.source for item in plan.files}
        taken.update((gen.archive_path, "a file rustwheel generates") for gen in plan.generated)
        for staged in (s for manifest in lists for s in read_manifest(manifest)):
            if staged.archive_path in taken:
                raise collision(staged.archive_path, taken[staged.archive_path], staged.origin)
            taken[staged.archive_path] = staged.origin
            out.append(load_member(staged.archive_path, staged.source, staged.executable, last))
    return out


_LOCAL_SHARE = 0.95
"""The share of the package's files the last wheel must hold as they are for the wheel to be
written from it without looking the result up in the store first."""


def _with_store_writes(plan: WheelPlan) -> Optional[Callable[[Callable[[], None]], None]]:
    """Writes only the next wheel reads (the last wheel's index): kept with the store's, so
    that the command does not wait for them (`rustwheel.cache.pending`)."""
    if plan.cache is None:
        return None
    from rustwheel.cache.layout import StorePaths
    from rustwheel.cache.pending import WRITES

    paths = StorePaths(Path(plan.cache.cache_dir))
    return lambda write: WRITES.add(paths, write)


class WheelJob:
    """The reproducible wheel (written atomically) is the output, its path recorded in
    ``wheel.json``; the inputs are every member's source. The repair manifest (a file_dep of
    the task) is read for the final tag and files but left out of the store key: it names
    checkout paths, and its platform is in the store name instead."""

    def __init__(self, plan: WheelPlan) -> None:
        self.planned = plan
        self.plan = _repaired(plan)
        self.known_inputs = [f for f in self.plan.input_files() if f != plan.repair]
        self.output_dir = Path(self.plan.output).parent
        platform = self.plan.tag.rsplit("-", 1)[1]
        self.store_name = "wheel" if plan.repair is None else f"wheel@{platform}"
        self.method = Compression(plan.compression, plan.compression_level)
        self._last: Optional[LastWheel] = None
        self._kept: Optional[Mapping[str, KeptEntry]] = None
        """The members the last wheel holds as they are (`consults_store` found them)."""

    def tools(self) -> dict[str, str]:
        from rustwheel.spec.zipwriter import ZLIB_NG_VERSION

        return {"zlib-ng": ZLIB_NG_VERSION}  # the deflate that wrote the stored wheel

    def _written(self, outputs: Mapping[str, Path],
                 judged: Mapping[str, Facts] = MappingProxyType({})) -> StageRun:
        """Record where the wheel is (its tag was known only after repair)."""
        from rustwheel.atomic import write_bytes

        record = (json.dumps({"wheel": self.plan.output}) + "\n").encode()
        write_bytes(Path(self.plan.record), record)
        # The facts of the wheel file: a user task with ``result_dep("wheel")`` runs again
        # when the wheel was rewritten.
        written = list(facts(self.plan.output) or ())
        return StageRun(outputs, side_outputs=[self.plan.record], judged=judged,
                        values={"wheel": self.plan.output, "written": written})

    def _last_wheel(self) -> Optional[LastWheel]:
        """The last wheel of this cell (its members to copy), opened once."""
        if self._last is None and self.plan.member_cache:
            from rustwheel.spec.lastwheel import LastWheel
            from rustwheel.spec.wheelfile import zip_timestamp

            stamp = f"{self.method.tag}:{zip_timestamp(self.plan.source_date_epoch)}"
            self._last = LastWheel(Path(self.plan.member_cache), stamp)
        return self._last

    def consults_store(self, seen: Mapping[str, os.stat_result]) -> bool:
        """Not while the last wheel holds the package's files as they are, but for a few
        (`_LOCAL_SHARE`): copying them costs less than the store key, which takes the
        digest of every input (4 ms at 3,000 python files). The store is looked up after a
        larger change (a branch switch) and in a new checkout, which has no last wheel."""
        last = self._last_wheel()
        if last is None or not self.plan.files:
            return True
        self._kept = last.kept_all(self.plan.files, seen)
        return len(self._kept) < _LOCAL_SHARE * len(self.plan.files)

    def run(self, seen: Mapping[str, os.stat_result]) -> StageRun:
        from rustwheel.spec.lastwheel import KeptEntry
        from rustwheel.spec.wheelfile import MemberCache, write_wheel

        plan = self.plan
        output = Path(plan.output)
        members = MemberCache(Path(plan.member_cache), self.method) if plan.member_cache else None
        last = self._last_wheel()
        members_in = entries(plan, last, seen, self._kept)
        write_wheel(output, members_in, plan.dist_info, plan.source_date_epoch, members,
                    self.method, last, _with_store_writes(plan))
        # Members copied from the last wheel were judged by their facts, never read.
        judged = {e.source: e.facts for e in members_in if isinstance(e, KeptEntry)}
        return self._written({output.name: output}, judged)

    def restored(self, outputs: Mapping[str, Path]) -> StageRun:
        if self._last is not None:
            self._last.close()
        return self._written(outputs)


def job(plan_text: str) -> WheelJob:
    return WheelJob(codec.loads(WheelPlan, plan_text))
