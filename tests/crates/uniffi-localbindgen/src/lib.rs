uniffi::setup_scaffolding!();

/// Join two words with a dash.
#[uniffi::export]
fn join(a: String, b: String) -> String {
    format!("{a}-{b}")
}
