"""What the task layer needs from a stage: the interface every stage's ``run.py`` implements.

A stage is planned once (its frozen plan dataclass, written as a plan file) and run as a doit
task. The task layer (`rustwheel.tasks.execute`) loads the plan, asks the stage for a `Job`,
and does the rest the same way for every stage: look the result up in the store, restore it
or run the job, record what was read and written (`rustwheel.freshness.records`), store the
result. A job only does its own work and says what it read and wrote.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple, Optional, Protocol, Union

from rustwheel.cache.keys import CacheSpec

if TYPE_CHECKING:
    from rustwheel.freshness.facts import Facts

JsonValue = Union[str, int, float, bool, None, Sequence["JsonValue"], Mapping[str, "JsonValue"]]
_NONE: Mapping[str, Any] = MappingProxyType({})


class StagePlan(Protocol):
    """The fields every stage plan has."""

    @property
    def cell(self) -> str: ...

    @property
    def inputs_record(self) -> str:
        """Path of the stage's record (`rustwheel.freshness.records`)."""

    @property
    def cache(self) -> Optional[CacheSpec]:
        """The store to consult, or None when caching is off."""


class StageRun(NamedTuple):
    """What one run (or restore) of a stage produced."""

    outputs: Mapping[str, Path]
    """The files that go to the store, by their name relative to the job's ``output_dir``."""
    inputs: Sequence[str] = ()
    """Files read besides the job's ``known_inputs`` (e.g. cargo's dep-info list)."""
    env: Sequence[str] = ()
    """Environment variables whose values the result depends on (build scripts' declared)."""
    probed: Sequence[str] = ()
    """Paths whose presence or absence decided the result (a file appearing is a change)."""
    touched: Mapping[str, int] = _NONE
    """Inputs the stage itself touched while running, with the mtime it set (not edits)."""
    judged: Mapping[str, Facts] = _NONE
    """Inputs used by their facts alone, never read (members the wheel stage copied from the
    last wheel): recorded with the facts they were judged by, not stat'ed again."""
    side_outputs: Sequence[str] = ()
    """Files written but not stored (e.g. the wheel stage's record of the wheel's name)."""
    values: Mapping[str, JsonValue] = _NONE
    """The doit task's values (plain JSON)."""


class Job(Protocol):
    """One run of a stage for one plan."""

    @property
    def plan(self) -> StagePlan: ...

    @property
    def store_name(self) -> str:
        """The stage's name in store keys (versioned when its output format changes)."""

    @property
    def known_inputs(self) -> Sequence[str]:
        """Inputs known before running: the store lookup starts from their digests."""

    @property
    def output_dir(self) -> Path:
        """Where the outputs live (a restore writes them there)."""

    def tools(self) -> Mapping[str, str]:
        """Versions of tools the result depends on, beyond those in the plan's cache spec."""

    def consults_store(self, seen: Mapping[str, os.stat_result]) -> bool:
        """Whether a stored result is looked up before running: its key takes the digest of
        every input, which can cost more than running (``seen``: as for `run`)."""

    def run(self, seen: Mapping[str, os.stat_result]) -> StageRun:
        """Run the stage; ``seen``: stats of its inputs the up-to-date check took a moment
        ago, which it may use instead of stating them again."""

    def restored(self, outputs: Mapping[str, Path]) -> StageRun:
        """Finish a result restored from the store into ``output_dir`` (``outputs``)."""


class Stage(Protocol):
    """A stage module's entry point: ``job(plan_text)`` decodes the plan file."""

    def job(self, plan_text: str) -> Job: ...
