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

use std::cell::RefCell;
use std::fmt::Display;

mod train;
pub use train::Trainer;
#[cfg(feature = "svg")]
mod svg;

use gradscape_core::gradient::numerical_gradient_2d;
use gradscape_core::math::pow;
use gradscape_core::message::ToMessage;
use gradscape_core::optim::{OptimizerConfig, IDS};
use gradscape_core::paint::{Layout, Painted, Painter, Scale};
use gradscape_core::params;
use gradscape_core::render::{column_extremes, thin_polyline, ticks, ColumnCache};
use gradscape_core::scene::{Marker, Scene, PRESETS};
use gradscape_core::surface::{ViewBox, SURFACES};
use plotters::coord::cartesian::Cartesian2d;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_canvas::CanvasBackend;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

/// Installs the panic hook, so a bug shows as a message in the console instead of
/// "unreachable executed".
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
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
    let values = serde_json::to_value(&message)
        .ok()
        .and_then(|data| js_sys::JSON::parse(&data["values"].to_string()).ok());
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

/// The distance from `p` to the segment from `a` to `b`.
fn segment_distance(a: [f64; 2], b: [f64; 2], p: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let length2 = dx * dx + dy * dy;
    let t = if length2 > 0.0 {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (a[0] + t * dx - p[0]).hypot(a[1] + t * dy - p[1])
}

pub(crate) fn pairs(keys: &[String], values: &[String]) -> Vec<(String, String)> {
    keys.iter().cloned().zip(values.iter().cloned()).collect()
}

/// Gives the core the digits data set (the CSV text of `digits.csv.gz`), which the page fetches
/// when the digits are first chosen rather than with the module.
#[wasm_bindgen]
pub fn provide_digits(csv: &str) -> Result<(), JsValue> {
    gradscape_core::data::provide_digits(csv).map_err(js_message)
}

/// Whether the digits data set can be used now.
#[wasm_bindgen]
pub fn digits_available() -> bool {
    gradscape_core::data::digits_available()
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

/// Everything the menus need: surfaces, optimizers with their hyperparameters, presets.
#[wasm_bindgen]
pub fn catalog() -> String {
    #[derive(Serialize)]
    struct Hyper {
        name: &'static str,
        default: f64,
        min: f64,
        max: f64,
        log: bool,
    }
    #[derive(Serialize)]
    struct Opt {
        id: &'static str,
        name: &'static str,
        hyperparameters: Vec<Hyper>,
        schedule: String,
    }
    #[derive(Serialize)]
    struct Catalog<'a> {
        surfaces: Vec<(&'static str, &'static str, &'static str)>,
        optimizers: Vec<Opt>,
        presets: &'a [gradscape_core::scene::Preset],
        palette: &'a [&'static str],
        datasets: &'a [&'static str],
    }
    let optimizers = IDS
        .iter()
        .filter_map(|id| OptimizerConfig::default_for(id).ok())
        .map(|c| Opt {
            id: c.id(),
            name: c.name(),
            hyperparameters: c
                .hyperparameters()
                .into_iter()
                .map(|(name, default)| {
                    let lr = name == "lr";
                    Hyper {
                        name,
                        default,
                        min: if lr { 1e-5 } else { 0.0 },
                        max: if lr { 10.0 } else { 0.9999 },
                        log: lr,
                    }
                })
                .collect(),
            schedule: c.schedule.to_string(),
        })
        .collect();
    json(&Catalog {
        surfaces: SURFACES.iter().map(|s| (s.id, s.name, s.formula)).collect(),
        optimizers,
        presets: &PRESETS,
        palette: &gradscape_core::scene::PALETTE,
        datasets: &gradscape_core::data::NAMES,
    })
}

/// One run for JavaScript; `points` and `values` are left out of the per-frame summaries.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TrajectoryJson<'a> {
    optimizer: &'static str,
    name: &'static str,
    label: String,
    colour: &'static str,
    optimizer_index: usize,
    start_index: usize,
    start: [f64; 2],
    #[serde(skip_serializing_if = "Option::is_none")]
    points: Option<&'a [[f64; 2]]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    values: Option<&'a [f64]>,
    diverged_at: Option<usize>,
    visible: bool,
    /// Why the run has no points, in English, and the same as `{kind, values}`.
    error: Option<String>,
    error_message: Option<&'a gradscape_core::message::Message>,
}

/// The interactive plot.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Viz {
    scene: Scene,
    layout: Layout,
    painter: Painter,
    painted: Option<Painted>,
    surface_dirty: bool,
    surface: HtmlCanvasElement,
    overlay: HtmlCanvasElement,
    loss_axes_canvas: HtmlCanvasElement,
    loss: HtmlCanvasElement,
    loss_css: (f64, f64),
    loss_axes: Option<LossAxes>,
    warnings: String,
}

