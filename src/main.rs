//! The `redis-ha` binary: everything is in the library; this only hands over the exit code.

fn main() -> std::process::ExitCode {
    redis_ha::run()
}
