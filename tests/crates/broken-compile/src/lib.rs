use pyo3::prelude::*;

#[pymodule]
mod broken_compile {
    use pyo3::prelude::*;

    #[pyfunction]
    fn broken() -> i64 {
        // Deliberate type error (E0308): a &str where an i64 is expected.
        let value: i64 = "definitely not a number";
        value
    }
}
