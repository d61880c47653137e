"""Each stage's pure `plan()` over a constructed `Project` (no cargo, no interpreter, no files),
and the assembled `BuildPlan` with its store keys."""

from __future__ import annotations

import builtins
import dataclasses
import io
import os
import subprocess
from pathlib import Path
from typing import Any, Optional

import pytest
from planfacts import LINUX, cpython

from rustwheel.cargo.metadata import parse_metadata
from rustwheel.config.compat import Compatibility
from rustwheel.config.layout import ProjectLayout
from rustwheel.config.options import BuildConfig
from rustwheel.config.toolkeys import ToolConfig
from rustwheel.plan.build import assemble, plan_cell
from rustwheel.plan.cells import Cell
from rustwheel.plan.matrix import CellSpec, ZigLink, cells_for
from rustwheel.plan.members import FileItem, GeneratedItem
from rustwheel.plan.project import Project, WheelSources
from rustwheel.spec.licenses import LicenseFile
from rustwheel.spec.metadata import ProjectMetadata
from rustwheel.stages.bindgen.settings import UniffiSettings
from rustwheel.stages.compile.plan import CompileUnit
from rustwheel.stages.detect.bindings import Bindings, bin_targets, compile_lib
from rustwheel.stages.repair.plan import RepairFile

ROOT = Path("/src/demo")
CDYLIB = [{"name": "demo", "kind": ["cdylib"], "crate_types": ["cdylib"],
           "src_path": "/src/demo/src/lib.rs"}]
BUILD_RS = {"name": "build-script-build", "kind": ["custom-build"], "crate_types": ["bin"],
            "src_path": "/src/demo/build.rs"}
BINS = [{"name": n, "kind": ["bin"], "crate_types": ["bin"], "src_path": f"/src/demo/{n}.rs"}
        for n in ("tool", "other")]
PURE = ProjectLayout(ROOT, ROOT, "demo", mixed=False)
MIXED = ProjectLayout(ROOT, ROOT / "python", "pkg.ext", mixed=True)
LICENSE = LicenseFile(str(ROOT / "LICENSE"), "LICENSE")
METADATA = ProjectMetadata("demo", "1.0", (("Metadata-Version", "2.4"), ("Name", "demo"),
                                           ("Version", "1.0")), None, (LICENSE,), (),
                           (LICENSE.source,), None)


def metadata(root: Path, targets: list[dict[str, Any]]) -> Any:
    helper = {"id": "helper 0.1.0", "name": "helper", "version": "0.1.0", "source": None,
              "manifest_path": str(root / "helper" / "Cargo.toml"),
              "targets": [{"name": "helper", "kind": ["lib"], "crate_types": ["lib"],
                           "src_path": str(root / "helper" / "src" / "lib.rs")}]}
    demo = {"id": "demo 1.0.0", "name": "demo", "version": "1.0.0", "source": None,
            "manifest_path": str(root / "Cargo.toml"),
            "targets": [{**t, "src_path": t["src_path"].replace("/src/demo", str(root))}
                        for t in targets]}
    nodes = [{"id": "demo 1.0.0", "deps": [{"pkg": "helper 0.1.0"}], "features": []},
             {"id": "helper 0.1.0", "deps": [], "features": []}]
    return parse_metadata({"packages": [demo, helper], "resolve": {"nodes": nodes},
                           "target_directory": str(root / "target"),
                           "workspace_root": str(root), "workspace_members": ["demo 1.0.0"]},
                          root / "Cargo.toml")


def config(root: Path = ROOT, **changes: Any) -> BuildConfig:
    cfg = BuildConfig(
        manifest_path=root / "Cargo.toml", pyproject=None, tool=ToolConfig(), project_root=root,
        out_dir=None, target_dir=None, profile="release", features=(), all_features=False,
        no_default_features=False, locked=False, frozen=False, offline=False, cargo_config=(),
        unstable_flags=(), rustc_args=(), strip=False, bindings=None, interpreters=(),
        find_interpreter=False, targets=(),
        compatibility=Compatibility())
    return dataclasses.replace(cfg, **changes)


