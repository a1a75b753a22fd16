fn main() -> std::process::ExitCode {
    tinbao_server::cli::main()
}