#[wasm_bindgen]
impl Viz {
    /// A plot on three stacked canvases, from URL parameters (`keys[i]=values[i]`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        surface: HtmlCanvasElement,
        overlay: HtmlCanvasElement,
        loss_axes: HtmlCanvasElement,
        loss: HtmlCanvasElement,
        keys: Vec<String>,
        values: Vec<String>,
    ) -> Result<Viz, JsError> {
        context(&surface)?;
        context(&overlay)?;
        context(&loss_axes)?;
        context(&loss)?;
        let (scene, warnings) = Scene::from_params(&pairs(&keys, &values));
        let layout = Layout::new(640.0, 480.0, 1.0, scene.view());
        Ok(Viz {
            scene,
            layout,
            painter: Painter::new(),
            painted: None,
            surface_dirty: true,
            surface,
            overlay,
            loss_axes_canvas: loss_axes,
            loss,
            loss_css: (640.0, 200.0),
            loss_axes: None,
            warnings: json(&warnings),
        })
    }

    /// The warnings of the constructor, as JSON `[{param, message}]`.
    pub fn initial_warnings(&self) -> String {
        self.warnings.clone()
    }

    /// Applies URL-style settings; returns the warnings as JSON `[{param, message}]`.
    pub fn apply(&mut self, keys: Vec<String>, values: Vec<String>) -> String {
        let before = (
            self.scene.function().label().to_string(),
            self.scene.view(),
            self.scene.log_scale(),
        );
        let warnings = self.scene.apply(&pairs(&keys, &values));
        let after = (
            self.scene.function().label().to_string(),
            self.scene.view(),
            self.scene.log_scale(),
        );
        if before != after {
            self.layout = self.layout.with_view(self.scene.view());
            self.surface_dirty = true;
        }
        json(&warnings)
    }

    /// The settings as JSON `[[key, value], ...]`, the URL's form.
    pub fn params(&self) -> String {
        json(&self.scene.to_params())
    }

    /// Every run as JSON: `[{optimizer, name, label, colour, start, points, values, divergedAt, ...}]`.
    pub fn trajectories(&self) -> String {
        self.runs_json(true)
    }

    /// Every run without its points and values: what the readouts need on every frame.
    pub fn summaries(&self) -> String {
        self.runs_json(false)
    }

    fn runs_json(&self, with_points: bool) -> String {
        let n = self.scene.optimizers().len();
        let list: Vec<TrajectoryJson> = self
            .scene
            .runs()
            .iter()
            .map(|run| {
                let entry = self.scene.optimizers()[run.optimizer_index];
                TrajectoryJson {
                    optimizer: entry.config.id(),
                    name: entry.config.name(),
                    label: entry.config.to_string(),
                    colour: Scene::colour(run.optimizer_index),
                    optimizer_index: run.optimizer_index,
                    start_index: run.start_index,
                    start: self.scene.starts()[run.start_index],
                    points: with_points.then_some(&run.trajectory.points[..]),
                    values: with_points.then_some(&run.trajectory.values[..]),
                    diverged_at: run.trajectory.diverged_at,
                    visible: entry.visible,
                    error: run.error.as_ref().map(|e| e.english()),
                    error_message: run.error.as_ref(),
                }
            })
            .collect();
        debug_assert_eq!(list.len(), n * self.scene.starts().len());
        json(&list)
    }

    /// What each run sees after `step` updates, as JSON (null for a run without points).
    pub fn step_views(&self, step: usize) -> String {
        let views: Vec<_> = (0..self.scene.runs().len())
            .map(|r| self.scene.step_view(r, step))
            .collect();
        json(&views)
    }

    /// The optimizers as JSON `[{id, name, colour, visible, hyperparameters: [[name, value]]}]`.
    pub fn optimizers(&self) -> String {
        optimizer_items(
            self.scene
                .optimizers()
                .iter()
                .map(|e| (e.config, e.visible)),
        )
    }

    /// The start points as JSON `[[x, y], ...]`.
    pub fn start_points(&self) -> String {
        json(self.scene.starts())
    }

    /// The number of updates per path.
    pub fn steps(&self) -> usize {
        self.scene.steps()
    }

    /// The animation speed in updates per second.
    pub fn speed(&self) -> f64 {
        self.scene.speed()
    }

    /// The plot rectangle on the surface canvas in device pixels: `[left, top, width, height]`.
    pub fn plot_rect(&self) -> Vec<u32> {
        let l = &self.layout;
        vec![l.plot_left, l.plot_top, l.plot_width, l.plot_height]
    }

    /// The region shown: `[xmin, xmax, ymin, ymax]`.
    pub fn view_box(&self) -> Vec<f64> {
        let v = &self.layout.view;
        vec![v.xmin, v.xmax, v.ymin, v.ymax]
    }

    /// The value range and contour levels of the last painted surface, as JSON.
    pub fn painted(&self) -> String {
        json(&self.painted)
    }

    /// Sets the canvases' size in CSS pixels and the device pixel ratio.
    pub fn resize(
        &mut self,
        css_width: f64,
        css_height: f64,
        dpr: f64,
        loss_width: f64,
        loss_height: f64,
    ) {
        self.layout = Layout::new(css_width, css_height, dpr, self.scene.view());
        let (w, h) = (self.layout.device_width(), self.layout.device_height());
        for canvas in [&self.surface, &self.overlay] {
            canvas.set_width(w);
            canvas.set_height(h);
        }
        let dpr = self.layout.dpr;
        self.loss_css = (
            loss_width.clamp(1.0, 10_000.0),
            loss_height.clamp(1.0, 10_000.0),
        );
        for canvas in [&self.loss, &self.loss_axes_canvas] {
            canvas.set_width((self.loss_css.0 * dpr).round() as u32);
            canvas.set_height((self.loss_css.1 * dpr).round() as u32);
        }
        self.loss_axes = None;
        self.surface_dirty = true;
    }

    /// Moves start `i` to world (x, y) and reruns its paths.
    pub fn set_start(&mut self, i: usize, x: f64, y: f64) -> Result<(), JsValue> {
        self.scene.set_start(i, [x, y]).map_err(js_message)
    }

    /// Moves start `i` under the pointer at CSS position (cx, cy), rounded to a tidy number at
    /// this zoom so the URL stays short.
    pub fn drag_start(&mut self, i: usize, cx: f64, cy: f64) -> Result<(), JsValue> {
        let p = self.tidy_world(cx, cy);
        self.scene.set_start(i, p).map_err(js_message)
    }

    /// Adds a start point under the pointer; returns its index.
    pub fn add_start_at(&mut self, cx: f64, cy: f64) -> Result<usize, JsValue> {
        let p = self.tidy_world(cx, cy);
        self.scene.add_start(p).map_err(js_message)
    }

    /// The world point under CSS position (cx, cy), to the precision a pointer has at this zoom.
    fn tidy_world(&self, cx: f64, cy: f64) -> [f64; 2] {
        let [x, y] = self.layout.css_to_world([cx, cy]);
        let v = self.scene.view();
        [
            params::tidy(x, v.xmax - v.xmin),
            params::tidy(y, v.ymax - v.ymin),
        ]
    }

    /// Removes start point `i`.
    pub fn remove_start(&mut self, i: usize) -> Result<(), JsValue> {
        self.scene.remove_start(i).map_err(js_message)
    }

    /// The start point under CSS position (cx, cy) within `radius` CSS pixels, or -1.
    pub fn hit_start(&self, cx: f64, cy: f64, radius: f64) -> i32 {
        let mut best = (-1, radius);
        for (i, p) in self.scene.starts().iter().enumerate() {
            let [sx, sy] = self.layout.world_to_css(*p);
            let d = (sx - cx).hypot(sy - cy);
            if d <= best.1 {
                best = (i as i32, d);
            }
        }
        best.0
    }

    /// The run whose path, as drawn up to `step`, passes within `radius` CSS pixels of (cx, cy),
    /// the nearest one; -1 when none does. Hidden runs are not drawn, so they are not hit.
    pub fn hit_path(&self, cx: f64, cy: f64, radius: f64, step: usize) -> i32 {
        let mut best = (-1, radius);
        let optimizers = self.scene.optimizers();
        for (r, run) in self.scene.runs().iter().enumerate() {
            if !optimizers
                .get(run.optimizer_index)
                .is_some_and(|e| e.visible)
            {
                continue;
            }
            let points = &run.trajectory.points;
            let end = step.min(points.len().saturating_sub(1));
            let mut last: Option<[f64; 2]> = None;
            for p in points.iter().take(end + 1) {
                let c = self.layout.world_to_css(*p);
                let d = match last {
                    Some(a) => segment_distance(a, c, [cx, cy]),
                    None => (c[0] - cx).hypot(c[1] - cy),
                };
                if d <= best.1 {
                    best = (r as i32, d);
                }
                last = Some(c);
            }
        }
        best.0
    }

    /// The update from `step` to `step + 1` of run `run` (an index into `trajectories()`), as
    /// JSON: `{optimizer, hyperparameters, step, lr, factor, point, gradient, noise?, before,
    /// after, next}`. A run or step that is not a whole number in range is an error in words.
    pub fn explain(&self, run: f64, step: f64) -> Result<String, JsValue> {
        let (run, step) = self.scene.run_and_step(run, step).map_err(js_message)?;
        let e = self.scene.explain(run, step).map_err(js_message)?;
        Ok(json(&e))
    }

    /// `explain(run, step)` with the lines of the update rule, its numbers shown as strings
    /// (`Explanation::lines`): `{explanation, lines: [{quantity, coordinate, formula, shown,
    /// shown_result, epsilon, ...}]}`.
    pub fn explain_lines(&self, run: f64, step: f64) -> Result<String, JsValue> {
        #[derive(Serialize)]
        struct Out<'a> {
            explanation: &'a gradscape_core::explain::Explanation,
            lines: Vec<gradscape_core::explain::Line>,
        }
        let (run, step) = self.scene.run_and_step(run, step).map_err(js_message)?;
        let e = self.scene.explain(run, step).map_err(js_message)?;
        Ok(json(&Out {
            lines: e.lines(),
            explanation: &e,
        }))
    }

    /// Whether CSS position (cx, cy) lies on the plot rectangle.
    pub fn in_plot(&self, cx: f64, cy: f64) -> bool {
        self.layout
            .view
            .contains(self.layout.css_to_world([cx, cy]))
    }

    /// World (x, y) to CSS pixels relative to the canvas: `[cx, cy]`.
    pub fn world_to_css(&self, x: f64, y: f64) -> Vec<f64> {
        self.layout.world_to_css([x, y]).to_vec()
    }

    /// CSS pixels relative to the canvas to world: `[x, y]`.
    pub fn css_to_world(&self, cx: f64, cy: f64) -> Vec<f64> {
        self.layout.css_to_world([cx, cy]).to_vec()
    }

    /// Shows a new region.
    pub fn set_view(&mut self, xmin: f64, xmax: f64, ymin: f64, ymax: f64) -> Result<(), JsValue> {
        let view = ViewBox::new(xmin, xmax, ymin, ymax).map_err(js_message)?;
        self.change_view(view);
        Ok(())
    }

    /// Zooms by `factor` (above 1 zooms in) about CSS position (cx, cy).
    pub fn zoom(&mut self, cx: f64, cy: f64, factor: f64) {
        if factor.is_finite() && factor > 0.0 {
            let view = self.layout.zoomed([cx, cy], factor);
            self.change_view(view);
        }
    }

    /// Pans so the content follows a drag of (dx, dy) CSS pixels.
    pub fn pan(&mut self, dx: f64, dy: f64) {
        if dx.is_finite() && dy.is_finite() {
            let view = self.layout.panned(dx, dy);
            self.change_view(view);
        }
    }

    /// Back to the surface's own view.
    pub fn reset_view(&mut self) {
        let view = self.scene.function().view();
        self.change_view(view);
    }

    fn change_view(&mut self, view: ViewBox) {
        self.scene.set_view(view);
        self.layout = self.layout.with_view(view);
        self.surface_dirty = true;
    }

    /// Shows or hides optimizer `i`.
    pub fn set_visible(&mut self, i: usize, visible: bool) {
        self.scene.set_visible(i, visible);
    }

    /// x, y, f, the analytic gradient and the numerical one under CSS position (cx, cy), as
    /// JSON, or null where f is not a finite number.
    pub fn inspect(&self, cx: f64, cy: f64) -> String {
        #[derive(Serialize)]
        struct Probe {
            x: f64,
            y: f64,
            f: f64,
            gradient: [f64; 2],
            numerical: [f64; 2],
        }
        let [x, y] = self.layout.css_to_world([cx, cy]);
        let function = self.scene.function();
        let (f, gradient) = function.value_and_gradient(x, y);
        let numerical = numerical_gradient_2d(|a, b| function.value(a, b), [x, y]);
        let all = [
            x,
            y,
            f,
            gradient[0],
            gradient[1],
            numerical[0],
            numerical[1],
        ];
        if all.iter().all(|v| v.is_finite()) {
            json(&Probe {
                x,
                y,
                f,
                gradient,
                numerical,
            })
        } else {
            "null".into()
        }
    }

    /// Paints the surface, the whole view with no axes, into a `width × height` canvas (device
    /// pixels): the Graph view's small picture, on which its point is dragged.
    pub fn paint_inset(
        &self,
        canvas: &web_sys::HtmlCanvasElement,
        width: u32,
        height: u32,
    ) -> Result<(), JsError> {
        let (width, height) = (width.clamp(1, 2000), height.clamp(1, 2000));
        let mut layout = Layout::new(f64::from(width), f64::from(height), 1.0, self.layout.view);
        layout.plot_left = 0;
        layout.plot_top = 0;
        layout.plot_width = width;
        layout.plot_height = height;
        let scale = if self.scene.log_scale() {
            Scale::Log
        } else {
            Scale::Linear
        };
        let mut painter = Painter::new();
        painter.paint(self.scene.function(), &layout, scale, 8);
        canvas.set_width(width);
        canvas.set_height(height);
        let ctx = cleared(canvas)?;
        let image =
            ImageData::new_with_u8_clamped_array_and_sh(Clamped(painter.rgba()), width, height)
                .map_err(|_| JsError::new("could not make the inset image"))?;
        ctx.put_image_data(&image, 0.0, 0.0)
            .map_err(|_| JsError::new("could not draw the inset image"))
    }

    /// Paints the surface if the function, view or size changed since the last paint.
    pub fn render_surface(&mut self) -> Result<(), JsError> {
        if !self.surface_dirty {
            return Ok(());
        }
        let scale = if self.scene.log_scale() {
            Scale::Log
        } else {
            Scale::Linear
        };
        let painted = self
            .painter
            .paint(self.scene.function(), &self.layout, scale, 14);
        let ctx = cleared(&self.surface)?;
        let image = ImageData::new_with_u8_clamped_array_and_sh(
            Clamped(self.painter.rgba()),
            self.layout.plot_width,
            self.layout.plot_height,
        )
        .map_err(|_| JsError::new("could not make the surface image"))?;
        ctx.put_image_data(
            &image,
            f64::from(self.layout.plot_left),
            f64::from(self.layout.plot_top),
        )
        .map_err(|_| JsError::new("could not draw the surface image"))?;
        // The axes change only with the view, so they live on this canvas, not on the overlay
        // that is redrawn on every pointer move.
        let backend = CanvasBackend::with_canvas_object(self.surface.clone())
            .ok_or_else(|| JsError::new("the surface canvas cannot be drawn on"))?;
        draw_axes(&backend.into_drawing_area(), &self.layout, ["x", "y"]).map_err(js_error)?;
        self.painted = Some(painted);
        self.surface_dirty = false;
        Ok(())
    }

    /// Draws the minima, every visible path up to `step` updates, the start handles and the
    /// arrows of what each optimizer sees at `step`.
    pub fn render_overlay(&mut self, step: usize, arrows: bool) -> Result<(), JsError> {
        let ctx = context(&self.overlay)?;
        let (w, h) = (self.layout.device_width(), self.layout.device_height());
        ctx.clear_rect(0.0, 0.0, f64::from(w), f64::from(h));
        let backend = CanvasBackend::with_canvas_object(self.overlay.clone())
            .ok_or_else(|| JsError::new("the overlay canvas cannot be drawn on"))?;
        let root = backend.into_drawing_area();
        let l = &self.layout;
        ctx.save();
        ctx.begin_path();
        ctx.rect(
            f64::from(l.plot_left),
            f64::from(l.plot_top),
            f64::from(l.plot_width),
            f64::from(l.plot_height),
        );
        ctx.clip();
        let drawn = draw_overlay(&root, &self.scene, l, step, arrows).map_err(js_error);
        ctx.restore();
        drawn
    }

    /// Draws f against the iteration for every visible run, with `step` marked. With `refit`
    /// the axes follow the data; without (while a start is dragged) they stay as they were and
    /// only the curves are redrawn.
    pub fn render_loss(&mut self, step: usize, log: bool, refit: bool) -> Result<(), JsError> {
        let fitted = match self.loss_axes {
            Some(axes) if !refit && axes.steps == self.scene.steps().max(1) as f64 => Some(axes),
            _ => LossAxes::fit(&loss_series(&self.scene), self.scene.steps(), log, "f"),
        };
        let r = self.layout.dpr;
        if fitted != self.loss_axes {
            cleared(&self.loss_axes_canvas)?;
            let c = &self.loss_axes_canvas;
            if let Some(axes) = fitted {
                let backend = CanvasBackend::with_canvas_object(c.clone())
                    .ok_or_else(|| JsError::new("the loss canvas cannot be drawn on"))?;
                axes.draw(&backend.into_drawing_area(), r, true, None)
                    .map_err(js_error)?;
            }
            self.loss_axes = fitted;
        }
        cleared(&self.loss)?;
        if let Some(axes) = self.loss_axes {
            let backend = CanvasBackend::with_canvas_object(self.loss.clone())
                .ok_or_else(|| JsError::new("the loss canvas cannot be drawn on"))?;
            let series = loss_series(&self.scene);
            axes.draw(
                &backend.into_drawing_area(),
                r,
                false,
                Some((&series, step)),
            )
            .map_err(js_error)?;
        }
        Ok(())
    }
}

