// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // `--setup-station` / `--import`: prepare a register from a script, without a window.
    if let Some(code) = tinbao_desktop::headless::run_from_args() {
        std::process::exit(code);
    }
    tinbao_desktop::run();
}
