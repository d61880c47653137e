//! cffi bindings whose header is written by the build script (no cbindgen needed).

#[no_mangle]
pub extern "C" fn add(a: i32, b: i32) -> i32 {
    a + b
}

#[no_mangle]
pub extern "C" fn answer() -> u32 {
    42
}