type DrawResult = Result<(), String>;

fn err<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> String {
    e.to_string()
}

pub(crate) fn colour(hex: &str) -> RGBColor {
    let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0);
    RGBColor(byte(1), byte(3), byte(5))
}

/// A world point in device pixels, kept within a box around the canvas: a diverging path's far
/// points still point the right way but stay small numbers for the canvas. The overlay is
/// clipped to the plot.
fn device(layout: &Layout, p: [f64; 2]) -> [f64; 2] {
    let d = layout.world_to_device(p);
    let limit = 1e5;
    [d[0].clamp(-limit, limit), d[1].clamp(-limit, limit)]
}

/// The page's font stack, for text drawn on canvases: Latin first, then fonts with Hangul and
/// kana on each system (Noto Sans CJK on Linux and Android, Apple SD Gothic Neo and Hiragino on
/// macOS, Malgun Gothic, Yu Gothic and Meiryo on Windows); none is downloaded.
pub const FONT_STACK: &str = "system-ui, 'Segoe UI', Roboto, 'Noto Sans', 'Noto Sans CJK KR', \
     'Noto Sans CJK JP', 'Apple SD Gothic Neo', 'Hiragino Sans', 'Hiragino Kaku Gothic ProN', \
     'Malgun Gothic', 'Yu Gothic', 'Meiryo', sans-serif";

