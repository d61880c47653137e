//! Minimal proc-macro based uniffi crate (rustwheel test crate).

uniffi::setup_scaffolding!();

#[uniffi::export]
fn multiply(a: i64, b: i64) -> i64 {
    a * b
}
