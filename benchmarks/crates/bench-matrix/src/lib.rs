//! Native half of `bench_matrix`, importable as `bench_matrix._native`.
//!
//! The release-matrix benchmark (`benchmarks/matrix.py`) edits `SCALE` below to simulate a
//! Rust change. The module is version-specific (not abi3): one build per interpreter.

use pyo3::prelude::*;

/// Multiplier applied by `scaled_sum`; `benchmarks/matrix.py` rewrites this line.
pub const SCALE: i64 = 1;

#[pymodule]
mod _native {
    use pyo3::prelude::*;

    /// The current value of the crate's `SCALE` constant.
    #[pyfunction]
    fn scale() -> i64 {
        super::SCALE
    }

    /// `SCALE * sum(values)`.
    #[pyfunction]
    fn scaled_sum(values: Vec<i64>) -> i64 {
        super::SCALE * values.iter().sum::<i64>()
    }

    /// The `major.minor` of the interpreter running this module.
    #[pyfunction]
    fn python_version(py: Python<'_>) -> String {
        let v = py.version_info();
        format!("{}.{}", v.major, v.minor)
    }
}
