"""uniffi bindings: run uniffi-bindgen in library mode over the compiled cdylib.

The bindgen stage (``bindgen:<cell>``) runs after compile: it copies the staged library under
cargo's file name into a scratch directory, runs ``uniffi-bindgen generate --no-format
--language python --library ...`` from the crate directory (the crate's own ``uniffi-bindgen``
binary through ``cargo run`` when it has one, else the one on PATH, e.g. ``pip install
uniffi-bindgen``), and stages the generated modules plus an ``__init__.py`` that re-exports
them. The wheel stage reads the list of staged files (the same manifest format as build-script
files), so the generated names need not be known when planning.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from rustwheel import _run
from rustwheel.config.pyproject import load_toml
from rustwheel.errors import ToolError
from rustwheel.tasks import reuse
from rustwheel.plan.codec import read, write_if_changed
from rustwheel.tasks.reuse import CacheSpec

MANIFEST = "uniffi-files.json"
STAGED = "files"


@dataclass(frozen=True)
class UniffiPlan:
    cell: str
    crate_dir: str
    library: str
    """The staged cdylib (compile output)."""
    library_cargo_name: str
    """The cdylib's file name as cargo wrote it (``lib<lib name>.so``)."""
    config: Optional[str]
    """``uniffi.toml`` beside Cargo.toml, when there is one."""
    bindgen: tuple[str, ...]
    """The uniffi-bindgen command (without the ``generate`` arguments)."""
    bindgen_cwd: str
    package_dir: str
    """Archive directory of the generated package (forward slashes)."""
    external: tuple[str, ...]
    """Generated modules not to ship (``[bindings.python] external_packages`` keys)."""
    stage_dir: str
    cache: Optional[CacheSpec] = None

    @property
    def manifest(self) -> str:
        return os.path.join(self.stage_dir, MANIFEST)

    def inputs(self) -> list[str]:
        return [self.library, *([self.config] if self.config else [])]


def python_settings(crate_dir: Path) -> Mapping[str, Any]:
    """``[bindings.python]`` of the crate's ``uniffi.toml`` (empty when there is none)."""
    path = crate_dir / "uniffi.toml"
    if not path.is_file():
        return {}
    section = load_toml(path).get("bindings", {}).get("python", {})
    return section if isinstance(section, dict) else {}


def library_filename(lib_name: str, crate_dir: Path) -> str:
    """The library's name in the wheel: ``cdylib_name`` from uniffi.toml, else cargo's."""
    name = python_settings(crate_dir).get("cdylib_name")
    return f"lib{name}.so" if isinstance(name, str) and name else f"lib{lib_name}.so"


def bindgen_command(meta: Any, manifest_path: Path) -> tuple[tuple[str, ...], str]:
    """(argv prefix, working directory): the crate's own uniffi-bindgen bin, else PATH's."""
    for pkg in [meta.root, *(meta.packages[p] for p in meta.workspace_members
                             if p in meta.packages and p != meta.root.id)]:
        for target in pkg.bins:
            if target.name == "uniffi-bindgen":
                argv = ["cargo", "run", "--quiet", "--bin", "uniffi-bindgen", "--manifest-path",
                        str(pkg.manifest_path)]
                if target.required_features:
                    argv += ["--features", ",".join(target.required_features)]
                return (*argv, "--"), str(manifest_path.parent)
    return ("uniffi-bindgen",), str(manifest_path.parent)


def plan(*, cell: str, meta: Any, manifest_path: Path, staged_library: str, package_dir: str,
         cell_dir: Path) -> UniffiPlan:
    crate_dir = manifest_path.parent
    lib = next((t for t in meta.root.targets if t.is_lib), None)
    lib_name = lib.name if lib is not None else meta.root.name.replace("-", "_")
    settings = python_settings(crate_dir)
    external = settings.get("external_packages") or {}
    bindgen, cwd = bindgen_command(meta, manifest_path)
    config = crate_dir / "uniffi.toml"
    return UniffiPlan(
        cell=cell, crate_dir=str(crate_dir), library=staged_library,
        library_cargo_name=f"lib{lib_name}.so",
        config=str(config) if config.is_file() else None, bindgen=bindgen, bindgen_cwd=cwd,
        package_dir=package_dir,
        external=tuple(sorted(external)) if isinstance(external, dict) else (),
        stage_dir=str(cell_dir / "uniffi"))


def init_py(modules: list[str]) -> str:
    return "".join(f"from .{m} import *  # NOQA\n" for m in modules)


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
