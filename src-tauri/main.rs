// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // `--setup-station` / `--import`: prepare a register from a script, without a window.
    if let Some(code) = tinbao_desktop::headless::run_from_args() {
        std::process::exit(code);
    }
    // Low-memory mode for old PCs: WebKitGTK without its compositing mode measured 139 MB
    // instead of 284 MB (PSS) for the web process on the Register. Opt-in, because under
    // Xvfb WebDriver screenshots can hang in that mode (shared/notes/tauri-on-debian.md).
    #[cfg(target_os = "linux")]
    if std::env::var_os("TINBAO_LOW_MEMORY").is_some_and(|v| v == "1")
        && std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none()
    {
        // SAFETY: nothing else runs yet (no threads exist before the app starts).
        unsafe { std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1") };
    }
    tinbao_desktop::run();
}
