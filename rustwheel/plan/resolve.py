"""A build's plan: resolved from the configuration, or the last identical build's, reused.

Resolving (`rustwheel.stages.detect`) runs ``cargo metadata``, probes the interpreter and walks
the python sources. A build with the same options, directory and environment whose resolution
inputs are unchanged (the plan stamp, `rustwheel.freshness.stamp`) reuses the plan instead.
What resolution read is detect's record (`rustwheel.freshness.records`), observed with the same
race rule as every stage: a file edited while resolving leaves no plan stamp.
"""

from __future__ import annotations

import tempfile
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

from rustwheel.freshness import records, stamp, statefile
from rustwheel.freshness.facts import DigestCache, clock
from rustwheel.options import BuildOptions

if TYPE_CHECKING:
    from rustwheel.plan.cells import BuildPlan
    from rustwheel.tasks.pipeline import Graph

_DIGESTS = f"file-digests{statefile.SUFFIX}"
"""The state directory's digest index (`DigestCache`)."""


class Resolved:
    """A build's plan: its task graph as plain data (`rustwheel.tasks.pipeline.graph`), and
    the `BuildPlan` itself, decoded only when asked for (a rebuild whose plan is reused needs
    only the graph); ``files``: what resolving read, with the facts the plan stamp holds
    (None when a file changed while it was read)."""

    def __init__(self, graph: Graph, plan: Union[BuildPlan, dict[str, Any]],
                 files: Optional[dict[str, Any]] = None) -> None:
        self.graph = graph
        self._plan = plan
        self.files = files

    @property
    def state_dir(self) -> Path:
        return Path(self.graph["state_dir"])

    def build_plan(self) -> BuildPlan:
        if isinstance(self._plan, dict):
            from rustwheel.plan import codec
            from rustwheel.plan.cells import BuildPlan

            self._plan = codec.from_plain(BuildPlan, self._plan)
        return self._plan


def _observe_resolution(plan: BuildPlan, inputs: Optional[list[str]], since: int,
                        ) -> tuple[bytes, Optional[dict[str, Any]]]:
    """detect's record, and the plan stamp's files (None: no plan stamp)."""
    from rustwheel.plan.statedir import written_while_building

    observed = records.observe(inputs or [], since=since,
                               exempt=written_while_building(str(plan.detect_record)))
    record = records.dumps(plan.digest(), observed)
    if inputs is None or not observed.clean:
        return record, None
    files = {path: None if e[3] == records.ABSENT else list(e[:3])
             for path, e in observed.inputs.items()}
    return record, files


def _resolve(opts: BuildOptions, plan_stamp: Optional[Path], since: int) -> Resolved:
    from rustwheel.config.options import resolve_config
    from rustwheel.plan import codec
    from rustwheel.stages.detect import make_plan
    from rustwheel.tasks.pipeline import graph

    config = resolve_config(opts)
    plan = make_plan(config)
    DigestCache.shared(plan.state_dir / _DIGESTS)
    inputs = list(plan.resolution_inputs) if plan.resolution_inputs is not None else None
    record, files = _observe_resolution(plan, inputs, since)
    resolved = Resolved(graph(plan, record), plan, files)
    if plan_stamp is not None and files is not None:
        stamp.write(plan_stamp, files, graph=resolved.graph, plan=codec.to_plain(plan))
    return resolved


def _reuse(plan_stamp: Optional[Path]) -> Optional[Resolved]:
    """The plan of the last identical build, while nothing it was resolved from changed."""
    data = stamp.read_fresh(plan_stamp) if plan_stamp is not None else None
    if data is None or not isinstance(data.get("graph"), dict) or \
            not isinstance(data.get("plan"), dict):
        return None
    resolved = Resolved(data["graph"], data["plan"], data.get("files"))
    DigestCache.shared(resolved.state_dir / _DIGESTS)
    return resolved


def plan_build(opts: BuildOptions, plan_stamp: Optional[Path] = None) -> Resolved:
    """The build's plan (from the plan stamp, or resolved anew)."""
    reused = _reuse(plan_stamp)
    if reused is not None:
        return reused
    where = plan_stamp.parent if plan_stamp is not None else Path(tempfile.gettempdir())
    new = [p for p in (where / ".clock", where) if not p.exists()]
    since = clock(where)
    try:
        return _resolve(opts, plan_stamp, since)
    except BaseException:  # a build that fails before it runs leaves nothing in the store
        for path in new:
            with suppress(OSError):
                path.rmdir() if path.is_dir() else path.unlink()
        raise
