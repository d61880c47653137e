fn main() {
    println!("sibling-cli: {}", sibling_shared::answer());
}
