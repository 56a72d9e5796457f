//! Browser entry point: install the panic hook, then mount the app.

fn main() {
    mqlab::install_panic_hook();
    leptos::mount::mount_to_body(mqlab::App);
}
