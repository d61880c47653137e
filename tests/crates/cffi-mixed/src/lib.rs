//! cffi bindings in a mixed python/Rust project, exposed as `cffi_pkg._lowlevel`.

#[no_mangle]
pub extern "C" fn add(a: i32, b: i32) -> i32 {
    a + b
}

#[no_mangle]
pub extern "C" fn multiply(a: i64, b: i64) -> i64 {
    a * b
}
