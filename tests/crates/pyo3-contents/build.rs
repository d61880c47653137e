use std::env;
use std::fs;
use std::path::Path;

// Writes a python module into OUT_DIR; pyproject.toml ships it with
// include = [{ path = "build_info.py", from = "out-dir", to = "contents_pkg/" }].
fn main() {
    let out_dir = env::var("OUT_DIR").unwrap();
    let profile = env::var("PROFILE").unwrap();
    let text = format!("BUILT_BY = \"build.rs\"\nPROFILE = \"{profile}\"\n");
    fs::write(Path::new(&out_dir).join("build_info.py"), text).unwrap();
    fs::write(Path::new(&out_dir).join("not-shipped.txt"), "left out\n").unwrap();
    println!("cargo:rerun-if-changed=build.rs");
}
