"""The bindgen stage's work: `job()` (see the package docstring)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from rustwheel import _run, ui
from rustwheel.atomic import write_if_changed
from rustwheel.errors import ToolError
from rustwheel.plan import codec
from rustwheel.stages.bindgen.plan import MANIFEST, STAGED, UniffiPlan, init_py
from rustwheel.stages.stage import StageRun


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
        raise _run.failed(argv, proc, env=env, hint="check that uniffi-bindgen's version matches "
                          "the crate's uniffi dependency")
    return shipped_modules(out, p.external)


def shipped_modules(out_dir: Path, external: tuple[str, ...]) -> list[Path]:
    """The generated modules that go into the wheel: all but ``external_packages`` ones."""
    return sorted(f for f in out_dir.glob("*.py") if f.stem not in external)


def _stage_modules(p: UniffiPlan, generated: list[Path]) -> dict[str, Path]:
    """Stage the modules plus the re-exporting ``__init__.py``; write their manifest (the
    wheel stage's list of generated files)."""
    stage = Path(p.stage_dir)
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
    return outputs


class BindgenJob:
    """uniffi-bindgen over the staged library; the modules it generated are the outputs."""

    store_name = "uniffi"

    def __init__(self, plan: UniffiPlan) -> None:
        self.plan = plan
        self.known_inputs = plan.inputs()
        self.output_dir = Path(plan.stage_dir)

    def tools(self) -> dict[str, str]:
        if self.plan.bindgen == ("uniffi-bindgen",):
            return {"uniffi-bindgen": _version()}
        return {}

    def consults_store(self, seen: Mapping[str, os.stat_result]) -> bool:
        return True

    def run(self, seen: Mapping[str, os.stat_result]) -> StageRun:
        p = self.plan
        self.output_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".uniffi-", dir=self.output_dir) as tmp:
            generated = _generate(p, Path(tmp))
            if not generated:
                raise ToolError(f"uniffi-bindgen generated no python module for {p.crate_dir}; "
                                "check the crate exports items with uniffi")
            outputs = _stage_modules(p, generated)
        return StageRun(outputs, values={"manifest": p.manifest})

    def restored(self, outputs: Mapping[str, Path]) -> StageRun:
        return StageRun(outputs, values={"manifest": self.plan.manifest})


def job(plan_text: str) -> BindgenJob:
    return BindgenJob(codec.loads(UniffiPlan, plan_text))


def _version() -> str:
    proc = _run.run(["uniffi-bindgen", "--version"], check=False,
                    hint="install it with `pip install uniffi-bindgen`")
    if proc.returncode != 0:
        ui.warn(f"`uniffi-bindgen --version` failed: {proc.stderr.strip()}")
    return proc.stdout.strip()
