//! Being built: listed as "coming" in the catalog until finished.

use leptos::prelude::*;

#[component]
pub fn P2pVsPubsubDemo() -> impl IntoView {
    view! { <p>"…"</p> }
}
