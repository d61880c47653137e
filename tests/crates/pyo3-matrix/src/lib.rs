use pyo3::prelude::*;

#[cfg(broken)]
compile_error!("pyo3-matrix is broken for this Python version on purpose (PYO3_MATRIX_BREAK_MINOR)");

/// A version-specific (not abi3) extension: it knows the Python it was built for.
#[pymodule]
mod pyo3_matrix {
    use pyo3::prelude::*;

    /// The interpreter this module was compiled for, e.g. `CPython-3.12`.
    #[pyfunction]
    fn built_for() -> &'static str {
        env!("PYO3_MATRIX_BUILT_FOR")
    }

    /// Changed by the tests' Rust edits.
    #[pyfunction]
    fn edit_tag() -> u32 {
        0
    }
}
