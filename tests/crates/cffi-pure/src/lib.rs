//! A plain C ABI library: rustwheel generates the cffi glue from its cbindgen header.

/// A point in the plane.
#[repr(C)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

#[no_mangle]
pub extern "C" fn add(a: i32, b: i32) -> i32 {
    a + b
}

#[no_mangle]
pub extern "C" fn make_point(x: f64, y: f64) -> Point {
    Point { x, y }
}

#[no_mangle]
pub extern "C" fn point_norm_squared(p: Point) -> f64 {
    p.x * p.x + p.y * p.y
}
