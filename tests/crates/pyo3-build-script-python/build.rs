//! Runs the interpreter the build is for, as `cryptography`'s build script runs cffi: maturin
//! names it in `PYO3_PYTHON` for every pyo3 build, abi3 included.
use std::env;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=PYO3_PYTHON");
    let python = env::var("PYO3_PYTHON").expect("PYO3_PYTHON is not set");
    let out = Command::new(&python)
        .args(["-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
        .output()
        .expect("failed to run PYO3_PYTHON");
    assert!(out.status.success(), "PYO3_PYTHON failed");
    let version = String::from_utf8(out.stdout).unwrap();
    println!("cargo:rustc-env=BUILD_PYTHON_VERSION={}", version.trim());
}
