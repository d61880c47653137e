use pyo3::prelude::*;

#[pymodule]
mod _native {
    use pyo3::prelude::*;

    #[pyfunction]
    fn answer() -> u64 {
        mixed_ws_core::answer()
    }

    #[pyfunction]
    fn twice(value: u64) -> u64 {
        value * 2
    }
}
