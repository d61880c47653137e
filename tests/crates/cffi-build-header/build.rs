//! Writes `<cargo target dir>/header.h`, which maturin and rustwheel use instead of running
//! cbindgen. The target dir is found from OUT_DIR (`<target>[/<triple>]/<profile>/build/<pkg>/out`).

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

const HEADER: &str = "\
/* Written by cffi-build-header's build.rs */
int32_t add(int32_t a, int32_t b);
uint32_t answer(void);
";

fn target_dir() -> PathBuf {
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let build = out_dir
        .ancestors()
        .find(|p| p.file_name().map_or(false, |n| n == "build"))
        .expect("OUT_DIR lies under <profile>/build");
    let mut dir: &Path = build.parent().and_then(Path::parent).expect("a target dir");
    if let Ok(triple) = env::var("TARGET") {
        if dir.file_name().map_or(false, |n| n == triple.as_str()) {
            dir = dir.parent().expect("a target dir above the target triple");
        }
    }
    dir.to_path_buf()
}

fn main() {
    let header = target_dir().join("header.h");
    fs::write(&header, HEADER).expect("write header.h");
    println!("cargo:rerun-if-changed=build.rs");
}