thread_local! {
    /// The loss charts' axis titles in the reader's language: (the x axis, the network's y axis).
    static CHART_WORDS: RefCell<(String, String)> =
        RefCell::new(("iteration".into(), "loss".into()));
}

/// Sets the loss charts' axis titles in the reader's language (the page calls it when the
/// language changes, then redraws the charts).
#[wasm_bindgen]
pub fn set_chart_words(iteration: &str, loss: &str) {
    CHART_WORDS.with(|w| *w.borrow_mut() = (iteration.to_string(), loss.to_string()));
}

/// The x axis title, or with `loss`, the network chart's y axis title.
pub(crate) fn chart_word(loss: bool) -> String {
    CHART_WORDS.with(|w| {
        let w = w.borrow();
        if loss {
            w.1.clone()
        } else {
            w.0.clone()
        }
    })
}

/// Black text of `size` CSS pixels at device pixel ratio `r`, anchored at (h, v), in the page's
/// font stack.
fn label_style(r: f64, size: f64, h: HPos, v: VPos) -> TextStyle<'static> {
    (FontFamily::Name(FONT_STACK), (size * r) as u32)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(h, v))
}

/// One tick: its mark (or grid line) from `mark[0]` to `mark[1]`, and its label at `at`.
fn draw_tick<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    mark: [(i32, i32); 2],
    style: ShapeStyle,
    label: String,
    at: (i32, i32),
    font: TextStyle<'static>,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    root.draw(&PathElement::new(mark.to_vec(), style))
        .map_err(err)?;
    root.draw(&Text::new(label, at, font)).map_err(err)
}

