"""The bindgen stage's work: `run()` (see the package docstring)."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from rustwheel import _run
from rustwheel.errors import ToolError
from rustwheel.plan.codec import read, write_if_changed
from rustwheel.stages.bindgen.plan import MANIFEST, STAGED, UniffiPlan, init_py
from rustwheel.tasks import reuse


def _generate(p: UniffiPlan, scratch: Path) -> list[Path]:
    library = scratch / p.library_cargo_name
    shutil.copyfile(p.library, library)
    out = scratch / "out"
    argv = [*p.bindgen, "generate", "--no-format", "--language", "python", "--out-dir", str(out)]
    if p.config:
        argv += ["--config", p.config]
    argv += ["--library", str(library)]
    env = {k: v for k, v in os.environ.items() if k != "CARGO_BUILD_TARGET"}
    hint = "install it with `pip install uniffi-bindgen` (the version matching the uniffi crate)"
    proc = _run.run(argv, cwd=p.bindgen_cwd, env=env, check=False, hint=hint)
    if proc.returncode != 0:
        lines = [ln.strip() for ln in proc.stderr.splitlines() if ln.strip()]
        detail = " ".join(lines[-3:]) if lines else "no output"
        raise ToolError(f"`{_run.describe(argv)}` failed: {detail}; check that uniffi-bindgen's "
                        "version matches the crate's uniffi dependency")
    return shipped_modules(out, p.external)


def shipped_modules(out_dir: Path, external: tuple[str, ...]) -> list[Path]:
    """The generated modules that go into the wheel: all but ``external_packages`` ones."""
    return sorted(f for f in out_dir.glob("*.py") if f.stem not in external)


def run(plan_path: str) -> dict[str, Any]:
    """doit action: generate and stage the python modules for the plan at ``plan_path``."""
    p = read(UniffiPlan, plan_path)
    stage = Path(p.stage_dir)
    store = reuse.open_store(p.cache)
    spec = p.cache
    if spec is not None and p.bindgen == ("uniffi-bindgen",):
        spec = dataclasses.replace(spec, tools={**spec.tools, "uniffi-bindgen": _version()})
    if store is not None and spec is not None:
        from rustwheel.cache.store import restore_files

        hit = reuse.lookup(store, spec, "uniffi", p.inputs())
        if hit is not None and restore_files(store, hit.entry, stage):
            return {"manifest": p.manifest, "restored": True}
    stage.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".uniffi-", dir=stage) as tmp:
        generated = _generate(p, Path(tmp))
        if not generated:
            raise ToolError(f"uniffi-bindgen generated no python module for {p.crate_dir}; "
                            "check the crate exports items with uniffi")
        outputs: dict[str, Path] = {}
        entries = []
        contents = {f.name: f.read_text(encoding="utf-8") for f in generated}
        contents["__init__.py"] = init_py([f.stem for f in generated])
        for name, text in sorted(contents.items()):
            staged = f"{STAGED}/{name}"
            write_if_changed(stage / staged, text)
            outputs[staged] = stage / staged
            entries.append({"archive_path": f"{p.package_dir}/{name}", "staged": staged,
                            "executable": False, "crate": p.cell,
                            "origin": "uniffi-bindgen's output",
                            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()})
    write_if_changed(Path(p.manifest), json.dumps({"files": entries}, sort_keys=True, indent=1)
                     + "\n")
    outputs[MANIFEST] = Path(p.manifest)
    if store is not None and spec is not None:
        reuse.save(store, spec, "uniffi", p.inputs(), p.inputs(), (), outputs)
    return {"manifest": p.manifest}


def _version() -> str:
    proc = _run.run(["uniffi-bindgen", "--version"], check=False,
                    hint="install it with `pip install uniffi-bindgen`")
    if proc.returncode != 0:
        print(f"warning: `uniffi-bindgen --version` failed: {proc.stderr.strip()}",
              file=sys.stderr)
    return proc.stdout.strip()
