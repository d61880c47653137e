use pyo3::prelude::*;

#[pymodule]
mod pyo3_build_script_python {
    use pyo3::prelude::*;

    /// The `major.minor` of the interpreter the build script ran.
    #[pyfunction]
    fn build_python() -> &'static str {
        env!("BUILD_PYTHON_VERSION")
    }
}