def make_project(bindings: Bindings, targets: list[dict[str, Any]], *,
                 cfg: Optional[BuildConfig] = None, root: Path = ROOT,
                 **changes: Any) -> Project:
    cfg = cfg or config(root)
    meta = metadata(root, targets)
    lock = str(root / "Cargo.lock")
    project = Project(
        config=cfg, meta=meta, rustc=_rustc(), bindings=bindings,
        interpreters=(cpython(12),), lib=compile_lib(meta), bins=bin_targets(meta, ()),
        local_packages=(meta.root, *meta.dependency_closure()), layout=PURE, metadata=METADATA,
        target_dir=root / "target", state_dir=root / "target" / "rustwheel" / "demo-0123",
        out_dir=root / "target" / "wheels", env_fingerprint={"RUSTFLAGS": "abc"},
        cargo_inputs=(lock, str(root / "Cargo.toml"), str(root / "build.rs")), lockfile=lock,
        sources=WheelSources(), source_date_epoch="1700000000")
    return dataclasses.replace(project, **changes)


def _rustc() -> Any:
    from rustwheel.host.toolchain import Rustc

    return Rustc("x86_64-unknown-linux-gnu", "1.80.0", "rustc 1.80.0\nhost: x86_64")


def plan_one(project: Project) -> tuple[CellSpec, Cell]:
    cell = cells_for(project.bindings, project.interpreters, [LINUX])[0]
    return cell, plan_cell(project, cell)


def cell_dir(project: Project, cell: CellSpec) -> Path:
    return project.state_dir / cell.name


def test_every_stage_plan_names_its_cell_and_record() -> None:
    project = make_project(Bindings("cffi"), [*CDYLIB, BUILD_RS])
    spec, cell = plan_one(project)
    stages = {"compile": cell.compile, "header": cell.header, "repair": cell.repair,
              "wheel": cell.wheel}
    for stage, plan in stages.items():
        assert plan is not None and plan.cell == spec.name == "py3-x86_64-unknown-linux-gnu"
        assert plan.inputs_record == str(cell_dir(project, spec) / f"{stage}-inputs.state")
        assert plan.cache is None


def test_pyo3_pure_layout() -> None:
    stub = FileItem("demo/__init__.pyi", str(ROOT / "demo.pyi"), False)
    sbom = GeneratedItem("demo-1.0.dist-info/sboms/demo.cyclonedx.json", "{}")
    project = make_project(Bindings("pyo3", "pyo3"), CDYLIB, sources=WheelSources(
        stub=stub, typed=True, sbom_generated=(sbom,)))
    spec, cell = plan_one(project)
    ext = "demo.cpython-312-x86_64-linux-gnu.so"
    staged = str(cell_dir(project, spec) / "artifacts" / ext)
    assert cell.compile.units == (CompileUnit(("--lib",), "demo", lib=True, staged_name=ext,
                                              crate_type_cdylib=True),)
    assert cell.compile.staged_paths() == [staged]
    assert cell.compile.env["PYO3_PYTHON"] == "/usr/bin/python3.12"
    assert cell.compile.cargo_args[-4:] == ("--profile", "release", "--target-dir",
                                            str(ROOT / "target"))
    wheel = cell.wheel
    assert [(f.archive_path, f.source) for f in wheel.files] == [
        (f"demo/{ext}", staged), ("demo/__init__.pyi", stub.source),
        ("demo-1.0.dist-info/licenses/LICENSE", LICENSE.source)]
    assert [g.archive_path for g in wheel.generated] == [
        "demo/__init__.py", "demo/py.typed", sbom.archive_path, "demo-1.0.dist-info/METADATA",
        "demo-1.0.dist-info/WHEEL"]
    assert wheel.output == str(ROOT / "target/wheels/demo-1.0-cp312-cp312-linux_x86_64.whl")
    assert (wheel.source_date_epoch, wheel.metadata_inputs) == ("1700000000", (LICENSE.source,))
    assert cell.repair is not None and wheel.repair == cell.repair.manifest
    assert cell.repair.files == (RepairFile(f"demo/{ext}", staged, False),)
    assert (cell.repair.libs_dir, cell.repair.arch) == ("demo.libs", "x86_64")
    assert cell.header is None and cell.uniffi is None


