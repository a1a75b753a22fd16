/// The command names declared in `src-tauri/commands/mod.rs`, read from its source: the
/// `name` of every `module::name(…) -> …;` line in the `app_commands! { … }` block. Used by
/// `build.rs`, which cannot expand the macro (it knows none of the types), and by a test that
/// checks it finds the macro's own `COMMANDS`.
fn declared_commands(source: &str) -> Vec<String> {
    let start = source
        .find("\napp_commands! {")
        .expect("an app_commands! { … } block in src-tauri/commands/mod.rs");
    let block = &source[start + 1..];
    let block = &block[..block.find("\n}").expect("the end of the app_commands! block")];
    block
        .lines()
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .map(|l| {
            let head = l.split('(').next().unwrap_or_default();
            let name = head.rsplit("::").next().unwrap_or_default().trim();
            assert!(
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                "src-tauri/commands/mod.rs: one `module::name(…) -> …;` per line, not {l:?}"
            );
            name.to_owned()
        })
        .collect()
}
