// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // `--setup-station` / `--import`: prepare a register from a script, without a window.
    if let Some(code) = tinbao_desktop::headless::run_from_args() {
        std::process::exit(code);
    }
    #[cfg(target_os = "linux")]
    webkit_memory_defaults();
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    malloc_returns_large_blocks();
    tinbao_desktop::run();
}

/// Blocks of 16 MiB and more are mapped on their own, so that freeing one gives the memory
/// back to the system at once. glibc otherwise raises its mapping threshold to the size of the
/// first large block freed: each login runs Argon2 twice with 19 MiB (the key's unwrapping and
/// the password check), the second run then came from a worker thread's heap and those 19 MiB
/// stayed resident for the whole session (app process 117 → 108 MB PSS, Register of 100,000
/// cases, tests/e2e/bench.mjs). Below 16 MiB the heap works as before: the trimming threshold
/// is fixed at 32 MiB, where glibc's own adjustment would have put it, so the window-sized
/// buffers the app paints each frame are reused, not mapped and faulted in again (a 1 MiB
/// threshold did that: scrolling 90 frames took ~20 % longer). Not for the headless import,
/// which returns before this.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn malloc_returns_large_blocks() {
    // glibc's <malloc.h>: int mallopt(int param, int value). Setting either threshold stops
    // glibc's own adjustment of both.
    unsafe extern "C" {
        fn mallopt(param: std::ffi::c_int, value: std::ffi::c_int) -> std::ffi::c_int;
    }
    const M_TRIM_THRESHOLD: std::ffi::c_int = -1;
    const M_MMAP_THRESHOLD: std::ffi::c_int = -3;
    let user_set = std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_some()
        || std::env::var_os("MALLOC_TRIM_THRESHOLD_").is_some()
        || std::env::var("GLIBC_TUNABLES").is_ok_and(|t| t.contains("_threshold"));
    if user_set || std::env::var_os("TINBAO_LOW_MEMORY").is_some_and(|v| v == "0") {
        return;
    }
    // SAFETY: a plain setting of the allocator, made before any thread exists.
    unsafe {
        mallopt(M_MMAP_THRESHOLD, 16 << 20);
        mallopt(M_TRIM_THRESHOLD, 32 << 20);
    }
}

/// WebKitGTK settings that keep the app small on the stations' old PCs. They are environment
/// variables, read by the WebKit processes the app starts (which inherit them), so they are set
/// here, before any thread exists. A variable already set by the user is left as it is, and
/// `TINBAO_LOW_MEMORY=0` keeps WebKit's compositing and JIT (for comparison or a bad driver).
///
/// Measured with `tests/e2e/bench.mjs` (PSS of all the app's processes after the Register of
/// 100,000 cases and three searches, release build, Xvfb + llvmpipe, medians of 5): 378 MB
/// before (app 112, web 236, network 28), 262 MB with the two settings below (web 117).
/// WebKit's cache model (document viewer) and memory-pressure settings, MALLOC_ARENA_MAX=2,
/// softpipe and a smaller SQLite cache were tried too and saved nothing measurable; so did
/// `Malloc=1` (system malloc instead of libpas: web process +5 MB) and smaller JSC heap growth
/// factors (no change: the page's JavaScript heap is a few MB).
#[cfg(target_os = "linux")]
fn webkit_memory_defaults() {
    let set_default = |name: &str, value: &str| {
        if std::env::var_os(name).is_none() {
            // SAFETY: nothing else runs yet (no threads exist before the app starts).
            unsafe { std::env::set_var(name, value) };
        }
    };
    // WebKit paints the page on the CPU (Skia): with compositing on, its GPU painting kept
    // ~50 MB more in the web process under llvmpipe.
    set_default("WEBKIT_SKIA_ENABLE_CPU_RENDERING", "1");
    if std::env::var_os("TINBAO_LOW_MEMORY").is_some_and(|v| v == "0") {
        return;
    }
    // No compositing mode: the page is painted into one shared-memory buffer instead of
    // GL-composited layers, which without a GPU (llvmpipe) cost ~95 MB in the web process
    // (236 → 140 MB). It is also smoother there: 90 frames of wheel-like scrolling in the
    // Register take 1.4 s (longest frame 18 ms) against 6.1 s (92 ms) composited. A search
    // shows its rows ~90 ms later (370 against 280 ms after the keystroke, 180 ms of which
    // is the typing debounce). Forms, Chart.js canvases and the printed receipt are unchanged.
    // The e2e screenshots come from the X display in this mode (tests/e2e/lib/app.mjs).
    set_default("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    // JavaScriptCore without its JIT tiers (interpreter only): another ~23 MB of the web
    // process (140 → 117 MB); cold start, search and scrolling stay within run-to-run noise,
    // since the UI runs little JavaScript per action (a page of rows, one chart).
    set_default("JSC_useJIT", "0");
}
