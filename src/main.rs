fn main() -> std::process::ExitCode {
    gongkai::cli::run(std::env::args_os())
}
