/// The answer, computed in a plain rlib workspace member.
pub fn the_answer() -> i64 {
    6 * 7
}