/// The axes with their ticks, labels and names, in the margins around the plot. Labels are
/// placed by the canvas' own text alignment: plotters' mesh would measure each label by adding an
/// element to the page and reading its size, forcing a layout per label on every zoom.
pub(crate) fn draw_axes<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    layout: &Layout,
    names: [&str; 2],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let r = layout.dpr;
    let v = layout.view;
    let (left, top) = (layout.plot_left as i32, layout.plot_top as i32);
    let (right, bottom) = (
        left + layout.plot_width as i32,
        top + layout.plot_height as i32,
    );
    let line = BLACK.stroke_width(r.round().max(1.0) as u32);
    let tick = (5.0 * r).round() as i32;
    let gap = (7.0 * r).round() as i32;
    let font = |h: HPos, v: VPos| label_style(r, 12.0, h, v);
    root.draw(&PathElement::new(
        vec![(left, top), (left, bottom), (right, bottom)],
        line,
    ))
    .map_err(err)?;
    let x_count = (f64::from(layout.plot_width) / (90.0 * r)).round().max(2.0) as usize;
    for (x, label) in ticks(v.xmin, v.xmax, x_count) {
        let px = pixel(layout.world_to_device([x, v.ymin])).0;
        draw_tick(
            root,
            [(px, bottom), (px, bottom + tick)],
            line,
            label,
            (px, bottom + gap),
            font(HPos::Center, VPos::Top),
        )?;
    }
    let y_count = (f64::from(layout.plot_height) / (60.0 * r))
        .round()
        .max(2.0) as usize;
    for (y, label) in ticks(v.ymin, v.ymax, y_count) {
        let py = pixel(layout.world_to_device([v.xmin, y])).1;
        draw_tick(
            root,
            [(left - tick, py), (left, py)],
            line,
            label,
            (left - gap, py),
            font(HPos::Right, VPos::Center),
        )?;
    }
    let title = |h, v| label_style(r, 13.0, h, v);
    let h = layout.device_height() as i32;
    root.draw(&Text::new(
        names[0].to_string(),
        ((left + right) / 2, h - (4.0 * r) as i32),
        title(HPos::Center, VPos::Bottom),
    ))
    .map_err(err)?;
    root.draw(&Text::new(
        names[1].to_string(),
        ((4.0 * r) as i32, (top + bottom) / 2),
        title(HPos::Left, VPos::Center),
    ))
    .map_err(err)?;
    Ok(())
}

/// How many steps a fading trail shows.
const TRAIL: usize = 16;

/// A device point as plotters' integer pixel coordinate.
fn pixel(d: [f64; 2]) -> (i32, i32) {
    (d[0].round() as i32, d[1].round() as i32)
}

/// Everything on the overlay, in device pixels on the whole canvas (clipped to the plot by the
/// caller): the minima, the paths up to `step`, the current points, the arrows and the start
/// handles.
/// Optimizer `i`'s marker at `at` (device pixels), `r` its radius.
fn draw_marker<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    i: usize,
    at: (i32, i32),
    r: u32,
    style: ShapeStyle,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    match Scene::marker(i).corners(f64::from(r)) {
        None => root.draw(&Circle::new(at, r, style)).map_err(err),
        Some(corners) => {
            let points: Vec<(i32, i32)> = corners
                .iter()
                .map(|[x, y]| (at.0 + x.round() as i32, at.1 + y.round() as i32))
                .collect();
            root.draw(&Polygon::new(points, style)).map_err(err)
        }
    }
}

fn draw_overlay<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scene: &Scene,
    layout: &Layout,
    step: usize,
    arrows: bool,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let r = layout.dpr;
    let px = |css: f64| (css * r).round().max(1.0) as u32;
    let arm = (6.0 * r).round() as i32;
    // The known minima: white plus signs.
    for m in scene.function().minima() {
        let plus = EmptyElement::at(pixel(device(layout, m.point)))
            + PathElement::new(vec![(-arm, 0), (arm, 0)], WHITE.stroke_width(px(2.0)))
            + PathElement::new(vec![(0, -arm), (0, arm)], WHITE.stroke_width(px(2.0)));
        root.draw(&plus).map_err(err)?;
    }

    let runs = scene.runs();
    let mut thinned = Vec::new();
    // In reverse, so the first optimizer's path lies on top.
    for (index, run) in runs.iter().enumerate().rev() {
        let entry = scene.optimizers()[run.optimizer_index];
        let points = &run.trajectory.points;
        if !entry.visible || points.is_empty() {
            continue;
        }
        let shown = &points[..=step.min(points.len() - 1)];
        let c = colour(Scene::colour(run.optimizer_index));
        if scene.trail() {
            // Thinned to one point per two CSS pixels moved: a path that crowds into a minimum
            // looks the same with far fewer strokes.
            thin_polyline(
                shown.iter().map(|p| device(layout, *p)),
                2.0 * r,
                &mut thinned,
            );
            let path: Vec<(i32, i32)> = thinned.iter().map(|p| pixel(*p)).collect();
            root.draw(&PathElement::new(
                path.clone(),
                WHITE.mix(0.85).stroke_width(px(4.0)),
            ))
            .map_err(err)?;
            if shown.len() <= 301 {
                for p in &path {
                    draw_marker(root, run.optimizer_index, *p, px(2.5), c.filled())?;
                }
            }
            root.draw(&PathElement::new(path, c.stroke_width(px(2.0))))
                .map_err(err)?;
        } else {
            // A fading trail: the last few steps, older ones more transparent.
            let tail = &shown[shown.len().saturating_sub(TRAIL + 1)..];
            for (k, pair) in tail.windows(2).enumerate() {
                let alpha = (k + 1) as f64 / tail.len().max(1) as f64;
                let segment = vec![
                    pixel(device(layout, pair[0])),
                    pixel(device(layout, pair[1])),
                ];
                root.draw(&PathElement::new(
                    segment,
                    c.mix(alpha).stroke_width(px(2.0)),
                ))
                .map_err(err)?;
                draw_marker(
                    root,
                    run.optimizer_index,
                    pixel(device(layout, pair[0])),
                    px(2.5),
                    c.mix(alpha).filled(),
                )?;
            }
        }
        if let Some(&last) = shown.last() {
            let at = pixel(device(layout, last));
            draw_marker(root, run.optimizer_index, at, px(5.5), WHITE.filled())?;
            draw_marker(root, run.optimizer_index, at, px(4.0), c.filled())?;
            if run.trajectory.diverged_at.is_some() && shown.len() == points.len() {
                let cross = EmptyElement::at(at)
                    + PathElement::new(vec![(-arm, -arm), (arm, arm)], c.stroke_width(px(2.0)))
                    + PathElement::new(vec![(-arm, arm), (arm, -arm)], c.stroke_width(px(2.0)));
                root.draw(&cross).map_err(err)?;
            }
        }
        if arrows {
            if let Some(view) = scene.step_view(index, step) {
                draw_arrows(root, layout, &view, c)?;
            }
        }
    }
    // Start handles on top: white discs with a dark ring, numbered when there are several.
    let several = scene.starts().len() > 1;
    for (i, p) in scene.starts().iter().enumerate() {
        let at = pixel(device(layout, *p));
        root.draw(&Circle::new(at, px(8.0), BLACK.mix(0.75).filled()))
            .map_err(err)?;
        root.draw(&Circle::new(at, px(6.5), WHITE.filled()))
            .map_err(err)?;
        if several {
            let font = label_style(r, 10.0, HPos::Center, VPos::Center);
            root.draw(&Text::new(format!("{}", i + 1), at, font))
                .map_err(err)?;
        }
    }
    Ok(())
}

