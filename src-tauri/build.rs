use std::path::Path;

fn main() {
    // tauri's context macro refuses to compile when frontendDist is missing; a placeholder
    // lets `cargo test` of the backend build without the UI. The real UI overwrites it.
    let dist = Path::new("ui/dist");
    if !dist.join("index.html").exists() {
        std::fs::create_dir_all(dist).expect("create ui/dist");
        std::fs::write(
            dist.join("index.html"),
            "<!doctype html><meta charset=utf-8><title>Tinbao</title>\
             <p>Giao diện chưa được build: chạy <code>npm --prefix ui run build</code>.</p>",
        )
        .expect("write placeholder ui/dist/index.html");
    }
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    println!("cargo:rerun-if-changed=tauri.conf.json");
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*");
    tauri_build::try_build(attributes).expect("tauri-build");
}
