use pyo3::prelude::*;

#[pymodule]
mod hello_rustwheel {
    use pyo3::prelude::*;

    /// Say hello from Rust.
    #[pyfunction]
    fn hello(name: &str) -> String {
        format!("Hello, {name}, from Rust!")
    }
}
