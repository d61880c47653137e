fn main() {
    uniffi::generate_scaffolding("src/uniffi_udl_demo.udl").unwrap();
}
