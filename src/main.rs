//! Browser entry point: install the panic hook, then start the app (it
//! fetches its words, then mounts).

fn main() {
    mqlab::install_panic_hook();
    #[cfg(target_arch = "wasm32")]
    mqlab::start();
}
