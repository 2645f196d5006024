//! The surfaces view: [`Viz`], the plot the page opens on, and the menus' catalog.

use crate::*;
use gradscape_core::gradient::numerical_gradient_2d;
use gradscape_core::optim::{OptimizerConfig, IDS};
use gradscape_core::paint::{Layout, Painted, Painter, Scale};
use gradscape_core::params;
use gradscape_core::render::segment_distance2;
use gradscape_core::scene::{Scene, PRESETS};
use gradscape_core::surface::{ViewBox, SURFACES};
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::Clamped;
use web_sys::{HtmlCanvasElement, ImageData};

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

    /// Draws the paths from now on on `overlay`, a canvas in the old one's place (the page makes
    /// it once it knows it is drawn in software, with a desynchronized context), sized as the old
    /// one; the next `render_overlay` draws them there.
    pub fn set_overlay(&mut self, overlay: HtmlCanvasElement) -> Result<(), JsError> {
        context(&overlay)?;
        overlay.set_width(self.layout.device_width());
        overlay.set_height(self.layout.device_height());
        self.overlay = overlay;
        Ok(())
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
                    Some(a) => segment_distance2(a, c, [cx, cy]).sqrt(),
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

    /// How many times the runs have been recomputed: the update rule's copy of a run is
    /// current while this is unchanged.
    pub fn generation(&self) -> f64 {
        self.scene.generation() as f64
    }

    /// The optimizer of run `run` (an index into `trajectories()`) as the URL writes it, for
    /// the update rule's module to explain its update from `step`, checked here (whole numbers
    /// in range, a run that ran); else an error in words. The noise is the URL's (`params()`).
    pub fn rule_run(&self, run: f64, step: f64) -> Result<String, JsValue> {
        let (run, _) = self.scene.run_and_step(run, step).map_err(js_message)?;
        let config = self.scene.run_config(run).map_err(js_message)?;
        Ok(config.to_string())
    }

    /// Run `run`'s path for the update rule's module (`Rule::hold`): the update it diverged at
    /// (−1 for none), the numbers of points n, exact gradients and noisy gradients m, then the
    /// points, the gradients and the noisy gradients as pairs. Empty for a run that is not there.
    pub fn rule_path(&self, run: usize) -> Vec<f64> {
        let Some(r) = self.scene.runs().get(run) else {
            return Vec::new();
        };
        let t = &r.trajectory;
        let mut out = vec![
            t.diverged_at.map_or(-1.0, |d| d as f64),
            t.points.len() as f64,
            t.gradients.len() as f64,
            t.noisy.len() as f64,
        ];
        for list in [&t.points, &t.gradients, &t.noisy] {
            out.extend(list.iter().flatten());
        }
        out
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
    /// pixels), with its contour lines if `contours`: the Graph view's small picture, on which
    /// its point is dragged, and the picture the 3-D view's mesh wears.
    pub fn paint_inset(
        &self,
        canvas: &web_sys::HtmlCanvasElement,
        width: u32,
        height: u32,
        contours: bool,
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
        painter.paint(
            self.scene.function(),
            &layout,
            scale,
            if contours { 8 } else { 0 },
        );
        canvas.set_width(width);
        canvas.set_height(height);
        let ctx = cleared(canvas)?;
        let image =
            ImageData::new_with_u8_clamped_array_and_sh(Clamped(painter.rgba()), width, height)
                .map_err(|_| JsError::new("could not make the inset image"))?;
        ctx.put_image_data(&image, 0.0, 0.0)
            .map_err(|_| JsError::new("could not draw the inset image"))
    }

    /// Every run's points and values of f in one array, for the 3-D view: the number of runs,
    /// then for each its number of points n and n triples (x, y, f).
    pub fn path_data(&self) -> Vec<f64> {
        let runs = self.scene.runs();
        let mut out = vec![runs.len() as f64];
        for run in runs {
            let t = &run.trajectory;
            let n = t.points.len().min(t.values.len());
            out.push(n as f64);
            for (p, f) in t.points.iter().zip(&t.values).take(n) {
                out.extend_from_slice(&[p[0], p[1], *f]);
            }
        }
        out
    }

    /// f on an n × n grid over the view (n from 2 to 1024), row by row from ymin up, each row
    /// from xmin to xmax: the 3-D view's heights.
    pub fn sample(&self, n: usize) -> Vec<f64> {
        let n = n.clamp(2, 1024);
        let v = self.layout.view;
        let at = |lo: f64, hi: f64, i: usize| lo + (hi - lo) * i as f64 / (n - 1) as f64;
        let f = self.scene.function();
        (0..n * n)
            .map(|k| f.value(at(v.xmin, v.xmax, k % n), at(v.ymin, v.ymax, k / n)))
            .collect()
    }

    /// Paints the surface if the function, view or size changed since the last paint; true when
    /// it did.
    pub fn render_surface(&mut self) -> Result<bool, JsError> {
        if !self.surface_dirty {
            return Ok(false);
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
        Ok(true)
    }

    /// Draws the minima, every visible path up to `step` updates, the start handles and the
    /// arrows of what each optimizer sees at `step`.
    pub fn render_overlay(&mut self, step: usize, arrows: bool) -> Result<(), JsError> {
        let ctx = context(&self.overlay)?;
        let backend = CanvasBackend::with_canvas_object(self.overlay.clone())
            .ok_or_else(|| JsError::new("the overlay canvas cannot be drawn on"))?;
        let root = backend.into_drawing_area();
        let l = &self.layout;
        // Everything is drawn clipped to the plot, so only the plot is cleared: the margins
        // stay empty, and the browser fills fewer pixels on every pointer move.
        let plot = [
            f64::from(l.plot_left),
            f64::from(l.plot_top),
            f64::from(l.plot_width),
            f64::from(l.plot_height),
        ];
        ctx.clear_rect(plot[0], plot[1], plot[2], plot[3]);
        ctx.save();
        ctx.begin_path();
        ctx.rect(plot[0], plot[1], plot[2], plot[3]);
        ctx.clip();
        // Round joins: where a path turns back on itself (a zig-zag across a valley), a mitred
        // join would draw a spike up to ten line widths long that the path never went along.
        ctx.set_line_join("round");
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