def test_cffi_mixed_layout() -> None:
    python = (FileItem("pkg/__init__.py", str(ROOT / "python/pkg/__init__.py")),)
    project = make_project(Bindings("cffi"), [*CDYLIB, BUILD_RS], layout=MIXED,
                           sources=WheelSources(python=python))
    _, cell = plan_one(project)
    header = cell.header
    assert header is not None
    assert header.known_inputs == (str(ROOT / "Cargo.lock"), str(ROOT / "Cargo.toml"))
    assert header.source_dirs == (str(ROOT / "helper/src"), str(ROOT / "src"))
    assert (header.lockfile, header.interpreter) == (str(ROOT / "Cargo.lock"),
                                                     "/usr/bin/python3.12")
    assert header.after_compile and header.existing_header == str(ROOT / "target/header.h")
    assert cell.compile.units[0].staged_name == "libext.so"
    assert [(f.archive_path, f.source) for f in cell.wheel.files[:3]] == [
        ("pkg/__init__.py", python[0].source), ("pkg/ext/ffi.py", header.ffi_path),
        ("pkg/ext/libext.so", cell.compile.staged_paths()[0])]
    assert "ffi.dlopen" in cell.wheel.generated[0].content
    assert "PYO3_PYTHON" not in cell.compile.env


def test_uniffi() -> None:
    settings = UniffiSettings(str(ROOT / "uniffi.toml"), "native", ("other",))
    project = make_project(Bindings("uniffi"), CDYLIB, uniffi=settings)
    spec, cell = plan_one(project)
    uniffi = cell.uniffi
    assert uniffi is not None
    assert cell.compile.units[0].staged_name == "libnative.so"
    assert uniffi.library == cell.compile.staged_paths()[0]
    assert (uniffi.library_cargo_name, uniffi.config, uniffi.external) == (
        "libdemo.so", settings.config, ("other",))
    assert (uniffi.package_dir, uniffi.bindgen) == ("demo", ("uniffi-bindgen",))
    assert uniffi.inputs_record == str(cell_dir(project, spec) / "bindgen-inputs.state")
    assert cell.wheel.generated_lists == (uniffi.manifest,)
    assert cell.wheel.files[0].archive_path == "demo/libnative.so"


def test_bins_are_scripts() -> None:
    project = make_project(Bindings("bin", "pyo3"), BINS)
    spec, cell = plan_one(project)
    assert spec.name == "cp312-x86_64-unknown-linux-gnu"
    assert [u.selector for u in cell.compile.units] == [("--bin", "tool"), ("--bin", "other")]
    scripts = [f.archive_path for f in cell.wheel.files if ".data/" in f.archive_path]
    assert scripts == ["demo-1.0.data/scripts/tool", "demo-1.0.data/scripts/other"]
    assert cell.repair is not None and all(f.binary for f in cell.repair.files)
    assert "PYO3_BUILD_EXTENSION_MODULE" not in cell.compile.env


def test_editable_mixed_layout_places_compiled_files_in_the_tree() -> None:
    python = (FileItem("pkg/__init__.py", str(ROOT / "python/pkg/__init__.py")),)
    cfg = config(editable=True, cache_dir=Path("/store"))
    project = make_project(Bindings("pyo3", "pyo3"), CDYLIB, cfg=cfg, layout=MIXED,
                           sources=WheelSources(python=python), autorebuild_hook="# hook\n")
    spec, cell = plan_one(project)
    wheel = cell.wheel
    assert cell.repair is None and wheel.repair is None
    assert [f.archive_path for f in wheel.in_tree] == [
        "pkg/ext.cpython-312-x86_64-linux-gnu.so"]
    assert wheel.in_tree_root == str(ROOT / "python")
    assert [f.archive_path for f in wheel.files] == ["demo-1.0.dist-info/licenses/LICENSE"]
    generated = {g.archive_path: g.content for g in wheel.generated}
    assert generated["_rustwheel_autorebuild_demo.py"] == "# hook\n"
    assert generated["demo.pth"] == f"{ROOT / 'python'}\nimport _rustwheel_autorebuild_demo\n"
    keyed = assemble(project, [spec]).cells[0]
    assert keyed.compile.cache is not None and keyed.wheel.cache is None


