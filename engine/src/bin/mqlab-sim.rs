//! `mqlab-sim`: run mqlab scenarios headless. See `mqlab-sim help`.

use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let read = |p: &str| std::fs::read_to_string(p).map_err(|e| e.to_string());
    let out = mqlab_engine::cli::run(&args, &read);
    // A closed pipe (e.g. `| head`) is not worth a panic.
    let _ = std::io::stdout().write_all(out.stdout.as_bytes());
    let _ = std::io::stderr().write_all(out.stderr.as_bytes());
    std::process::exit(out.code);
}
