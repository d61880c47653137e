//! Records the Python version pyo3 builds for, and breaks the build on purpose for one minor
//! version when `PYO3_MATRIX_BREAK_MINOR` names it (the matrix test's failing cell).
fn main() {
    pyo3_build_config::use_pyo3_cfgs();
    let config = pyo3_build_config::get();
    println!(
        "cargo:rustc-env=PYO3_MATRIX_BUILT_FOR={:?}-{}.{}",
        config.implementation, config.version.major, config.version.minor
    );
    println!("cargo::rustc-check-cfg=cfg(broken)");
    println!("cargo:rerun-if-env-changed=PYO3_MATRIX_BREAK_MINOR");
    if let Ok(minor) = std::env::var("PYO3_MATRIX_BREAK_MINOR") {
        if minor == config.version.minor.to_string() {
            println!("cargo:rustc-cfg=broken");
        }
    }
}
