use pyo3::prelude::*;

#[pymodule]
mod pyo3_license_dynamic {
    use pyo3::prelude::*;

    #[pyclass]
    struct DummyClass {}

    #[pymethods]
    impl DummyClass {
        #[staticmethod]
        fn get_42() -> usize {
            42
        }
    }
}
