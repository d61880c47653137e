use pyo3::prelude::*;

/// Native half of `contents_pkg`, importable as `contents_pkg._native`.
#[pymodule]
mod _native {
    use pyo3::prelude::*;

    /// Return `n` words, joined by spaces.
    #[pyfunction]
    fn repeat_word(word: &str, n: usize) -> String {
        vec![word; n].join(" ")
    }
}
