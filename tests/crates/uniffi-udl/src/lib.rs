//! Minimal UDL-based uniffi crate (rustwheel test crate).

pub fn add(a: u32, b: u32) -> u32 {
    a + b
}

pub fn hello(name: String) -> String {
    format!("Hello, {name}!")
}

uniffi::include_scaffolding!("uniffi_udl_demo");
