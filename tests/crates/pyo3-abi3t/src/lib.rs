use pyo3::prelude::*;

#[pymodule]
mod pyo3_abi3t {
    use pyo3::prelude::*;

    #[pyfunction]
    fn answer() -> u64 {
        42
    }
}
