"""The root package's own resolution (`rustwheel.cargo.tree`): `cargo tree` lines narrow the
workspace-unified `cargo metadata` graph (pure: hand-written documents)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rustwheel.cargo.metadata import CargoMetadata, parse_metadata
from rustwheel.cargo.tree import cargo_tree_argv, needs_scoping, parse_tree, scoped
from rustwheel.stages.detect.bindings import detect

ROOT = Path("/ws/bin/Cargo.toml")


def _pkg(name: str, version: str, manifest: str, kind: str = "lib") -> dict[str, Any]:
    return {"id": f"{name} {version}", "name": name, "version": version, "manifest_path": manifest,
            "targets": [{"name": name, "kind": [kind], "crate_types": [kind], "src_path": "x.rs"}]}


def _workspace() -> CargoMetadata:
    """bin -> shared -(optional, enabled by the sibling `python`)-> pyo3 with abi3."""
    packages = [_pkg("bin", "0.1.0", str(ROOT), "bin"),
                _pkg("python", "0.1.0", "/ws/python/Cargo.toml"),
                _pkg("shared", "0.1.0", "/ws/shared/Cargo.toml"),
                _pkg("pyo3", "0.29.0", "/registry/pyo3/Cargo.toml"),
                _pkg("libc", "0.2.1", "/registry/libc/Cargo.toml")]
    nodes = [{"id": "bin 0.1.0", "deps": [{"pkg": "shared 0.1.0"}], "features": []},
             {"id": "python 0.1.0", "deps": [{"pkg": "shared 0.1.0"}], "features": []},
             {"id": "shared 0.1.0", "deps": [{"pkg": "pyo3 0.29.0"}, {"pkg": "libc 0.2.1"}],
              "features": ["python"]},
             {"id": "pyo3 0.29.0", "deps": [], "features": ["abi3", "default"]},
             {"id": "libc 0.2.1", "deps": [], "features": ["std"]}]
    return parse_metadata({"packages": packages, "resolve": {"nodes": nodes},
                           "target_directory": "/ws/target", "workspace_root": "/ws",
                           "workspace_members": ["bin 0.1.0", "python 0.1.0", "shared 0.1.0"]},
                          ROOT)


TREE = """bin v0.1.0 (/ws/bin)|
shared v0.1.0 (/ws/shared)|
libc v0.2.1|std
libc v0.2.1|std (*)
"""


def test_parse_tree_reads_name_version_features_and_skips_repeats() -> None:
    tree = parse_tree(TREE + "pyo3 v0.29.0|default,macros\n\n")
    assert tree == {("bin", "0.1.0"): (), ("shared", "0.1.0"): (), ("libc", "0.2.1"): ("std",),
                    ("pyo3", "0.29.0"): ("default", "macros")}


def test_a_pyo3_only_a_sibling_enables_is_not_the_roots() -> None:
    meta = _workspace()
    assert needs_scoping(meta)
    assert detect(meta, None, "x").pyo3_crate == "pyo3"  # the unified graph over-reports
    own = scoped(meta, parse_tree(TREE))
    assert [p.name for p in own.dependency_closure()] == ["libc", "shared"]
    assert own.features["shared 0.1.0"] == ()
    assert detect(own, None, "x").kind == "bin"
    assert detect(own, None, "x").pyo3_crate is None


def test_a_pyo3_feature_only_a_sibling_enables_is_not_the_roots() -> None:
    own = scoped(_workspace(), parse_tree(TREE + "pyo3 v0.29.0|default\n"))
    assert own.features["pyo3 0.29.0"] == ("default",)
    bindings = detect(own, "pyo3", "x")
    assert bindings.abi3 is None


def test_single_member_workspaces_are_not_scoped() -> None:
    meta = _workspace()
    single = CargoMetadata(root=meta.root, packages=meta.packages, deps=meta.deps,
                           features=meta.features, target_directory=meta.target_directory,
                           workspace_root=meta.workspace_root,
                           workspace_members=("bin 0.1.0",))
    assert not needs_scoping(single)


def test_cargo_tree_argv_keeps_the_resolution_flags() -> None:
    argv = cargo_tree_argv(ROOT, "x86_64-unknown-linux-gnu", ["--features", "a,b", "--locked"])
    assert argv[:6] == ["cargo", "tree", "--manifest-path", str(ROOT), "--target",
                        "x86_64-unknown-linux-gnu"]
    assert argv[-3:] == ["--features", "a,b", "--locked"]
    assert "{p}|{f}" in argv
