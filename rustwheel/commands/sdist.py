"""`rustwheel sdist` and `rustwheel build --sdist` (called from `rustwheel.cli`)."""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Callable, Optional

from rustwheel.config.options import CliOptions, resolve_config
from rustwheel.stages import sdist


def write_sdist(options: CliOptions) -> sdist.SdistPlan:
    plan = sdist.make_plan(resolve_config(options))
    sdist.run(plan)
    return plan


def cmd_sdist(manifest_path: Optional[str], out: Optional[str], offline: bool) -> int:
    plan = write_sdist(CliOptions(manifest_path=manifest_path, out=out, offline=offline))
    print(plan.output)
    return 0


BuildCommand = Callable[..., int]


def build_via_sdist(ns: argparse.Namespace, rustc_args: Sequence[str], options: CliOptions,
                    build: BuildCommand) -> int:
    """Write the sdist, unpack it into a temporary directory and build the wheel from there
    (into the usual output directory, with the crate's target directory): proof that the sdist
    holds everything the build needs."""
    from rustwheel.stages.sdist.unpack import manifest_in, unpack

    plan = write_sdist(options)
    print(plan.output)
    with tempfile.TemporaryDirectory(prefix="rustwheel-sdist-") as tmp:
        top = unpack(Path(plan.output), Path(tmp))
        unpacked = argparse.Namespace(**vars(ns))
        unpacked.sdist = False
        unpacked.manifest_path = str(manifest_in(top))
        unpacked.out = ns.out or str(Path(plan.output).parent)
        unpacked.target_dir = ns.target_dir or plan.target_dir
        return build(unpacked, rustc_args, [], use_stamps=False)
