use pyo3::prelude::*;

/// Native half of `mixed_pkg`, importable as `mixed_pkg._native`.
#[pymodule]
mod _native {
    use pyo3::prelude::*;

    /// Return the sum of `a` and `b` as a decimal string.
    #[pyfunction]
    fn sum_as_string(a: usize, b: usize) -> String {
        (a + b).to_string()
    }
}
