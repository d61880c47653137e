"""The engine behind `rustwheel.build`: plan, run the graph, leave the stamps for next time.

1. **Plan.** Reuse the resolved plan of the last identical build while nothing resolution read
   changed (the plan stamp), else resolve the configuration anew (`rustwheel.stages.detect`)
   and observe what resolution read: detect's record.
2. **Run** the plan's task graph with doit (`rustwheel.tasks`), holding the crate's state lock.
3. **Stamp.** After a successful build, write the no-op stamp: the facts of every file the
   graph declares or its stages recorded (`rustwheel.freshness.watch`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any, Optional

from rustwheel.freshness import stamp
from rustwheel.freshness.facts import DigestCache
from rustwheel.options import BuildOptions
from rustwheel.plan.resolve import Resolved, plan_build
from rustwheel.results import BuildError, BuildResult
from rustwheel.tasks.reporter import RunLog
from rustwheel.tasks.storage import reset_warnings, use_remote

Stamps = Optional[tuple[Path, Path]]
"""(no-op stamp, plan stamp) of a build, or None when the store is off."""
Uploads = Callable[[list[str]], Iterator[dict[str, Any]]]
"""``publish``: the upload tasks of the files a build wrote (`rustwheel.tasks.upload`)."""


def _execute(tasks: list[Any], state_dir: Path, opts: BuildOptions, cells: int,
             log: Optional[RunLog] = None) -> RunLog:
    """Run ``tasks`` with doit under the state dir's lock; what happened."""
    from rustwheel.tasks import statelock
    from rustwheel.tasks.runner import run_tasks

    log = log or RunLog(quiet=opts.quiet, cells=cells)
    # Every cell goes as far as it can: a failed one does not stop the others.
    jobs = opts.jobs if opts.jobs and opts.jobs > 1 else 1
    from rustwheel.stages.compile import early

    if jobs > 1:
        early.stop()  # a cargo started early: doit's workers could not take it over
    elif early.running():  # the stages' imports can be done while cargo runs
        from rustwheel.tasks.execute import preload
        from rustwheel.tasks.pipeline import STAGES

        preload(sorted({t["basename"] for t in tasks if isinstance(t, dict)
                        and t.get("actions") and t["basename"] in STAGES[1:]}))
    with statelock.locked(state_dir, quiet=opts.quiet):
        try:
            code = run_tasks(tasks, state_dir / "doit.sqlite3", log, jobs)
        finally:
            DigestCache.shared().save()
    if code != 0 and not log.failed:
        log.other_errors.append(f"doit stopped with exit code {code}")
    return log


def _failed(log: RunLog, graph: Optional[dict[str, Any]]) -> BuildError:
    """The build's error, with the wheels of the cells that did build."""
    from rustwheel.tasks.pipeline import built_wheels

    done = [r.task.split(":", 1)[1] for r in log.results if r.task.startswith("wheel:")
            and r.status in ("ran", "restored", "up to date")]
    wheels = built_wheels(graph, done) if graph is not None else []
    return BuildError(log.user_errors, log.other_errors, log.results, [Path(w) for w in wheels])


def _run(resolved: Resolved, opts: BuildOptions, uploads: Optional[Uploads] = None,
         ) -> tuple[list[dict[str, Any]], RunLog]:
    """Run the graph under the crate's state lock (and ``uploads`` of the wheels once they
    are built); (the graph's task dicts, the run's log)."""
    from rustwheel.tasks import pipeline

    tasks = list(pipeline.doit_tasks(resolved.graph))
    log = RunLog(quiet=opts.quiet, cells=len(resolved.graph["wheel_records"]))
    extra = [] if uploads is None else [_upload_task(
        lambda: pipeline.built_wheels(resolved.graph), uploads, "wheel", log)]
    _execute([*tasks, *extra], resolved.state_dir, opts, log.cells, log)
    _after_run(resolved.graph, opts, log)
    if log.failed:
        raise _failed(log, resolved.graph)
    return tasks, log


def _after_run(graph: Optional[dict[str, Any]], opts: BuildOptions, log: RunLog) -> None:
    """The summary of a matrix build and the ``--timings`` page, also when a cell failed."""
    from rustwheel.tasks.pipeline import wheels_by_cell

    wheels = wheels_by_cell(graph) if graph is not None else {}
    built = [r for r in log.results if not r.task.startswith("upload:")]  # not cells
    if not opts.quiet:
        from rustwheel.summary import print_summary

        print_summary(built, wheels, log.wall)
    if opts.timings:
        from rustwheel import timings

        timings.write(opts.timings, built, log.wall, wheels)


def _upload_task(files: Callable[[], list[str]], uploads: Uploads, after: str,
                 log: RunLog) -> Any:
    """A placeholder whose ``upload:<file>`` tasks doit creates once ``after`` ran: for
    ``files()``, or none when a stage of the build failed (a release is uploaded whole)."""
    from doit.task import DelayedLoader, Task

    def created() -> Iterator[dict[str, Any]]:
        if log.failed:
            yield {"basename": "upload", "actions": None}
            return
        yield from uploads(files())

    return Task("upload", None, loader=DelayedLoader(created, executed=after),
                doc="upload what the build wrote (created once it is built)")


