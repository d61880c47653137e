"""Binding detection over cargo metadata (pure: hand-written `cargo metadata` documents)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import pytest
from planfacts import cpython

from rustwheel.cargo.metadata import parse_metadata
from rustwheel.errors import ConfigError
from rustwheel.stages.compile.pyo3config import below_abi3t_minimum
from rustwheel.stages.detect.bindings import detect

ROOT_MANIFEST = Path("/src/demo/Cargo.toml")


def _pkg(name: str, version: str = "1.0.0", targets: Optional[list[dict[str, Any]]] = None,
         manifest: Optional[Path] = None) -> dict[str, Any]:
    return {"id": f"{name} {version}", "name": name, "version": version,
            "manifest_path": str(manifest or Path(f"/registry/{name}-{version}/Cargo.toml")),
            "targets": targets or [{"name": name.replace("-", "_"), "kind": ["lib"],
                                    "crate_types": ["lib"], "src_path": "lib.rs"}]}


def _meta(root_targets: list[dict[str, Any]], deps: dict[str, list[str]],
          features: Optional[dict[str, list[str]]] = None, extra: tuple[str, ...] = ()) -> Any:
    names = {n for ds in deps.values() for n in ds} | set(extra)
    packages = [_pkg("demo", "0.1.0", root_targets, ROOT_MANIFEST)]
    versions = {}
    for n in sorted(names):
        name, _, version = n.partition("@")
        versions[n] = version or "1.0.0"
        packages.append(_pkg(name, versions[n]))

    def pid(n: str) -> str:
        name, _, version = n.partition("@")
        return "demo 0.1.0" if n == "demo" else f"{name} {version or '1.0.0'}"

    nodes = [{"id": pid(k), "deps": [{"pkg": pid(d)} for d in v],
              "features": (features or {}).get(k, [])} for k, v in deps.items()]
    data = {"packages": packages, "resolve": {"nodes": nodes, "root": "demo 0.1.0"},
            "target_directory": "/src/demo/target", "workspace_root": "/src/demo",
            "workspace_members": ["demo 0.1.0"]}
    return parse_metadata(data, ROOT_MANIFEST)


CDYLIB = [{"name": "demo", "kind": ["cdylib"], "crate_types": ["cdylib"], "src_path": "lib.rs"}]
BIN = [{"name": "demo-cli", "kind": ["bin"], "crate_types": ["bin"], "src_path": "main.rs"}]
RLIB = [{"name": "demo", "kind": ["lib"], "crate_types": ["lib"], "src_path": "lib.rs"}]


def test_pyo3_cdylib_is_pyo3() -> None:
    b = detect(_meta(CDYLIB, {"demo": ["pyo3"], "pyo3": ["pyo3-ffi"]}), None, "x")
    assert (b.kind, b.pyo3_crate, b.abi3) == ("pyo3", "pyo3", None)


def test_transitive_pyo3_counts() -> None:
    b = detect(_meta(CDYLIB, {"demo": ["wrapper"], "wrapper": ["pyo3"]}), None, "x")
    assert b.kind == "pyo3"


def test_pyo3_ffi_only() -> None:
    b = detect(_meta(CDYLIB, {"demo": ["pyo3-ffi"]}), None, "x")
    assert (b.kind, b.pyo3_crate) == ("pyo3-ffi", "pyo3-ffi")


def test_abi3_minimum_from_features() -> None:
    feats = {"pyo3-ffi": ["abi3", "abi3-py39", "abi3-py310", "abi3-py311"]}
    b = detect(_meta(CDYLIB, {"demo": ["pyo3"], "pyo3": ["pyo3-ffi"], "pyo3-ffi": []}, feats),
               None, "x")
    assert b.abi3 == (3, 9)


def test_plain_abi3_means_interpreter_version() -> None:
    b = detect(_meta(CDYLIB, {"demo": ["pyo3"], "pyo3": ["pyo3-ffi"], "pyo3-ffi": []},
                      {"pyo3-ffi": ["abi3"]}),
               None, "x")
    assert b.abi3 == (0, 0)


def test_abi3t_minimum_apart_from_abi3() -> None:
    """pyo3 0.29's free-threaded stable ABI (``abi3t-py315``); maturin's pyo3-abi3t crate."""
    b = detect(_meta(CDYLIB, {"demo": ["pyo3"], "pyo3": ["pyo3-ffi"], "pyo3-ffi": []},
                      {"pyo3-ffi": ["abi3t", "abi3t-py315"]}), None, "x")
    assert (b.abi3, b.abi3t) == (None, (3, 15))
    # the version-specific builds below 3.15 let pyo3 read the interpreter, not a config file
    assert below_abi3t_minimum(b, cpython(11)) and not below_abi3t_minimum(b, cpython(15))


def test_pyo3_with_only_bin_is_bin_with_pyo3() -> None:
    b = detect(_meta(BIN, {"demo": ["pyo3"]}), None, "x")
    assert (b.kind, b.pyo3_crate) == ("bin", "pyo3")
    assert b.needs_interpreter


def test_uniffi_detected() -> None:
    assert detect(_meta(CDYLIB, {"demo": ["uniffi"]}), None, "x").kind == "uniffi"


def test_cdylib_without_bindings_crate_is_cffi() -> None:
    assert detect(_meta(CDYLIB, {"demo": ["libc"]}), None, "x").kind == "cffi"


def test_only_bins_is_bin() -> None:
    b = detect(_meta(BIN, {"demo": []}), None, "x")
    assert (b.kind, b.pyo3_crate, b.needs_interpreter) == ("bin", None, False)


def test_nothing_to_detect_is_an_error() -> None:
    with pytest.raises(ConfigError, match="--bindings"):
        detect(_meta(RLIB, {"demo": []}), None, "x")


def test_requested_pyo3_without_dependency_is_an_error() -> None:
    with pytest.raises(ConfigError, match="neither pyo3 nor pyo3-ffi"):
        detect(_meta(CDYLIB, {"demo": []}), "pyo3", "x")


def test_two_pyo3_versions_is_an_error() -> None:
    meta = _meta(CDYLIB, {"demo": ["pyo3@0.29.0", "other"], "other": ["pyo3@0.30.0"]})
    with pytest.raises(ConfigError, match="several versions"):
        detect(meta, None, "x")


def test_requested_bin_overrides_detection() -> None:
    assert detect(_meta(CDYLIB + BIN, {"demo": ["pyo3"]}), "bin", "x").kind == "bin"
