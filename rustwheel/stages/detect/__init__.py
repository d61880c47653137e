"""The detect stage: resolve the project once, then plan every cell.

Everything the later stages need is decided here: bindings, interpreters, layout, metadata, the
project's files for the wheel (`rustwheel.stages.detect.resolve` probes and reads them into a
`Project`), the cells to build (`rustwheel.stages.detect.cells`), then each stage's pure
`plan()` per cell (`rustwheel.plan.build`). The plans are plain data written as canonical
JSON; a later stage re-runs only when its own plan file changes.
"""

from __future__ import annotations

from rustwheel.config.options import BuildConfig
from rustwheel.plan.build import assemble
from rustwheel.plan.cells import BuildPlan
from rustwheel.stages.detect.cells import resolve_cells
from rustwheel.stages.detect.names import module_name
from rustwheel.stages.detect.resolve import env_fingerprint, resolve_project

__all__ = ["env_fingerprint", "make_plan", "module_name"]


def make_plan(cfg: BuildConfig) -> BuildPlan:
    """The build plan of ``cfg``: the project's facts resolved, every cell planned."""
    project = resolve_project(cfg)
    return assemble(project, resolve_cells(project))
