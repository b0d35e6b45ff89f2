// mimalloc: the build allocates many short-lived strings across threads; the system allocator
// spent a fifth of the build's CPU time in malloc and free (benches/README.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    gongkai::commands::run(std::env::args_os())
}
