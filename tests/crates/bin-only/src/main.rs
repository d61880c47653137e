fn main() {
    println!("hello from bin-only");
}
