"""The compile stage's work: `run()` (see the package docstring)."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any, Optional

from rustwheel import _run
from rustwheel.atomic import replacing
from rustwheel.cargo.messages import (
    Artifact,
    BuildScriptRun,
    build_script_inputs,
    dep_info_path,
    parse_line,
    read_dep_info,
)
from rustwheel.errors import ToolError
from rustwheel.freshness.records import record_inputs
from rustwheel.plan import codec as plancodec
from rustwheel.stages.compile import outdir, producers
from rustwheel.stages.compile.plan import CompilePlan, CompileUnit, plan_digest
from rustwheel.stages.compile.zig import write_wrapper
from rustwheel.tasks import reuse


def _stage_copy(source: str, dest: Path, executable: bool) -> None:
    with open(source, "rb") as src, replacing(dest, 0o755 if executable else 0o644) as fh:
        shutil.copyfileobj(src, fh)


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
    proc = _run.popen_lines(argv, cwd=Path(plan.manifest_path).parent, env=env)
    found: Optional[str] = None
    fresh = False
    script_files: list[str] = []
    script_env: list[str] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        msg = parse_line(line)
        if isinstance(msg, Artifact) and _matches(unit, plan, msg):
            found = _pick_file(unit, msg) or found
            fresh = msg.fresh
        elif isinstance(msg, BuildScriptRun):
            files, names = build_script_inputs(msg)
            script_files += files
            script_env += names
            if out_dirs is not None:
                out_dirs.append((msg.package_id, msg.out_dir))
        elif isinstance(msg, str):
            sys.stderr.write(msg)
    code = proc.wait()
    if code != 0:
        raise ToolError(f"`{_run.describe(argv)}` failed with exit code {code}; cargo's messages "
                        "are above: fix the reported problem and build again")
    if found is None:
        raise ToolError(f"`{_run.describe(argv)}` produced no artifact for target "
                        f"'{unit.target_name}' of {plan.package_name}; check the crate's "
                        "[lib] crate-type / [[bin]] sections")
    return found, fresh, script_files, script_env


def _sources(artifact: str) -> list[str]:
    dep_file = dep_info_path(artifact)
    return read_dep_info(dep_file) if dep_file.is_file() else []


def run_unit(plan: CompilePlan, unit: CompileUnit, env: dict[str, str],
             out_dirs: Optional[list[tuple[str, str]]] = None) -> tuple[list[str], list[str]]:
    """Run cargo for one unit; returns the files and environment variables it depended on.
    Build scripts' (package id, OUT_DIR) pairs are appended to ``out_dirs``."""
    found, fresh, script_files, script_env = _cargo(plan, unit, env, out_dirs)
    if fresh and producers.is_foreign(found, plan.manifest_path):
        crate = os.path.join(os.path.dirname(plan.manifest_path), "")
        for source in _sources(found):  # newer sources: cargo builds this copy again
            if source.startswith(crate) and os.path.isfile(source):
                os.utime(source)
        reuse.warn(f"{Path(found).name} in the target dir was built from another copy of "
                   f"{plan.package_name}; rebuilding it from {crate}")
        found, fresh, script_files, script_env = _cargo(plan, unit, env, out_dirs)
    producers.claim(found, plan.manifest_path)
    _stage_copy(found, Path(plan.stage_dir) / unit.staged_name, executable=True)
    return _sources(found) + script_files, script_env


def _restore(plan: CompilePlan, store: Any, digest: str) -> bool:
    assert plan.cache is not None
    hit = reuse.lookup(store, plan.cache, "compile", plan.extra_inputs)
    if hit is None:
        return False
    from rustwheel.cache.store import restore_files

    if not restore_files(store, hit.entry, Path(plan.stage_dir)):
        return False
    record_inputs(Path(plan.inputs_record), hit.inputs, digest, hit.env)
    return True


def run(plan_path: str) -> dict[str, Any]:
    """doit action: compile every unit of the plan stored at ``plan_path``.

    With a store, a result built before from identical inputs is restored instead, and a new
    result is stored after cargo ran."""
    text = Path(plan_path).read_text(encoding="utf-8")
    plan = plancodec.loads(CompilePlan, text)
    store = reuse.open_store(plan.cache)
    if store is not None and _restore(plan, store, plan_digest(text)):
        return {"artifacts": plan.staged_paths(), "restored": True}
    env = dict(os.environ)
    env.update(plan.env)
    if plan.zig is not None:
        write_wrapper(plan.zig)
    inputs: list[str] = []
    env_vars: list[str] = []
    out_dirs: list[tuple[str, str]] = []
    for unit in plan.units:
        files, names = run_unit(plan, unit, env, out_dirs)
        inputs += files
        env_vars += names
    staged_extra = outdir.stage(Path(plan.stage_dir), plan.out_dir_includes, out_dirs) \
        if plan.out_dir_includes else {}
    all_inputs = sorted({*inputs, *plan.extra_inputs})
    record_inputs(Path(plan.inputs_record), all_inputs, plan_digest(text), env_vars)
    if store is not None and plan.cache is not None:
        outputs = {u.staged_name: Path(plan.stage_dir) / u.staged_name for u in plan.units}
        outputs.update(staged_extra)
        reuse.save(store, plan.cache, "compile", plan.extra_inputs, all_inputs, env_vars, outputs)
    return {"artifacts": plan.staged_paths()}
