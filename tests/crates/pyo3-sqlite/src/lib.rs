use std::ffi::CStr;
use std::os::raw::{c_char, c_int};

// Debian's libsqlite3-dev provides libsqlite3.so; the wheel must carry libsqlite3.so.0 itself.
#[link(name = "sqlite3")]
extern "C" {
    fn sqlite3_libversion() -> *const c_char;
    fn sqlite3_libversion_number() -> c_int;
}

#[pyo3::pymodule]
mod pyo3_sqlite {
    use pyo3::prelude::*;

    /// The version of the libsqlite3 the module is linked with, e.g. "3.40.1".
    #[pyfunction]
    fn sqlite_version() -> String {
        unsafe { super::CStr::from_ptr(super::sqlite3_libversion()) }
            .to_string_lossy()
            .into_owned()
    }

    /// The same as a number, e.g. 3040001.
    #[pyfunction]
    fn sqlite_version_number() -> i32 {
        unsafe { super::sqlite3_libversion_number() }
    }
}
