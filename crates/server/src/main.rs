//! `tinbao-server`: the provincial server and its administrator's command line.
fn main() -> std::process::ExitCode {
    tinbao_server::cli::main()
}
