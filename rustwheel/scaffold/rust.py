"""The Rust half of a new project: Cargo.toml and the crate's source, per bindings (pure).

Dependency versions are the ones rustwheel's own test crates use (tests/crates), so a new
project builds from the same cargo registry cache."""

from __future__ import annotations

from rustwheel.scaffold.spec import ProjectSpec

PYO3 = '{ version = "0.30", features = ["abi3-py39"] }'
"""pyo3 with the stable ABI from CPython 3.9: one wheel per target for every CPython >= 3.9."""
UNIFFI = '"0.31"'

_DEPENDENCIES = {"pyo3": f"pyo3 = {PYO3}\n", "uniffi": f"uniffi = {UNIFFI}\n",
                 "cffi": "", "bin": ""}


def cargo_toml(spec: ProjectSpec) -> str:
    lib = "" if spec.bindings == "bin" else (
        f'\n[lib]\nname = "{spec.module}"\ncrate-type = ["cdylib"]\n')
    return (f'[package]\nname = "{spec.name}"\nversion = "0.1.0"\nedition = "2021"\n'
            f"publish = false\n{lib}\n[dependencies]\n{_DEPENDENCIES[spec.bindings]}")


def _pyo3_lib(spec: ProjectSpec) -> str:
    name = spec.extension.rpartition(".")[2]
    return f"""use pyo3::prelude::*;

/// The Python module `{spec.extension}`, written in Rust.
#[pymodule]
mod {name} {{
    use pyo3::prelude::*;

    /// Return the sum of `a` and `b`.
    #[pyfunction]
    fn add(a: i64, b: i64) -> i64 {{
        a + b
    }}
}}
"""


_CFFI_LIB = """//! A C ABI library: rustwheel writes its C header with cbindgen, and cffi's glue.

/// Return the sum of `a` and `b` (called from Python as `lib.add`).
#[no_mangle]
pub extern "C" fn add(a: i64, b: i64) -> i64 {
    a + b
}
"""

_UNIFFI_LIB = """//! A uniffi library: rustwheel generates its Python bindings with uniffi-bindgen.

uniffi::setup_scaffolding!();

/// Return the sum of `a` and `b`.
#[uniffi::export]
fn add(a: i64, b: i64) -> i64 {
    a + b
}
"""


def _bin_main(spec: ProjectSpec) -> str:
    return f'fn main() {{\n    println!("Hello from {spec.name}!");\n}}\n'


def rust_sources(spec: ProjectSpec) -> dict[str, str]:
    """``{path relative to the crate: text}`` of the crate's sources."""
    if spec.bindings == "bin":
        return {"src/main.rs": _bin_main(spec)}
    lib = {"pyo3": _pyo3_lib(spec), "cffi": _CFFI_LIB, "uniffi": _UNIFFI_LIB}[spec.bindings]
    return {"src/lib.rs": lib}
