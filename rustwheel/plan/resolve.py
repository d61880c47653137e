"""A build's plan: resolved from the configuration, or the last identical build's, reused.

Resolving (`rustwheel.stages.detect`) runs ``cargo metadata``, probes the interpreter and walks
the python sources. A build with the same options, directory and environment whose resolution
inputs are unchanged (the plan stamp, `rustwheel.freshness.stamp`) reuses the plan instead.
What resolution read is detect's record (`rustwheel.freshness.records`), observed with the same
race rule as every stage: a file edited while resolving leaves no plan stamp.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from rustwheel.freshness import records, stamp
from rustwheel.freshness.facts import DigestCache, clock
from rustwheel.options import BuildOptions
from rustwheel.plan.cells import BuildPlan, written_while_building


@dataclass(frozen=True)
class Resolved:
    plan: BuildPlan
    record: str
    """detect's record, as text (written by the detect task)."""


def _observe_resolution(plan: BuildPlan, inputs: Optional[list[str]], since: int,
                        ) -> tuple[str, Optional[dict[str, Any]]]:
    """detect's record text, and the plan stamp's files (None: no plan stamp)."""
    observed = records.observe(inputs or [], since=since,
                               exempt=written_while_building(str(plan.detect_record)))
    text = records.dumps(plan.digest(), observed)
    if inputs is None or not observed.clean:
        return text, None
    files = {path: None if e[3] == records.ABSENT else list(e[:3])
             for path, e in observed.inputs.items()}
    return text, files


def _resolve(opts: BuildOptions, plan_stamp: Optional[Path], since: int) -> Resolved:
    from rustwheel.config.options import resolve_config
    from rustwheel.plan import codec
    from rustwheel.stages.detect import make_plan

    config = resolve_config(opts)
    plan = make_plan(config)
    DigestCache.shared(plan.state_dir / "file-digests.json")
    inputs = list(plan.resolution_inputs) if plan.resolution_inputs is not None else None
    text, files = _observe_resolution(plan, inputs, since)
    if plan_stamp is not None and files is not None:
        stamp.write(plan_stamp, files, plan=codec.to_plain(plan), record=text)
    return Resolved(plan, text)


def _reuse(plan_stamp: Optional[Path]) -> Optional[Resolved]:
    """The plan of the last identical build, while nothing it was resolved from changed."""
    data = stamp.read_fresh(plan_stamp) if plan_stamp is not None else None
    if data is None:
        return None
    from rustwheel.plan import codec

    try:
        plan = codec.from_plain(BuildPlan, data["plan"])
    except (KeyError, TypeError, ValueError, AttributeError):
        return None  # written by another rustwheel version: resolve anew
    DigestCache.shared(plan.state_dir / "file-digests.json")
    return Resolved(plan, str(data["record"]))


def plan_build(opts: BuildOptions, plan_stamp: Optional[Path] = None) -> Resolved:
    """The build's plan and detect's record (from the plan stamp, or resolved anew)."""
    reused = _reuse(plan_stamp)
    if reused is not None:
        return reused
    since = clock(plan_stamp.parent if plan_stamp is not None else Path(tempfile.gettempdir()))
    return _resolve(opts, plan_stamp, since)
