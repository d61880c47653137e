use pyo3::prelude::*;

/// Native half of `src_pkg`, importable as `src_pkg._core`.
#[pymodule]
mod _core {
    use pyo3::prelude::*;

    /// Return `x` squared.
    #[pyfunction]
    fn square(x: i64) -> i64 {
        x * x
    }
}
