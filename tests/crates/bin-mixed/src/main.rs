fn main() { println!("bin-mixed tool"); }
