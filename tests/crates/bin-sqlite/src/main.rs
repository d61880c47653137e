use std::os::raw::c_int;

// Links the system libsqlite3 (Debian's libsqlite3-dev): a repaired wheel carries its own copy.
#[link(name = "sqlite3")]
extern "C" {
    fn sqlite3_libversion_number() -> c_int;
}

fn main() {
    println!("{}", unsafe { sqlite3_libversion_number() });
}
