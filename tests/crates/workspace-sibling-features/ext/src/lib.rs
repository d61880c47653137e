use pyo3::prelude::*;

#[pymodule]
mod sibling_ext {
    use pyo3::prelude::*;

    #[pyfunction]
    fn answer() -> u64 {
        sibling_shared::answer()
    }
}
