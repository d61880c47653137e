use pyo3::prelude::*;

#[pymodule]
mod pyo3_pure_abi3 {
    use pyo3::prelude::*;

    /// Add two integers.
    #[pyfunction]
    fn add(a: i64, b: i64) -> i64 {
        a + b
    }

    /// Return a greeting for `name`.
    #[pyfunction]
    fn greet(name: &str) -> String {
        format!("Hello, {name}!")
    }
}
