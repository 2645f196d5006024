//! The gradscape page: wasm-bindgen glue over `gradscape-core`.
//!
//! [`Viz`] holds a core [`Scene`] and three canvases: the surface (painted from the core's pixel
//! buffer with one `putImageData`), the overlay (axes, paths and markers, drawn by plotters) and
//! the loss chart (plotters). Everything computed here comes from the core; this crate only moves
//! numbers to the canvases and JSON to JavaScript. An error about the page's input (a start point,
//! a view, a step to explain) crosses the boundary as a JS `Error` whose `message` is the core's
//! English and whose `kind` and `values` say the same as data, for the page to word in its own
//! language (see `gradscape_core::message`); any other error (a canvas that cannot be drawn on) is
//! a `JsError` in English.

// A module built with some of the features leaves the others' shared helpers unused.
#![cfg_attr(
    not(all(
        feature = "surfaces",
        feature = "network",
        feature = "svg",
        feature = "view3d"
    )),
    allow(dead_code, unused_imports)
)]

use std::fmt::Display;

/// The allocator: Talc, a drop-in for the default (dlmalloc) that leaves the module smaller.
#[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

// The page loads each view's module when it is first needed, so one crate builds three modules,
// chosen by feature: `surfaces` (the page's first load: `Viz`), `network` (the network view and
// its training worker: `Trainer`) and `svg` (the SVG export). The default builds all of them,
// for tests and lints.
mod chart;
#[cfg(feature = "surfaces")]
mod viz;
#[cfg(feature = "surfaces")]
pub use viz::{catalog, Viz};
#[cfg(feature = "network")]
mod train;
#[cfg(feature = "network")]
pub use train::{digits_available, provide_digits, Trainer};
#[cfg(feature = "svg")]
mod svg;
#[cfg(feature = "view3d")]
mod view3d;
pub(crate) use chart::*;
pub use chart::{set_chart_words, FONT_STACK};
#[cfg(feature = "view3d")]
pub use view3d::View3d;
#[cfg(feature = "rule")]
mod rule;
#[cfg(feature = "rule")]
pub use rule::Rule;

use gradscape_core::message::ToMessage;
use gradscape_core::optim::OptimizerConfig;
use gradscape_core::scene::{Marker, Scene};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// Installs the panic hook, so a bug shows as a message in the console instead of
/// "unreachable executed".
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    #[cfg(feature = "host-decimal")]
    {
        gradscape_core::number::set_reader(js_sys::parse_float);
        gradscape_core::number::set_writer(|v| {
            js_sys::Number::from(v)
                .to_string_with_radix(10)
                .map(String::from)
                .unwrap_or_default()
        });
    }
}

/// How errors that have no message as data leave this crate: the canvas's and the browser's.
pub(crate) fn js_error(e: impl Display) -> JsError {
    JsError::new(&e.to_string())
}

/// How errors about the page's input leave this crate: a JS `Error` whose `message` is the
/// English text, with `kind` (a string) and `values` (an object of strings and nested
/// `{kind, values}`) set on it, so the page can word it in its language as it does warnings.
pub(crate) fn js_message(e: impl ToMessage) -> JsValue {
    let message = e.to_message();
    let error = js_sys::Error::new(&message.english());
    // Setting a property on a fresh Error cannot fail; if it ever did, the English remains.
    let _ = js_sys::Reflect::set(&error, &"kind".into(), &message.kind.into());
    // The message as JSON text, read back by the browser: its `values` object as the page reads
    // them (no JSON tree is built in the module).
    let values = serde_json::to_string(&message)
        .ok()
        .and_then(|text| js_sys::JSON::parse(&text).ok())
        .and_then(|data| js_sys::Reflect::get(&data, &"values".into()).ok());
    if let Some(values) = values {
        let _ = js_sys::Reflect::set(&error, &"values".into(), &values);
    }
    error.into()
}

pub(crate) fn json<T: Serialize + ?Sized>(value: &T) -> String {
    // Serialising our own plain structs of finite numbers and strings cannot fail.
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

pub(crate) fn context(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, JsError> {
    canvas
        .get_context("2d")
        .map_err(|_| JsError::new("the canvas has no 2D context"))?
        .ok_or_else(|| JsError::new("the canvas has no 2D context"))?
        .dyn_into::<CanvasRenderingContext2d>()
        .map_err(|_| JsError::new("the canvas has no 2D context"))
}

/// The canvas's 2D context, with the whole canvas cleared.
pub(crate) fn cleared(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, JsError> {
    let ctx = context(canvas)?;
    ctx.clear_rect(
        0.0,
        0.0,
        f64::from(canvas.width()),
        f64::from(canvas.height()),
    );
    Ok(ctx)
}

/// Optimizers (each with whether it is shown) as the optimizer panel reads them: JSON
/// `[{id, name, colour, visible, hyperparameters: [[name, value]]}]`, coloured by position.
pub(crate) fn optimizer_items(list: impl Iterator<Item = (OptimizerConfig, bool)>) -> String {
    #[derive(Serialize)]
    struct Item {
        id: &'static str,
        name: &'static str,
        colour: &'static str,
        marker: Marker,
        visible: bool,
        hyperparameters: Vec<(&'static str, f64)>,
        /// The learning-rate schedule's text (`constant`, `inv:0.1`, ...).
        schedule: String,
    }
    let items: Vec<Item> = list
        .enumerate()
        .map(|(i, (config, visible))| Item {
            id: config.id(),
            name: config.name(),
            colour: Scene::colour(i),
            marker: Scene::marker(i),
            visible,
            hyperparameters: config.hyperparameters(),
            schedule: config.schedule.to_string(),
        })
        .collect();
    json(&items)
}

pub(crate) fn pairs(keys: &[String], values: &[String]) -> Vec<(String, String)> {
    keys.iter().cloned().zip(values.iter().cloned()).collect()
}

/// The size of the module's linear memory in bytes (it only grows; the memory benchmark checks
/// that it stops growing).
#[wasm_bindgen]
pub fn memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|m| {
            m.buffer()
                .dyn_into::<js_sys::ArrayBuffer>()
                .map(|b| f64::from(b.byte_length()))
                .unwrap_or(0.0)
        })
        .unwrap_or(0.0)
}
