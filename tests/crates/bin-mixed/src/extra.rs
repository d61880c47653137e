fn main() { println!("bin-mixed extra"); }
