"""`rustwheel.build`: the one way into a build, for the CLI, develop, the build backend and
scripts.

    import rustwheel
    result = rustwheel.build(release=True, out="dist")
    print(result.wheels)

The options are those of ``rustwheel build`` (`BuildOptions`). A build resolves the
configuration into a plan (or reuses the last identical build's plan while nothing it was
resolved from changed), runs the plan's task graph with doit, and returns a `BuildResult`.
When every file the last identical build involved is unchanged (the no-op stamp), nothing runs.
User errors are `RustwheelError` exceptions; a failed stage raises `BuildError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Optional

from rustwheel import ui
from rustwheel.freshness import stamp
from rustwheel.freshness.stamp import stamp_of, stamps_of
from rustwheel.options import BuildOptions
from rustwheel.results import BuildError, BuildResult, StageResult

__all__ = ["BuildError", "BuildOptions", "BuildResult", "StageResult", "build", "publish",
           "sdist", "stamp_of"]


def _options(options: Optional[BuildOptions], kwargs: Mapping[str, Any]) -> BuildOptions:
    if options is None:
        return BuildOptions(**kwargs)
    if kwargs:
        raise TypeError("pass either a BuildOptions or keyword options, not both")
    return options


def build(options: Optional[BuildOptions] = None, /, **kwargs: Any) -> BuildResult:
    """Build the wheel(s) the options describe: a `BuildOptions`, or its fields as keywords
    (``rustwheel.build(release=True, out="dist")``)."""
    opts = _options(options, kwargs)
    with ui.collecting() as warnings:
        result = _build_via_sdist(opts) if opts.sdist else _build(opts, use_stamps=True)
    return result._replace(warnings=(*warnings, *result.warnings))


def publish(options: BuildOptions, uploads: Callable[[list[str]], Iterator[dict[str, Any]]],
            ) -> BuildResult:
    """``rustwheel publish``: the build of ``options`` (with the sdist when ``options.sdist``)
    and, in the same task graph, ``uploads(files)``: the ``upload:<file>`` tasks of the
    wheels and sdist it wrote, created once they are built (none when a stage failed)."""
    from rustwheel.engine import run_publish

    with ui.collecting() as warnings:
        result = run_publish(options, uploads)
    return result._replace(warnings=(*warnings, *result.warnings))


def sdist(options: Optional[BuildOptions] = None, /, **kwargs: Any) -> Path:
    """Write the project's source distribution; its path. Options as for `build` (those
    that choose the project, ``out`` and ``offline`` apply)."""
    return Path(_write_sdist(_options(options, kwargs)).output)


def _write_sdist(opts: BuildOptions) -> Any:
    from rustwheel.config.options import resolve_config
    from rustwheel.stages import sdist as sdist_stage

    plan = sdist_stage.make_plan(resolve_config(opts))
    sdist_stage.run(plan)
    return plan


def _build_via_sdist(opts: BuildOptions) -> BuildResult:
    """Write the sdist, unpack it and build the wheels from it, in one graph (into the usual
    output directory, with the crate's target directory): proof that the sdist holds
    everything the build needs."""
    from rustwheel.engine import run_sdist_build

    return run_sdist_build(opts)


def _no_op(opts: BuildOptions, stamps: tuple[Path, Path]) -> Optional[BuildResult]:
    """The result of the last identical build, if nothing it involved changed since. Else,
    when only the Rust sources changed, cargo is started at once (`stages.compile.early`)."""
    from rustwheel.cache.pending import settle_root

    build_stamp = stamps[0]
    settle_root(stamp.store_root(build_stamp))  # the last command may still be writing it
    data = stamp.read_any(build_stamp)
    if data is None:
        return None
    if not stamp.is_fresh(data):
        launch = data.get("early")
        in_process = not opts.jobs or opts.jobs == 1  # doit's workers cannot take it over
        if in_process and isinstance(launch, dict) \
                and stamp.any_changed(data, launch.get("inputs", ())) \
                and stamp.read_fresh(stamps[1]) is not None:
            from rustwheel.stages.compile import early

            early.start(launch)
        return None
    stages = tuple(StageResult(t, "up to date") for t in data["tasks"])
    if not opts.quiet:
        for s in stages:
            ui.stage_line(s.status, s.task)
    if opts.timings:  # every stage up to date
        from rustwheel import timings

        timings.write(opts.timings, stages, wall=0.0)
    return BuildResult(tuple(Path(w) for w in data["wheels"]), stages, shortcut="no-op",
                       stamp=build_stamp)


def _build(opts: BuildOptions, use_stamps: bool) -> BuildResult:
    stamps = stamps_of(opts) if use_stamps else None
    if stamps is not None:
        done = _no_op(opts, stamps)
        if done is not None:
            return done
    from rustwheel.engine import run_build  # here: a no-op build imports none of it

    return run_build(opts, stamps)
