use pyo3::prelude::*;

#[pymodule]
mod member_ext {
    use pyo3::prelude::*;

    /// Returns 42, computed by the `helper-lib` workspace member.
    #[pyfunction]
    fn answer() -> i64 {
        helper_lib::the_answer()
    }
}
