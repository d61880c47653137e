"""The compile stage's work: `job()` (see the package docstring)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path
from typing import Optional

from rustwheel import _run, filelock, ui
from rustwheel.atomic import link_or_copy, write_if_changed
from rustwheel.cargo.messages import (
    Artifact,
    BuildScriptRun,
    build_script_inputs,
    dep_info_path,
    parse_line,
    read_dep_info,
)
from rustwheel.errors import ToolError
from rustwheel.freshness.facts import DigestCache
from rustwheel.plan import codec
from rustwheel.stages.compile import early, outdir, producers
from rustwheel.stages.compile.plan import CompilePlan, CompileUnit
from rustwheel.stages.compile.pyo3config import Pyo3Config
from rustwheel.stages.compile.zig import write_wrapper
from rustwheel.stages.stage import StageRun


def _stage_copy(source: str, dest: Path, executable: bool) -> None:
    """Put the artifact into the stage's directory, a hard link to cargo's file when the file
    system allows (cargo and rustc only ever replace their outputs, never write into them, so
    the link stays what this run built; a copy otherwise). It is not hashed here: a develop
    build never needs its digest, and the wheel stage and the store hash it when they need
    to. Nothing imports from the stage's directory, so the old link may be moved aside first
    (`atomic.replacing`'s ``always_there``)."""
    link_or_copy(Path(source), dest, 0o755 if executable else 0o644, always_there=False)


def _matches(unit: CompileUnit, plan: CompilePlan, art: Artifact) -> bool:
    if art.package_id != plan.package_id or art.target_name != unit.target_name:
        return False
    return ("bin" not in art.target_kind) if unit.lib else ("bin" in art.target_kind)


def _pick_file(unit: CompileUnit, art: Artifact) -> Optional[str]:
    if not unit.lib:
        return art.executable
    for f in art.filenames:
        if f.endswith((".so", ".dylib", ".dll")):
            return f
    return None


def _cargo(plan: CompilePlan, unit: CompileUnit, env: dict[str, str],
           out_dirs: Optional[list[tuple[str, str]]]) -> tuple[str, bool, list[str], list[str]]:
    """One cargo run: (the artifact, whether cargo reused it, build scripts' input files and
    environment variables)."""
    argv = plan.argv(unit)
    cwd = os.path.dirname(plan.manifest_path)
    proc = early.adopt(argv, cwd, env) or _run.popen_lines(argv, cwd=cwd, env=env)
    found: Optional[str] = None
    fresh = False
    script_files: list[str] = []
    script_env: list[str] = []
    for line in proc.lines:
        msg = parse_line(line)
        if isinstance(msg, Artifact) and _matches(unit, plan, msg):
            found = _pick_file(unit, msg) or found
            fresh = msg.fresh
            if found is not None and not fresh:
                # The wheel stage's check hashes the new library next: start now, while
                # cargo finishes (its staged copy is a hard link: the same file).
                DigestCache.shared().prefetch(found)
        elif isinstance(msg, BuildScriptRun):
            files, names = build_script_inputs(msg)
            script_files += files
            script_env += names
            if out_dirs is not None:
                out_dirs.append((msg.package_id, msg.out_dir))
        elif isinstance(msg, str):
            sys.stderr.write(msg)
    if proc.wait() != 0:
        raise proc.error(hint="cargo's messages are above: fix the reported problem and build "
                              "again")
    if found is None:
        raise ToolError(f"`{_run.describe(argv)}` produced no artifact for target "
                        f"'{unit.target_name}' of {plan.package_name}; check the crate's "
                        "[lib] crate-type / [[bin]] sections")
    return found, fresh, script_files, script_env


def _sources(artifact: str) -> list[str]:
    dep_file = dep_info_path(artifact)
    return read_dep_info(dep_file) if dep_file.is_file() else []


def _touch_sources(found: str, plan: CompilePlan) -> dict[str, int]:
    """Make this copy's sources newer than the artifact another copy left, so that cargo builds
    this copy again; the mtimes set (the record knows they are not the user's edits)."""
    crate = os.path.join(os.path.dirname(plan.manifest_path), "")
    touched: dict[str, int] = {}
    for source in _sources(found):
        if source.startswith(crate) and os.path.isfile(source):
            os.utime(source)
            touched[source] = os.stat(source).st_mtime_ns
    _forget_fingerprint(found, plan.package_name)
    ui.warn(f"{Path(found).name} in the target dir was built from another copy of "
            f"{plan.package_name}; rebuilding it from {crate}")
    return touched


def _forget_fingerprint(artifact: str, package: str) -> None:
    """Remove cargo's record of how the package's library and binaries were last built (its
    own state in the target dir), so that cargo builds them again. Touching this copy's
    sources is not always enough: when the other copy lies inside the target dir (an sdist
    build), cargo's dep-info names that copy's files, not these."""
    profile = Path(artifact).parent
    if profile.name == "deps":
        profile = profile.parent
    for unit in (profile / ".fingerprint").glob(f"{package}-*"):
        for name in os.listdir(unit) if unit.is_dir() else ():
            if name.startswith(("lib-", "dep-lib-", "bin-", "dep-bin-")):
                with suppress(FileNotFoundError):
                    os.unlink(unit / name)


def run_unit(plan: CompilePlan, unit: CompileUnit, env: dict[str, str],
             out_dirs: list[tuple[str, str]], touched: dict[str, int],
             ) -> tuple[list[str], list[str]]:
    """Run cargo for one unit; returns the files and environment variables it depended on.
    Build scripts' (package id, OUT_DIR) pairs are appended to ``out_dirs``, sources this
    stage touched to ``touched``."""
    found, fresh, script_files, script_env = _cargo(plan, unit, env, out_dirs)
    if fresh and producers.is_foreign(found, plan.manifest_path):
        touched.update(_touch_sources(found, plan))
        found, fresh, script_files, script_env = _cargo(plan, unit, env, out_dirs)
    _stage_copy(found, Path(plan.stage_dir) / unit.staged_name, executable=True)
    producers.claim(found, plan.manifest_path)
    return _sources(found) + script_files, script_env


_CONFIG_MTIME = 315532800  # 1980-01-01, as in zip files


def write_pyo3_config(config: Pyo3Config) -> None:
    """Write the pyo3 config file if missing or different, with an old fixed mtime: its name
    carries a digest of its content, so what pyo3's build script read from this path is what
    it holds, and a file a CI cache dropped and this stage wrote again must not look changed
    to cargo (``rerun-if-changed``)."""
    path = Path(config.path)
    if write_if_changed(path, config.text):
        os.utime(path, (_CONFIG_MTIME, _CONFIG_MTIME))


class CompileJob:
    """cargo for every unit of the plan; the staged artifacts (and OUT_DIR copies) are the
    outputs, the files cargo's dep-info lists and build scripts' declared inputs the inputs."""

    store_name = "compile"

    def __init__(self, plan: CompilePlan) -> None:
        self.plan = plan
        self.known_inputs = plan.extra_inputs
        self.output_dir = Path(plan.stage_dir)

    def tools(self) -> dict[str, str]:
        return {}

    def consults_store(self, seen: Mapping[str, os.stat_result]) -> bool:
        return True

    def run(self, seen: Mapping[str, os.stat_result]) -> StageRun:
        """Cells for several interpreters share the artifact's file in the target dir (cargo
        names a cdylib without a hash): cargo, the copies and the reading of dep-info and
        OUT_DIRs happen under the plan's lock, so another cell's cargo cannot replace a file
        in between."""
        plan = self.plan
        if plan.zig is not None:
            write_wrapper(plan.zig)
        if plan.pyo3_config is not None:
            write_pyo3_config(plan.pyo3_config)
        env = early.cargo_env(plan.env)
        first = plan.argv(plan.units[0])
        if early.holds_lock(plan.lock, first, os.path.dirname(plan.manifest_path), env):
            try:
                return self._run_cargo(env)
            finally:
                early.stop()
        if not plan.lock:
            return self._run_cargo(env)
        waiting = f"waiting for another build's cargo run in this target dir ({plan.lock})"
        with filelock.held(Path(plan.lock), waiting):
            return self._run_cargo(env)

    def _run_cargo(self, env: dict[str, str]) -> StageRun:
        plan = self.plan
        inputs: list[str] = []
        env_vars: list[str] = []
        out_dirs: list[tuple[str, str]] = []
        touched: dict[str, int] = {}
        for unit in plan.units:
            files, names = run_unit(plan, unit, env, out_dirs, touched)
            inputs += files
            env_vars += names
        early.remember(plan)
        outputs = {u.staged_name: self.output_dir / u.staged_name for u in plan.units}
        if plan.out_dir_includes:
            outputs.update(outdir.stage(self.output_dir, plan.out_dir_includes, out_dirs))
        note = {"note": early.NOTE} if early.taken() else {}
        return StageRun(outputs, inputs, env_vars, touched=touched,
                        values={"artifacts": plan.staged_paths(), **note})

    def restored(self, outputs: Mapping[str, Path]) -> StageRun:
        early.remember(self.plan)
        return StageRun(outputs, values={"artifacts": self.plan.staged_paths()})


def job(plan_text: str) -> CompileJob:
    return CompileJob(codec.loads(CompilePlan, plan_text))