/// The way downhill (a fixed-length black arrow along −∇f, in screen terms) and, for Momentum
/// and Nesterov, the velocity to scale (the next displacement) in the optimizer's colour.
fn draw_arrows<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    layout: &Layout,
    view: &gradscape_core::scene::StepView,
    c: RGBColor,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let r = layout.dpr;
    let at = device(layout, view.point);
    let arrow = |to: [f64; 2]| -> Vec<(i32, i32)> {
        let (dx, dy) = (to[0] - at[0], to[1] - at[1]);
        let len = dx.hypot(dy);
        if len < 2.0 * r || !len.is_finite() {
            return Vec::new();
        }
        let (ux, uy) = (dx / len, dy / len);
        let head = 7.0 * r;
        let wing = |s: f64| {
            pixel([
                dx - head * ux + s * head * 0.5 * uy,
                dy - head * uy - s * head * 0.5 * ux,
            ])
        };
        let tip = pixel([dx, dy]);
        vec![(0, 0), tip, wing(1.0), tip, wing(-1.0)]
    };
    let width = (2.0 * r).round().max(1.0) as u32;
    // −∇f on screen: the gradient scaled by world units per pixel on each axis, y flipped.
    let g = view.gradient;
    let (sx, sy) = (
        -g[0] * f64::from(layout.plot_width) / (layout.view.xmax - layout.view.xmin),
        g[1] * f64::from(layout.plot_height) / (layout.view.ymax - layout.view.ymin),
    );
    let s = sx.hypot(sy);
    if s > 0.0 && s.is_finite() {
        let length = 34.0 * r;
        let tip = [at[0] + length * sx / s, at[1] + length * sy / s];
        let shape =
            EmptyElement::at(pixel(at)) + PathElement::new(arrow(tip), BLACK.stroke_width(width));
        root.draw(&shape).map_err(err)?;
    }
    if let Some(v) = view.velocity {
        let tip = device(layout, [view.point[0] + v[0], view.point[1] + v[1]]);
        let shape =
            EmptyElement::at(pixel(at)) + PathElement::new(arrow(tip), c.stroke_width(width));
        root.draw(&shape).map_err(err)?;
    }
    Ok(())
}

/// The loss chart's axes. They stay fixed between refits, so a drag redraws only the curves:
/// plotters measures every tick label through the page's layout, too slow for every pointer move.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LossAxes {
    steps: f64,
    bottom: f64,
    top: f64,
    log: bool,
    y_name: &'static str,
}

/// One curve of a loss chart: the palette index of its colour and its values, one per iteration.
pub(crate) struct Series<'a> {
    pub(crate) colour: usize,
    pub(crate) values: &'a [f64],
    /// Where a curve that grows from frame to frame keeps its column extremes.
    pub(crate) cache: Option<&'a RefCell<ColumnCache>>,
}

/// The visible runs that have values, as curves.
fn loss_series(scene: &Scene) -> Vec<Series<'_>> {
    scene
        .runs()
        .iter()
        .filter(|run| {
            scene.optimizers()[run.optimizer_index].visible && !run.trajectory.values.is_empty()
        })
        .map(|run| Series {
            colour: run.optimizer_index,
            values: &run.trajectory.values,
            cache: None,
        })
        .collect()
}

impl LossAxes {
    /// Axes over 0…`steps` that hold every value of `series`; a log axis only when every value is
    /// above 0. `y_name` labels the y axis.
    pub(crate) fn fit(
        series: &[Series],
        steps: usize,
        log: bool,
        y_name: &'static str,
    ) -> Option<Self> {
        let (lo, hi) = series
            .iter()
            .flat_map(|s| s.values.iter().copied())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
        if !(lo.is_finite() && hi.is_finite()) {
            return None;
        }
        let steps = steps.max(1) as f64;
        Some(if log && lo > 0.0 {
            // Room above and below the data for the log axis' labels.
            let top = if hi > lo { hi * 1.5 } else { lo * 10.0 };
            Self {
                steps,
                bottom: lo / 1.5,
                top,
                log: true,
                y_name,
            }
        } else {
            let pad = if hi > lo { (hi - lo) * 0.05 } else { 1.0 };
            Self {
                steps,
                bottom: lo - pad,
                top: hi + pad,
                log: false,
                y_name,
            }
        })
    }

