fn main() -> std::process::ExitCode {
    nat::cli::main()
}
