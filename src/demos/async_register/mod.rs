//! Being built: listed as "coming" in the catalog until finished.

use leptos::prelude::*;

#[component]
pub fn AsyncRegisterDemo() -> impl IntoView {
    view! { <p>"…"</p> }
}