    /// The same axes with their ends moved out to round numbers (0 and the next 1, 2 or 5 × 10ᵏ
    /// above the top on a linear axis; whole powers of ten on a log axis), so a chart that grows
    /// while a network trains keeps its axes for many frames.
    pub(crate) fn rounded_out(self) -> Self {
        if self.log {
            Self {
                bottom: pow(10.0, self.bottom.log10().floor()),
                top: pow(10.0, self.top.log10().ceil()),
                ..self
            }
        } else {
            let nice = |v: f64| {
                if !(v.is_finite() && v > 0.0) {
                    return v;
                }
                let p = pow(10.0, v.log10().floor());
                [1.0, 2.0, 5.0, 10.0]
                    .iter()
                    .map(|m| m * p)
                    .find(|&c| c >= v)
                    .unwrap_or(10.0 * p)
            };
            Self {
                bottom: if self.bottom >= -0.1 * self.top.abs() {
                    0.0
                } else {
                    -nice(-self.bottom)
                },
                top: nice(self.top),
                ..self
            }
        }
    }

    /// Builds the chart on `root` and draws its mesh and/or the curves of `runs` up to `step`.
    pub(crate) fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        r: f64,
        mesh: bool,
        curves: Option<(&[Series], usize)>,
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let mut builder = chart_builder(root, r);
        let layers = Layers {
            r,
            mesh: mesh.then_some(root),
            curves,
            bottom: self.bottom,
            top: self.top,
            log: self.log,
        };
        if self.log {
            let chart = builder
                .build_cartesian_2d(0.0..self.steps, (self.bottom..self.top).log_scale())
                .map_err(err)?;
            layers.draw(chart, &format!("{} (log scale)", self.y_name))
        } else {
            let chart = builder
                .build_cartesian_2d(0.0..self.steps, self.bottom..self.top)
                .map_err(err)?;
            layers.draw(chart, self.y_name)
        }
    }
}

/// How much of a growing curve is on its canvas already (see [`LossAxes::draw_more`]).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Drawn {
    /// The curve's final points (its cache's) that have been drawn.
    points: usize,
    /// The last of them kept by the thinning, in the plotting area's pixels.
    last: Option<[f64; 2]>,
}

impl LossAxes {
    /// Draws what is new of `series` (each with a cache) since the last call with these
    /// `drawn`, on a canvas that kept what was drawn: the final points not drawn yet, thinned
    /// as [`thin_polyline`] thins, so a race of 100,000 iterations rasterises a few new segments
    /// a frame, not the whole chart. The last strip, which may still change, waits until it is
    /// final (a CSS pixel column), unless the series is `settled` (no more values are coming
    /// for now): then it is drawn too. False when a cache started again, or a settled strip
    /// changed after all: clear the canvas and call again with fresh `drawn`.
    pub(crate) fn draw_more<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        r: f64,
        series: &[Series],
        drawn: &mut [Drawn],
        settled: bool,
    ) -> Result<bool, String>
    where
        DB::ErrorType: 'static,
    {
        let mut builder = chart_builder(root, r);
        if self.log {
            let chart = builder
                .build_cartesian_2d(0.0..self.steps, (self.bottom..self.top).log_scale())
                .map_err(err)?;
            self.more(&chart, r, series, drawn, settled)
        } else {
            let chart = builder
                .build_cartesian_2d(0.0..self.steps, self.bottom..self.top)
                .map_err(err)?;
            self.more(&chart, r, series, drawn, settled)
        }
    }

    fn more<DB: DrawingBackend, Y: Ranged<ValueType = f64>>(
        &self,
        chart: &ChartContext<'_, DB, Cartesian2d<RangedCoordf64, Y>>,
        r: f64,
        series: &[Series],
        drawn: &mut [Drawn],
        settled: bool,
    ) -> Result<bool, String>
    where
        DB::ErrorType: 'static,
    {
        let area = chart.plotting_area().strip_coord_spec();
        let (base_x, base_y) = chart.plotting_area().get_base_pixel();
        let (w, h) = area.dim_in_pixel();
        let (w, h) = (f64::from(w), f64::from(h));
        let per_column = iterations_per_column(chart, self.bottom, r);
        let width = (2.0 * r).round().max(1.0) as u32;
        for (s, done) in series.iter().zip(drawn.iter_mut()) {
            let Some(cache) = s.cache else { continue };
            let mut cache = cache.borrow_mut();
            cache.update(s.values, per_column);
            let kept = cache.points();
            let finals = if settled {
                kept.len()
            } else {
                cache.final_points()
            };
            if finals < done.points {
                return Ok(false);
            }
            let to_pixel = |&[i, v]: &[f64; 2]| {
                let (x, y) = chart.backend_coord(&(i, v));
                [
                    f64::from(x - base_x).clamp(0.0, w),
                    f64::from(y - base_y).clamp(0.0, h),
                ]
            };
            // A point at least two CSS pixels from the last one kept is kept; a settled
            // curve's last point always.
            let mut path: Vec<[f64; 2]> = done.last.into_iter().collect();
            for (k, p) in kept.iter().enumerate().take(finals).skip(done.points) {
                let p = to_pixel(p);
                if !(p[0].is_finite() && p[1].is_finite()) {
                    continue;
                }
                let far = path
                    .last()
                    .is_none_or(|q| (p[0] - q[0]).hypot(p[1] - q[1]) >= 2.0 * r);
                if far {
                    path.push(p);
                    done.last = Some(p);
                } else if settled && k + 1 == finals {
                    path.push(p);
                }
            }
            done.points = finals;
            if path.len() >= 2 {
                let c = colour(Scene::colour(s.colour));
                let path: Vec<(i32, i32)> = path.iter().map(|p| pixel(*p)).collect();
                area.draw(&PathElement::new(path, c.stroke_width(width)))
                    .map_err(err)?;
            }
        }
        Ok(true)
    }
}

/// The loss chart's builder on `root`: its margins and label areas at device pixel ratio `r`.
fn chart_builder<'a, 'b, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    r: f64,
) -> ChartBuilder<'a, 'b, DB> {
    let mut builder = ChartBuilder::on(root);
    builder
        .margin((8.0 * r) as u32)
        .margin_right((16.0 * r) as u32)
        .x_label_area_size((34.0 * r) as u32)
        .y_label_area_size((64.0 * r) as u32);
    builder
}