def run_sdist_build(opts: BuildOptions, uploads: Optional[Uploads] = None) -> BuildResult:
    """``--sdist``: one graph that writes the sdist, unpacks it, then plans and builds the
    wheels of the unpacked tree (`rustwheel.tasks.sdist`); then ``uploads`` of the wheels
    and the sdist."""
    from rustwheel.config.options import resolve_config
    from rustwheel.stages import sdist as sdist_stage
    from rustwheel.tasks.sdist import after_sdist, sdist_task, unpack_dir, wheel_graph

    reset_warnings()
    use_remote(opts)
    plan = sdist_stage.make_plan(resolve_config(opts))
    unpacked = opts._replace(sdist=False, out=opts.out or str(Path(plan.output).parent),
                             target_dir=opts.target_dir or plan.target_dir)
    graphs: list[dict[str, Any]] = []
    tasks = [sdist_task(plan), after_sdist(lambda: wheel_graph(plan, unpacked, graphs))]
    log = RunLog(quiet=opts.quiet, cells=2)
    if uploads is not None:
        from rustwheel.tasks.pipeline import built_wheels
        from rustwheel.tasks.sdist import PLACEHOLDER

        def files() -> list[str]:
            return [*built_wheels(graphs[0]), plan.output] if graphs else []

        tasks.append(_upload_task(files, uploads, PLACEHOLDER, log))
    _execute(tasks, unpack_dir(plan), opts, log.cells, log)
    graph = graphs[0] if graphs else None
    _after_run(graph, opts, log)
    if log.failed:
        raise _failed(log, graph)
    from rustwheel.tasks.pipeline import built_wheels

    wheels = built_wheels(graph) if graph is not None else []
    return BuildResult(tuple(Path(w) for w in wheels), tuple(log.results), tuple(log.warnings),
                       sdist=Path(plan.output))


def _write_stamp(build_stamp: Path, resolved: Resolved, tasks: list[dict[str, Any]],
                 placed: list[Path], wheels: list[str], later: bool) -> Optional[Path]:
    """The no-op stamp of this build; written after the command (``later``) when only the
    next build reads it: an editable install's import hook reads it as soon as the command
    returned (`rustwheel.develop.importhook`)."""
    from rustwheel.freshness.facts import facts
    from rustwheel.freshness.watch import watched
    from rustwheel.tasks.pipeline import task_names

    files = watched(tasks, resolved.files)
    if files is None:
        return None
    files.update((str(p), list(f) if (f := facts(str(p))) else None) for p in placed)
    from rustwheel.cache.layout import StorePaths
    from rustwheel.cache.pending import WRITES
    from rustwheel.stages.compile.early import launch_of

    extra = {"early": spec} if (spec := launch_of(resolved.graph)) else {}
    names = task_names(resolved.graph)

    def write() -> None:
        with suppress(OSError):  # a shortcut only: the next build runs the graph instead
            stamp.write(build_stamp, files, tasks=names, wheels=wheels, **extra)

    if later:  # the next build settles the store before it reads it (`api._no_op`)
        WRITES.add(StorePaths(stamp.store_root(build_stamp)), write)
    else:
        write()
    return build_stamp


def run_build(opts: BuildOptions, stamps: Stamps) -> BuildResult:
    """Plan, run and stamp one build (the no-op stamp was checked by the caller)."""
    reset_warnings()
    use_remote(opts)
    resolved = plan_build(opts, stamps[1] if stamps else None)
    tasks, log = _run(resolved, opts)
    placed: list[Path] = []
    if opts.editable:
        from rustwheel.develop.placement import place_in_tree

        placed = place_in_tree(resolved.build_plan())
    from rustwheel.tasks.pipeline import built_wheels

    wheels = built_wheels(resolved.graph)
    stamped = _write_stamp(stamps[0], resolved, tasks, placed, wheels,
                           later=not opts.editable) if stamps else None
    return BuildResult(tuple(Path(w) for w in wheels), tuple(log.results), tuple(log.warnings),
                       stamp=stamped)


def run_publish(opts: BuildOptions, uploads: Uploads) -> BuildResult:
    """``publish``: the build (with ``opts.sdist``, the sdist and the wheels built from it)
    and, in the same doit run, ``uploads`` of what it wrote (no stamps: always planned)."""
    if opts.sdist:
        return run_sdist_build(opts, uploads)
    from rustwheel.tasks.pipeline import built_wheels

    reset_warnings()
    resolved = plan_build(opts)
    _, log = _run(resolved, opts, uploads)
    return BuildResult(tuple(Path(w) for w in built_wheels(resolved.graph)),
                       tuple(log.results), tuple(log.warnings))
