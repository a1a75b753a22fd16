//! One station device syncing once, as its own process, so the crash test can kill it at any
//! point. Usage: scenario-device DB_PATH. Prints each progress step as a JSON line, then
//! `done`. Exit 0 on a complete sync, 1 on an error.
fn main() -> std::process::ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: scenario-device DB_PATH");
        return std::process::ExitCode::from(2);
    };
    let run = || -> Result<(), Box<dyn std::error::Error>> {
        let mut store = tinbao_core::Store::open(&path, tinbao_scenarios::KEY)?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        // Small batches: more steps between which the crash test can strike.
        // Quick retries: the crash test restarts the server within a second.
        let opts = tinbao_sync_client::SyncOptions {
            push_batch: 3,
            pull_batch: 5,
            retry: tinbao_sync_client::RetryPolicy {
                attempts: 4,
                base: std::time::Duration::from_millis(50),
                max: std::time::Duration::from_millis(400),
            },
        };
        // One line per step, flushed, so the crash test can kill the process right after a
        // chosen step.
        let say = |p: &tinbao_sync_client::Progress| {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{}", serde_json::to_string(p).unwrap_or_default());
            let _ = out.flush();
        };
        rt.block_on(tinbao_sync_client::sync_store(&mut store, &opts, &say))?;
        println!("done");
        Ok(())
    };
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            std::process::ExitCode::from(1)
        }
    }
}
