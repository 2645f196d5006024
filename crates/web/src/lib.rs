//! The gradscape page: wasm-bindgen glue over `gradscape-core` (arrives with the page).