/// Iterations per CSS pixel column of `chart`'s x axis, from two of its points.
fn iterations_per_column<DB: DrawingBackend, Y: Ranged<ValueType = f64>>(
    chart: &ChartContext<'_, DB, Cartesian2d<RangedCoordf64, Y>>,
    y: f64,
    r: f64,
) -> f64 {
    let (x0, _) = chart.backend_coord(&(0.0, y));
    let (x1, _) = chart.backend_coord(&(1e6, y));
    if x1 > x0 {
        1e6 * r / f64::from(x1 - x0)
    } else {
        1.0
    }
}

/// What to draw of the loss chart, on a linear or a log y axis.
struct Layers<'a, DB: DrawingBackend> {
    r: f64,
    /// Where to draw the axes, if they are to be drawn.
    mesh: Option<&'a DrawingArea<DB, Shift>>,
    curves: Option<(&'a [Series<'a>], usize)>,
    bottom: f64,
    top: f64,
    log: bool,
}

impl<DB: DrawingBackend> Layers<'_, DB>
where
    DB::ErrorType: 'static,
{
    /// Ticks, faint grid lines, labels and names, placed by the canvas' text alignment (see
    /// [`draw_axes`]). On a log axis the ticks are the powers of ten.
    fn draw_axes<Y>(
        &self,
        root: &DrawingArea<DB, Shift>,
        chart: &ChartContext<'_, DB, Cartesian2d<RangedCoordf64, Y>>,
        y_desc: &str,
    ) -> DrawResult
    where
        Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
    {
        let r = self.r;
        let (x0, y0) = chart.plotting_area().get_base_pixel();
        let (w, h) = chart.plotting_area().dim_in_pixel();
        let (x1, y1) = (x0 + w as i32, y0 + h as i32);
        let line = BLACK.stroke_width(r.round().max(1.0) as u32);
        let grid = BLACK.mix(0.08).stroke_width(r.round().max(1.0) as u32);
        let gap = (6.0 * r).round() as i32;
        let font = |hp: HPos, vp: VPos| label_style(r, 12.0, hp, vp);
        let steps = chart.x_range().end;
        let x_count = (f64::from(w) / (80.0 * r)).round().max(2.0) as usize;
        for (x, label) in ticks(0.0, steps, x_count) {
            let (px, _) = chart.backend_coord(&(x, self.bottom));
            draw_tick(
                root,
                [(px, y0), (px, y1)],
                grid,
                label,
                (px, y1 + gap),
                font(HPos::Center, VPos::Top),
            )?;
        }
        let y_ticks: Vec<(f64, String)> = if self.log {
            let (lo, hi) = (
                self.bottom.log10().ceil() as i32,
                self.top.log10().floor() as i32,
            );
            let every = ((hi - lo) / 6 + 1).max(1) as usize;
            (lo..=hi)
                .step_by(every)
                .map(|e| (10f64.powi(e), format!("1e{e}")))
                .collect()
        } else {
            let count = (f64::from(h) / (40.0 * r)).round().max(2.0) as usize;
            ticks(self.bottom, self.top, count)
        };
        for (y, label) in y_ticks {
            let (_, py) = chart.backend_coord(&(0.0, y));
            draw_tick(
                root,
                [(x0, py), (x1, py)],
                grid,
                label,
                (x0 - gap, py),
                font(HPos::Right, VPos::Center),
            )?;
        }
        root.draw(&PathElement::new(vec![(x0, y0), (x0, y1), (x1, y1)], line))
            .map_err(err)?;
        let (_, height) = root.dim_in_pixel();
        root.draw(&Text::new(
            chart_word(false),
            ((x0 + x1) / 2, height as i32 - (2.0 * r) as i32),
            font(HPos::Center, VPos::Bottom),
        ))
        .map_err(err)?;
        root.draw(&Text::new(
            if y_desc == "loss" {
                chart_word(true)
            } else {
                y_desc.to_string()
            },
            ((4.0 * r) as i32, (y0 + y1) / 2),
            font(HPos::Left, VPos::Center),
        ))
        .map_err(err)?;
        Ok(())
    }

    fn draw<Y>(
        &self,
        mut chart: ChartContext<'_, DB, Cartesian2d<RangedCoordf64, Y>>,
        y_desc: &str,
    ) -> DrawResult
    where
        Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
    {
        let r = self.r;
        let px = |css: f64| (css * r).round().max(1.0) as u32;
        if let Some(root) = self.mesh {
            self.draw_axes(root, &chart, y_desc)?;
        }
        let Some((runs, step)) = self.curves else {
            return Ok(());
        };
        // Curves are mapped to pixels and thinned to one point per two CSS pixels, then drawn on
        // the plotting area in its own pixel coordinates.
        let area = chart.plotting_area().strip_coord_spec();
        let (base_x, base_y) = chart.plotting_area().get_base_pixel();
        // While the axes are held still, a curve may leave them: keep it on the edge.
        let (w, h) = area.dim_in_pixel();
        let (w, h) = (f64::from(w), f64::from(h));
        let mut thinned = Vec::new();
        let mut strips = Vec::new();
        let per_column = iterations_per_column(&chart, self.bottom, r);
        for series in runs {
            let c = colour(Scene::colour(series.colour));
            // A long noisy curve: at most four points per CSS pixel column, chosen among the
            // values (both scales keep the order of values, so the same points are extremes
            // on screen) before only those are mapped to pixels, then thinned. (Curves that
            // grow from frame to frame, with a cache, are drawn by `LossAxes::draw_more`.)
            let values = series
                .values
                .iter()
                .enumerate()
                .map(|(i, &v)| [i as f64, v]);
            column_extremes(values, per_column, &mut strips);
            let pixels = strips.iter().map(|&[i, v]| {
                let (x, y) = chart.backend_coord(&(i, v));
                [
                    f64::from(x - base_x).clamp(0.0, w),
                    f64::from(y - base_y).clamp(0.0, h),
                ]
            });
            thin_polyline(pixels, 2.0 * r, &mut thinned);
            let path: Vec<(i32, i32)> = thinned.iter().map(|p| pixel(*p)).collect();
            area.draw(&PathElement::new(path, c.stroke_width(px(2.0))))
                .map_err(err)?;
        }
        let x = step as f64;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x, self.bottom), (x, self.top)],
                BLACK.mix(0.45).stroke_width(px(1.0)),
            )))
            .map_err(err)?;
        Ok(())
    }
}
