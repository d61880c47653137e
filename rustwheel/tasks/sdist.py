"""``--sdist`` as one graph: the ``sdist`` task writes the source distribution and unpacks it
(into ``<target dir>/rustwheel/sdist/``, rewriting only the files that changed), and the wheel
graph of the unpacked tree is created by doit once that task has run (a delayed task loader),
so the wheels are built from exactly what the sdist holds: if it missed a file, that build
fails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Union

from rustwheel.options import BuildOptions
from rustwheel.plan import codec
from rustwheel.stages.sdist import SdistPlan

TaskDict = dict[str, Any]
PLACEHOLDER = "wheels-from-sdist"
"""The task that stands for the unpacked sdist's graph until doit creates it."""


def write_and_unpack(plan: dict[str, Any], unpack_dir: str) -> Union[dict[str, str], Any]:
    """sdist action: write the archive, unpack it; a user error is a one-line failure."""
    from doit.exceptions import TaskFailed

    from rustwheel.errors import RustwheelError, os_error_message
    from rustwheel.stages import sdist
    from rustwheel.stages.sdist.unpack import unpack
    from rustwheel.tasks.execute import USER_ERROR_PREFIX

    sdist_plan = codec.from_plain(SdistPlan, plan)
    failed = _failed_marker(Path(unpack_dir))
    try:
        failed.parent.mkdir(parents=True, exist_ok=True)
        failed.touch()
        archive = sdist.run(sdist_plan)
        top = unpack(archive, Path(unpack_dir))
        failed.unlink()
    except RustwheelError as exc:
        return TaskFailed(USER_ERROR_PREFIX + str(exc))
    except OSError as exc:  # unpacking into the state dir: no space, no permission
        return TaskFailed(USER_ERROR_PREFIX + os_error_message(exc, unpack_dir, "writing",
                                                               "--target-dir"))
    return {"sdist": str(archive), "top": str(top)}


def _failed_marker(unpack_dir: Path) -> Path:
    """Present while the sdist task has not succeeded: the wheel graph then adds nothing (the
    sdist's own error is the build's one error)."""
    return unpack_dir / ".sdist-failed"


def unpack_dir(plan: SdistPlan) -> Path:
    return Path(plan.target_dir) / "rustwheel" / "sdist"


def sdist_task(plan: SdistPlan) -> TaskDict:
    """Runs on every build (writing an sdist is cheap, and unchanged files keep their mtime)."""
    return {"basename": "sdist", "doc": "write the sdist and unpack it to build the wheels from",
            "actions": [(write_and_unpack, [codec.to_plain(plan), str(unpack_dir(plan))])],
            "targets": [plan.output], "uptodate": [False], "verbosity": 2}


def wheel_graph(plan: SdistPlan, options: BuildOptions, graphs: list[dict[str, Any]],
                ) -> Iterator[TaskDict]:
    """The task dicts of the unpacked sdist's build (``options`` for it, but for the crate to
    build); its graph is appended to ``graphs``. A project the sdist cannot build (a file is
    missing from it) is one failing task."""
    from rustwheel.errors import RustwheelError
    from rustwheel.plan.resolve import plan_build
    from rustwheel.stages.sdist.unpack import manifest_in
    from rustwheel.tasks.pipeline import doit_tasks, task_names

    top = unpack_dir(plan) / plan.top
    if _failed_marker(unpack_dir(plan)).exists():
        yield {"basename": PLACEHOLDER, "actions": None}
        return
    try:
        resolved = plan_build(options._replace(manifest_path=str(manifest_in(top))))
    except RustwheelError as exc:
        yield {"basename": "detect", "doc": "resolve the unpacked sdist's configuration",
               "actions": [(fail, [f"the sdist {plan.output} does not build: {exc}"])]}
        yield {"basename": PLACEHOLDER, "actions": None, "task_dep": ["detect"]}
        return
    graphs.append(resolved.graph)
    yield from doit_tasks(resolved.graph)
    # doit carries on with the placeholder's name: make it the group of what was created
    yield {"basename": PLACEHOLDER, "actions": None, "task_dep": task_names(resolved.graph)}


def fail(message: str) -> Any:
    from doit.exceptions import TaskFailed

    from rustwheel.tasks.execute import USER_ERROR_PREFIX

    return TaskFailed(USER_ERROR_PREFIX + message)


def after_sdist(creator: Callable[[], Iterator[TaskDict]]) -> Any:
    """A placeholder task whose tasks ``creator`` yields once ``sdist`` has run."""
    from doit.task import DelayedLoader, Task

    return Task(PLACEHOLDER, None, loader=DelayedLoader(creator, executed="sdist"),
                doc="the wheel graph of the unpacked sdist (created after sdist ran)")
