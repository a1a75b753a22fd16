// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // `--setup-station` / `--import`: prepare a register from a script, without a window.
    if let Some(code) = tinbao_desktop::headless::run_from_args() {
        std::process::exit(code);
    }
    // WebKit paints the page's tiles on the CPU (Skia) and still composites them: with its GPU
    // painting, the web process kept ~50 MB more (PSS, Register of 100,000 cases; llvmpipe
    // under Xvfb) for a page of forms and one table. Set before any thread exists: the web
    // process inherits it. An explicit WEBKIT_SKIA_ENABLE_CPU_RENDERING is left as it is.
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_SKIA_ENABLE_CPU_RENDERING").is_none() {
        // SAFETY: nothing else runs yet (no threads exist before the app starts).
        unsafe { std::env::set_var("WEBKIT_SKIA_ENABLE_CPU_RENDERING", "1") };
    }
    // Low-memory mode for old PCs: WebKitGTK without its compositing mode saves about another
    // 50 MB (PSS). Opt-in, because WebDriver screenshots then wait for a repaint that a still
    // page never makes (they hang on the Today screen; shared/notes/tauri-on-debian.md).
    #[cfg(target_os = "linux")]
    if std::env::var_os("TINBAO_LOW_MEMORY").is_some_and(|v| v == "1")
        && std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none()
    {
        // SAFETY: as above.
        unsafe { std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1") };
    }
    tinbao_desktop::run();
}
