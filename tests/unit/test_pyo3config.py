"""pyo3's configuration per interpreter (pure): the config file's content, the cargo slot, and
what a cell's compile plan gets, from constructed interpreters and `cargo metadata`."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

from planfacts import LINUX, PYPY, cpython
from test_plans import CDYLIB, ROOT, make_project

from rustwheel.cargo.metadata import CargoMetadata, Target, parse_metadata
from rustwheel.host.interpreter import Interpreter
from rustwheel.plan.build import plan_cell, with_store_keys
from rustwheel.plan.matrix import cells_for
from rustwheel.plan.project import Project
from rustwheel.stages.compile import pyo3config
from rustwheel.stages.compile.plan import CompilePlan
from rustwheel.stages.detect.bindings import Bindings

EXTENSION = Bindings("pyo3", "pyo3")
BUILD_RS = {"name": "build-script-build", "kind": ["custom-build"], "crate_types": ["bin"],
            "src_path": "build.rs"}


def linked(interp: Interpreter, prefix: str = "/opt/py") -> Interpreter:
    """``interp`` with the linking facts its probe reports."""
    return dataclasses.replace(interp, shared=True, ld_version=f"{interp.version}{interp.abiflags}",
                               lib_dir=f"{prefix}/lib")


def pyo3_metadata(version: str, build_config_script: bool) -> CargoMetadata:
    """demo -> pyo3 -> pyo3-ffi -> (build) pyo3-build-config, at ``version``."""
    def package(name: str, targets: list[dict[str, Any]]) -> dict[str, Any]:
        return {"id": f"{name} {version}", "name": name, "version": version, "source": "registry",
                "manifest_path": f"/registry/{name}/Cargo.toml",
                "targets": [{"name": name.replace("-", "_"), "kind": ["lib"],
                             "crate_types": ["lib"], "src_path": "src/lib.rs"}, *targets]}
    demo = {"id": "demo 1.0.0", "name": "demo", "version": "1.0.0", "source": None,
            "manifest_path": str(ROOT / "Cargo.toml"),
            "targets": [{**t} for t in CDYLIB]}
    packages = [demo, package("pyo3", [BUILD_RS]), package("pyo3-ffi", [BUILD_RS]),
                package("pyo3-build-config", [BUILD_RS] if build_config_script else [])]
    edges = {"demo 1.0.0": ["pyo3"], "pyo3": ["pyo3-ffi", "pyo3-build-config"],
             "pyo3-ffi": ["pyo3-build-config"], "pyo3-build-config": []}
    nodes = [{"id": pid if pid.startswith("demo") else f"{pid} {version}",
              "deps": [{"pkg": f"{d} {version}"} for d in deps], "features": []}
             for pid, deps in edges.items()]
    return parse_metadata({"packages": packages, "resolve": {"nodes": nodes},
                           "target_directory": str(ROOT / "target"), "workspace_root": str(ROOT),
                           "workspace_members": ["demo 1.0.0"]}, ROOT / "Cargo.toml")


def pyo3_project(version: str = "0.30.1", bindings: Bindings = EXTENSION,
                 build_config_script: bool = False, **changes: Any) -> Project:
    return make_project(bindings, CDYLIB, meta=pyo3_metadata(version, build_config_script),
                        **changes)


def compile_plan(project: Project, interp: Interpreter) -> CompilePlan:
    (spec,) = cells_for(project.bindings, [interp], [LINUX])
    return plan_cell(project, spec).compile


def slot_arg(plan: CompilePlan) -> str:
    args = list(plan.cargo_args)
    return next(args[i + 1] for i, a in enumerate(args)
                if a == "--config" and ".codegen-units=" in args[i + 1])


def test_config_text_names_the_interpreter_by_its_facts() -> None:
    text = pyo3config.config_text(linked(cpython(12)), cross=False)
    assert text == ("implementation=CPython\nversion=3.12\nshared=true\nlib_name=python3.12\n"
                    "lib_dir=/opt/py/lib\npointer_width=64\nbuild_flags=\n")
    assert "executable" not in (text or "")


def test_config_text_for_another_target_leaves_the_host_linking_facts_out() -> None:
    text = pyo3config.config_text(linked(cpython(12)), cross=True)
    assert text == "implementation=CPython\nversion=3.12\nshared=true\nbuild_flags=\n"


def test_config_text_free_threaded_pypy_and_unknown() -> None:
    threaded = dataclasses.replace(linked(cpython(13, abiflags="t", free_threaded=True)),
                                   build_flags="Py_GIL_DISABLED")
    text = pyo3config.config_text(threaded, cross=False) or ""
    assert "lib_name=python3.13t\n" in text and "build_flags=Py_GIL_DISABLED\n" in text
    pypy = dataclasses.replace(PYPY, ld_version="3.11")
    assert "implementation=PyPy\n" in (pyo3config.config_text(pypy, cross=False) or "")
    assert "lib_name=pypy3.11-c\n" in (pyo3config.config_text(pypy, cross=False) or "")
    other = dataclasses.replace(PYPY, implementation="micropython")
    assert pyo3config.config_text(other, cross=False) is None


def test_slots_differ_per_interpreter_and_not_per_installation() -> None:
    interps = [cpython(m) for m in range(8, 15)] + [
        cpython(13, abiflags="t", free_threaded=True), PYPY]
    units = {pyo3config.slot_units(i, extension) for i in interps for extension in (True, False)}
    assert len(units) == 2 * len(interps) and min(units) >= 1
    # A CPython extension's slot splits the crate no finer than rustc's default (16).
    assert [pyo3config.slot_units(cpython(m), True) for m in range(8, 15)] == list(range(8, 15))
    here, there = linked(cpython(12), "/usr"), linked(cpython(12, "/x/venv/bin/python"), "/opt")
    assert pyo3config.slot_units(here, True) == pyo3config.slot_units(there, True)


def test_slot_root_is_the_first_crate_reading_the_interpreter() -> None:
    assert pyo3config.slot_root(pyo3_metadata("0.30.1", False)) == "pyo3-ffi"
    assert pyo3config.slot_root(pyo3_metadata("0.25.1", True)) == "pyo3-build-config"
    assert pyo3config.reads_config_file(pyo3_metadata("0.14.0", True))
    assert not pyo3config.reads_config_file(pyo3_metadata("0.13.2", True))


def test_extension_plan_writes_a_config_file_and_sets_no_interpreter_path() -> None:
    interp = linked(cpython(12))
    plan = compile_plan(pyo3_project(), interp)
    config = plan.pyo3_config
    assert config is not None
    assert config.text == pyo3config.config_text(interp, cross=False)
    assert Path(config.path).parent == ROOT / "target" / "rustwheel" / "pyo3"
    assert Path(config.path).name.startswith("cpython-3.12-64bit-")
    assert plan.env == {"PYO3_CONFIG_FILE": config.path, "PYO3_BUILD_EXTENSION_MODULE": "1"}
    units = pyo3config.slot_units(interp, True)
    assert slot_arg(plan) == f"profile.release.package.pyo3-ffi.codegen-units={units}"
    assert plan.lock == str(ROOT / "target" / "rustwheel" / "locks" / "release.lock")


def test_a_new_virtual_env_of_one_python_gives_the_same_plan_and_store_key(
        tmp_path: Path) -> None:
    """pip's and build's isolated environments: another path, the same interpreter."""
    project = pyo3_project(config=dataclasses.replace(
        pyo3_project().config, cache_dir=tmp_path / "store"))
    plans = []
    for exe in ("/tmp/build-env-a/bin/python", "/tmp/build-env-b/bin/python"):
        interp = linked(cpython(12, exe))
        (spec,) = cells_for(project.bindings, [interp], [LINUX])
        plans.append(with_store_keys(project, plan_cell(project, spec)).compile)
    assert plans[0] == plans[1]
    assert plans[0].cache is not None and plans[0].cache == plans[1].cache


def test_embedded_python_slot_differs_from_the_extension_one() -> None:
    interp = linked(cpython(12))
    binary = compile_plan(pyo3_project(), interp)
    project = pyo3_project(bindings=Bindings("bin", "pyo3"), lib=None,
                           bins=(Target("tool", ("bin",), ("bin",), str(ROOT / "src/main.rs")),))
    embedded = compile_plan(project, interp)
    assert "PYO3_BUILD_EXTENSION_MODULE" not in embedded.env
    assert embedded.pyo3_config == binary.pyo3_config
    assert slot_arg(embedded) != slot_arg(binary)


def test_old_pyo3_and_user_settings_keep_the_interpreter_path() -> None:
    interp = linked(cpython(12))
    old = compile_plan(pyo3_project("0.13.2", build_config_script=True), interp)
    assert old.pyo3_config is None and old.env["PYO3_PYTHON"] == interp.executable
    assert slot_arg(old).startswith("profile.release.package.pyo3-build-config.")
    project = pyo3_project()
    user = dataclasses.replace(project.config, env={"PYO3_CROSS_LIB_DIR": "/sysroot/lib"})
    mine = compile_plan(dataclasses.replace(project, config=user), interp)
    assert mine.pyo3_config is None and mine.env["PYO3_PYTHON"] == interp.executable


def test_config_file_written_when_missing_or_different_with_an_old_mtime(tmp_path: Path) -> None:
    from rustwheel.stages.compile.run import write_pyo3_config

    path = tmp_path / "rustwheel" / "pyo3" / "cpython-3.12-64bit-0123.txt"
    config = pyo3config.Pyo3Config(str(path), "implementation=CPython\nversion=3.12\n")
    write_pyo3_config(config)
    assert path.read_text() == config.text and path.stat().st_mtime == 315532800
    os.utime(path, (1_700_000_000, 1_700_000_000))
    write_pyo3_config(config)  # the same content: left alone
    assert path.stat().st_mtime == 1_700_000_000
    path.write_text("version=3.13\n")
    write_pyo3_config(config)
    assert path.read_text() == config.text and path.stat().st_mtime == 315532800