def test_zig_cell_links_through_its_wrapper() -> None:
    project = make_project(Bindings("pyo3", "pyo3"), CDYLIB)
    spec = cells_for(project.bindings, project.interpreters, [LINUX])[0]
    link = ZigLink("/usr/bin/python3", "x86_64-linux-gnu.2.17", "/w/zig-linker")
    plan = plan_cell(project, dataclasses.replace(spec, zig=link)).compile
    assert plan.zig == link
    assert plan.cargo_args[-2:] == ("--target", "x86_64-unknown-linux-gnu")
    assert plan.env["CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER"] == "/w/zig-linker"


def test_store_keys_ignore_the_checkout_and_cargo_verbosity() -> None:
    def keys(root: Path, quiet: bool) -> list[Optional[str]]:
        cfg = config(root, cache_dir=Path("/store"), quiet=quiet)
        project = make_project(Bindings("cffi"), [*CDYLIB, BUILD_RS], cfg=cfg, root=root,
                               env_fingerprint={})
        cell = assemble(project, cells_for(project.bindings, project.interpreters,
                                           [LINUX])).cells[0]
        plans = [cell.compile, cell.header, cell.repair, cell.wheel]
        return [p.cache.fingerprint if p is not None and p.cache else None for p in plans]

    here = keys(Path("/src/a"), False)
    assert None not in here
    assert keys(Path("/elsewhere/b"), True) == here


def test_several_interpreters_give_several_cells() -> None:
    project = make_project(Bindings("pyo3", "pyo3"), CDYLIB,
                           interpreters=(cpython(12), cpython(11)), resolution_inputs=("/x",))
    plan = assemble(project, cells_for(project.bindings, project.interpreters, [LINUX]))
    assert [c.name for c in plan.cells] == ["cp312-x86_64-unknown-linux-gnu",
                                            "cp311-x86_64-unknown-linux-gnu"]
    assert len(plan.plan_files()) == 6  # compile, repair and wheel per cell
    assert len({c.wheel.output for c in plan.cells}) == 2
    assert plan.resolution_inputs == ("/x",)


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError(f"a plan touched the outside world: {args!r}")


def test_plans_are_pure(monkeypatch: pytest.MonkeyPatch) -> None:
    sources = WheelSources(python=(FileItem("pkg/a.py", "/src/demo/python/pkg/a.py"),
                                   FileItem("pkg/b.py", "/src/demo/python/pkg/b.py")))
    cases: list[tuple[Bindings, list[dict[str, Any]], ProjectLayout]] = [
        (Bindings("cffi"), [*CDYLIB, BUILD_RS], MIXED),
        (Bindings("pyo3", "pyo3", (3, 9)), CDYLIB, PURE), (Bindings("bin"), BINS, PURE)]
    for bindings, targets, layout in cases:
        project = make_project(bindings, targets, layout=layout, sources=sources,
                               cfg=config(cache_dir=Path("/store")))
        cells = cells_for(bindings, project.interpreters, [LINUX])
        first = assemble(project, cells)  # lazy imports happen here
        with monkeypatch.context() as m:
            for module, name in [(os, "stat"), (os, "lstat"), (os, "listdir"), (os, "scandir"),
                                 (builtins, "open"), (io, "open"), (subprocess, "Popen")]:
                m.setattr(module, name, _refuse)
            again = assemble(project, cells)
        assert again == first


def test_rustwheels_own_variables_are_not_in_the_compile_key() -> None:
    """Where the store is, whether a remote store is read-only, when results are stored: none
    of it changes what cargo builds, so none of it may change a store key (two CI machines
    with stores at other paths, a pull request's read-only build, share their results)."""
    from rustwheel.stages.detect.resolve import env_fingerprint

    base = {"RUSTFLAGS": "-Cdebuginfo=1", "PATH": "/bin"}
    ours = {"RUSTWHEEL_CACHE_DIR": "/elsewhere", "RUSTWHEEL_REMOTE_CACHE_READ_ONLY": "1",
            "RUSTWHEEL_CACHE_WRITE": "inline", "RUSTWHEEL_REMOTE_CACHE": "http://u:p@h/c"}
    assert env_fingerprint({**base, **ours}) == env_fingerprint(base)
    assert list(env_fingerprint(base)) == ["RUSTFLAGS"]
    assert env_fingerprint({**base, "RUSTFLAGS": "-Copt-level=1"}) != env_fingerprint(base)
