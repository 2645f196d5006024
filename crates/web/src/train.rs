//! The network view's glue: [`Trainer`] holds a core [`TrainScene`] and draws its loss chart,
//! each optimizer's decision regions and the loss landscape. As for the surfaces, every number
//! comes from the core.

use std::cell::RefCell;

use gradscape_core::paint::{Layout, Painter, Scale};
use gradscape_core::params::format_optimizers;
use gradscape_core::render::{thin_polyline, ColumnCache};
use gradscape_core::scene::Scene;
use gradscape_core::train::Sent;
use gradscape_core::train_scene::{TrainScene, CLASS_COLOURS};
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::Clamped;
use web_sys::{HtmlCanvasElement, ImageData};

use crate::{
    cleared, context, draw_axes, js_error, js_message, json, optimizer_items, pairs, Drawn,
    LossAxes, Series,
};

/// A points canvas's width, height, device pixel ratio (bits), data set and seed.
type PointsKey = (u32, u32, u64, String, u64);

/// The network view of the page.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Trainer {
    scene: TrainScene,
    warnings: String,
    rgba: Vec<u8>,
    loss_axes: Option<LossAxes>,
    painter: Painter,
    landscape_layout: Option<Layout>,
    landscape_painted: bool,
    /// What each panel's data points were drawn for: size, resolution, data set and seed.
    points_keys: Vec<Option<PointsKey>>,
    /// How much of the race [`Trainer::progress`] has handed on.
    sent: Sent,
    /// Each member's loss curve reduced to column extremes so far; cleared with the race.
    curves: Vec<RefCell<ColumnCache>>,
    /// How much of each curve is on the loss canvas; none when the canvas must be drawn afresh.
    curves_drawn: Option<Vec<Drawn>>,
}

impl Trainer {
    /// The data on a transparent canvas: each class in its colour, one path per class and
    /// split (filled dots for training examples, rings for held-out ones).
    fn draw_points(
        &self,
        canvas: &HtmlCanvasElement,
        view: gradscape_core::surface::ViewBox,
        dpr: f64,
    ) -> Result<(), JsError> {
        let ctx = context(canvas)?;
        let (w, h) = (f64::from(canvas.width()), f64::from(canvas.height()));
        ctx.clear_rect(0.0, 0.0, w, h);
        let data = self.scene.race().data();
        let radius = 2.6 * dpr;
        let splits =
            std::iter::once((&data.train, true)).chain(data.test.as_ref().map(|t| (t, false)));
        for (split, filled) in splits {
            for class in 0..data.classes {
                let [r, g, b] = CLASS_COLOURS[class % CLASS_COLOURS.len()];
                ctx.begin_path();
                for (row, _) in split
                    .x
                    .data
                    .chunks_exact(2)
                    .zip(&split.t)
                    .filter(|(_, &t)| t == class)
                {
                    let x = (row[0] - view.xmin) / (view.xmax - view.xmin) * w;
                    let y = (view.ymax - row[1]) / (view.ymax - view.ymin) * h;
                    ctx.move_to(x + radius, y);
                    ctx.arc(x, y, radius, 0.0, std::f64::consts::TAU)
                        .map_err(|_| JsError::new("could not draw a point"))?;
                }
                let colour = format!("rgb({r},{g},{b})");
                if filled {
                    ctx.set_fill_style_str(&colour);
                    ctx.fill();
                    ctx.set_line_width(dpr);
                    ctx.set_stroke_style_str("rgba(0,0,0,0.65)");
                } else {
                    ctx.set_line_width(1.6 * dpr);
                    ctx.set_stroke_style_str(&colour);
                }
                ctx.stroke();
            }
        }
        Ok(())
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Curve {
    optimizer: &'static str,
    label: String,
    colour: &'static str,
    diverged_at: Option<usize>,
    train_accuracy: Option<f64>,
    test_accuracy: Option<f64>,
}

/// Accuracy as JSON: NaN (no examples) as null.
fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

#[wasm_bindgen]
impl Trainer {
    /// The view from URL parameters (keys and values side by side).
    #[wasm_bindgen(constructor)]
    pub fn new(keys: Vec<String>, values: Vec<String>) -> Trainer {
        let pairs = pairs(&keys, &values);
        let borrowed: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let (scene, warnings) = TrainScene::from_params(&borrowed);
        Trainer {
            scene,
            warnings: json(&warnings),
            rgba: Vec::new(),
            loss_axes: None,
            painter: Painter::new(),
            landscape_layout: None,
            landscape_painted: false,
            points_keys: Vec::new(),
            sent: Sent::default(),
            curves: Vec::new(),
            curves_drawn: None,
        }
    }

    /// The warnings about the URL the view was made from, as JSON `[{param, message}]`.
    pub fn initial_warnings(&self) -> String {
        self.warnings.clone()
    }

    /// Applies settings; a change to the race starts it again. Returns the warnings as JSON.
    pub fn apply(&mut self, keys: Vec<String>, values: Vec<String>) -> String {
        let pairs = pairs(&keys, &values);
        let borrowed: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let before = self.scene.race().iteration();
        let warnings = self.scene.apply(&borrowed);
        // The race may be a new one: its curves are read afresh.
        self.curves.clear();
        self.curves_drawn = None;
        if self.scene.race().iteration() != before {
            self.loss_axes = None;
        }
        json(&warnings)
    }

    /// The settings as JSON `[[key, value], ...]` in URL order.
    pub fn params(&self) -> String {
        json(&self.scene.settings().to_params())
    }

    /// Runs up to `n` iterations; returns how many ran.
    pub fn run(&mut self, n: usize) -> usize {
        self.scene.run(n)
    }

    /// What the race did since the last call, for a copy of it elsewhere to [`Trainer::absorb`]:
    /// the page trains in a worker thread and draws from its own copy.
    pub fn progress(&mut self) -> Vec<f64> {
        self.scene.progress(&mut self.sent)
    }

    /// Takes in the [`Trainer::progress`] of a copy of this race (same settings and start).
    pub fn absorb(&mut self, progress: &[f64]) -> Result<(), JsValue> {
        self.scene.absorb(progress).map_err(js_message)
    }

    /// The weights the race started from when they were picked on the landscape, else nothing.
    pub fn start_weights(&self) -> Option<Vec<f64>> {
        self.scene.start_weights().map(<[f64]>::to_vec)
    }

    /// The race again from iteration 0, from these weights (another copy's `start_weights`).
    pub fn start_from_weights(&mut self, weights: &[f64]) -> Result<(), JsValue> {
        self.scene.start_from_weights(weights).map_err(js_message)?;
        self.sent = Sent::default();
        self.loss_axes = None;
        self.curves.clear();
        self.curves_drawn = None;
        Ok(())
    }

    /// Back to iteration 0.
    pub fn reset(&mut self) {
        self.scene.reset();
        self.loss_axes = None;
        self.curves.clear();
        self.curves_drawn = None;
    }

    /// Iterations done.
    pub fn iteration(&self) -> usize {
        self.scene.race().iteration()
    }

    /// Iterations in the run.
    pub fn iterations(&self) -> usize {
        self.scene.settings().config.iterations
    }

    /// Whether the run is complete.
    pub fn done(&self) -> bool {
        self.scene.race().done()
    }

    /// Whether the data is 2-D (decision regions) or the digits (images).
    pub fn kind(&self) -> String {
        match self.scene.race().data().features.len() {
            2 => "2d".into(),
            64 => "digits".into(),
            _ => "other".into(),
        }
    }

    /// The optimizers as JSON, in the surface view's format (all shown).
    pub fn optimizers(&self) -> String {
        optimizer_items(self.scene.settings().optimizers.iter().map(|c| (*c, true)))
    }

    /// Each optimizer's last loss, divergence and label, as JSON (cheap enough for every frame).
    pub fn summaries(&self) -> String {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Summary {
            optimizer: &'static str,
            label: String,
            colour: &'static str,
            loss: Option<f64>,
            diverged_at: Option<usize>,
        }
        let list: Vec<Summary> = self
            .scene
            .race()
            .members()
            .iter()
            .enumerate()
            .map(|(i, m)| Summary {
                optimizer: m.optimizer.config().id(),
                label: format_optimizers(&[*m.optimizer.config()]),
                colour: Scene::colour(i),
                loss: m.loss.last().copied(),
                diverged_at: m.diverged_at,
            })
            .collect();
        json(&list)
    }

    /// Each optimizer's accuracy on the training and held-out examples, as JSON
    /// `[[train, test], ...]` (null where there are none).
    pub fn accuracies(&mut self) -> String {
        let n = self.scene.race().members().len();
        let list: Vec<(Option<f64>, Option<f64>)> = (0..n)
            .map(|i| {
                let (train, test) = self.scene.accuracy(i);
                (finite(train), finite(test))
            })
            .collect();
        json(&list)
    }

    /// Every optimizer's curve but its losses (see [`Trainer::losses`]), as JSON
    /// `[{optimizer, label, colour, divergedAt, trainAccuracy, testAccuracy}]`.
    pub fn loss_curves(&mut self) -> String {
        let n = self.scene.race().members().len();
        let accuracies: Vec<(Option<f64>, Option<f64>)> =
            (0..n).map(|i| self.scene.accuracy(i)).collect();
        let curves: Vec<Curve> = self
            .scene
            .race()
            .members()
            .iter()
            .zip(accuracies)
            .enumerate()
            .map(|(i, (m, (train, test)))| Curve {
                optimizer: m.optimizer.config().id(),
                label: format_optimizers(&[*m.optimizer.config()]),
                colour: Scene::colour(i),
                diverged_at: m.diverged_at,
                train_accuracy: finite(train),
                test_accuracy: finite(test),
            })
            .collect();
        json(&curves)
    }

    /// Optimizer `member`'s loss at each iteration so far (a Float64Array: a race of 100,000
    /// iterations would be megabytes of JSON).
    pub fn losses(&self, member: usize) -> js_sys::Float64Array {
        let loss = self.scene.race().members().get(member).map(|m| &m.loss[..]);
        js_sys::Float64Array::from(loss.unwrap_or_default())
    }

    /// Forgets the drawn axes (after the canvases were resized, which clears them).
    pub fn loss_resized(&mut self) {
        self.loss_axes = None;
        self.curves_drawn = None;
    }

    /// Draws the loss curves: axes on `axes_canvas` and curves on `canvas`, both sized by the
    /// caller in device pixels. The axes are redrawn only when they change; the curves are
    /// added to from frame to frame (see `LossAxes::draw_more`), and drawn afresh when the axes,
    /// the size or the race change. `training`: more iterations are coming (the curves' last
    /// pixel column waits for them).
    pub fn render_loss(
        &mut self,
        axes_canvas: &HtmlCanvasElement,
        canvas: &HtmlCanvasElement,
        dpr: f64,
        log: bool,
        training: bool,
    ) -> Result<(), JsError> {
        let members = self.scene.race().members();
        self.curves.resize_with(members.len(), Default::default);
        let series: Vec<Series> = members
            .iter()
            .zip(&self.curves)
            .enumerate()
            .map(|(i, (m, cache))| Series {
                colour: i,
                values: &m.loss,
                cache: Some(cache),
            })
            .collect();
        let iterations = self.scene.settings().config.iterations;
        let fitted = LossAxes::fit(&series, iterations, log, "loss").map(LossAxes::rounded_out);
        if fitted != self.loss_axes {
            cleared(axes_canvas)?;
            if let Some(axes) = fitted {
                let backend = CanvasBackend::with_canvas_object(axes_canvas.clone())
                    .ok_or_else(|| JsError::new("the loss canvas cannot be drawn on"))?;
                axes.draw(&backend.into_drawing_area(), dpr, true, None)
                    .map_err(js_error)?;
            }
            self.loss_axes = fitted;
            self.curves_drawn = None;
        }
        let Some(axes) = self.loss_axes else {
            cleared(canvas)?;
            self.curves_drawn = None;
            return Ok(());
        };
        // Round joins and ends: a curve drawn in parts, one per frame, covers the same pixels as
        // the curve drawn in one go (a butt end and the next part's start leave a notch where a
        // joined line has none), and noisy curves get no miter spikes.
        let ctx = context(canvas)?;
        ctx.set_line_join("round");
        ctx.set_line_cap("round");
        let backend = CanvasBackend::with_canvas_object(canvas.clone())
            .ok_or_else(|| JsError::new("the loss canvas cannot be drawn on"))?;
        let root = backend.into_drawing_area();
        for _ in 0..2 {
            let drawn = match &mut self.curves_drawn {
                Some(drawn) if drawn.len() == series.len() => drawn,
                _ => {
                    cleared(canvas)?;
                    self.curves_drawn
                        .insert(vec![Drawn::default(); series.len()])
                }
            };
            let settled = !training || self.scene.race().done();
            if axes
                .draw_more(&root, dpr, &series, drawn, settled)
                .map_err(js_error)?
            {
                return Ok(());
            }
            // A curve's cache started again: everything afresh.
            self.curves_drawn = None;
        }
        Ok(())
    }

    /// Draws optimizer `member`'s decision regions on `map`, an n × n canvas that the page
    /// scales up smoothly, and the data on `points`, a canvas at the screen's resolution laid
    /// over it: training points filled, held-out points as rings. The points never move, so a
    /// panel's points are drawn again only when its size, the data or the seed change: a frame
    /// of training redraws n × n pixels per panel.
    pub fn render_regions(
        &mut self,
        member: usize,
        map: &HtmlCanvasElement,
        points: &HtmlCanvasElement,
        n: u32,
        dpr: f64,
    ) -> Result<(), JsError> {
        let Some(view) = self.scene.bounds() else {
            cleared(map)?;
            cleared(points)?;
            return Ok(());
        };
        self.scene.regions(member, n as usize, &mut self.rgba);
        if self.rgba.len() != (n as usize) * (n as usize) * 4 {
            return Ok(());
        }
        if map.width() != n || map.height() != n {
            map.set_width(n);
            map.set_height(n);
        }
        let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&self.rgba), n, n)
            .map_err(|_| JsError::new("could not make the regions image"))?;
        context(map)?
            .put_image_data(&image, 0.0, 0.0)
            .map_err(|_| JsError::new("could not draw the regions image"))?;
        let key = (
            points.width(),
            points.height(),
            dpr.to_bits(),
            self.scene.settings().dataset.clone(),
            self.scene.settings().config.seed,
        );
        if self.points_keys.len() <= member {
            self.points_keys.resize(member + 1, None);
        }
        if self.points_keys[member].as_ref() != Some(&key) {
            self.draw_points(points, view, dpr)?;
            self.points_keys[member] = Some(key);
        }
        Ok(())
    }

    /// Forgets the drawn data points (after the data changed, or the panels were replaced).
    pub fn points_changed(&mut self) {
        self.points_keys.clear();
    }

    /// The first `count` held-out digits as JSON `{images: [[64 values in 0…1]], labels,
    /// predicted: [[label per image] per optimizer]}`.
    pub fn digits(&mut self, count: usize) -> String {
        #[derive(Serialize)]
        struct Digits {
            images: Vec<Vec<f64>>,
            labels: Vec<usize>,
            predicted: Vec<Vec<usize>>,
        }
        let (images, labels, predicted) = self.scene.digit_samples(count);
        json(&Digits {
            images,
            labels,
            predicted,
        })
    }

    /// What the Graph view's module needs to draw optimizer `member`'s network as the book's
    /// layers on training example `example`: JSON `{sizes, activation, x, label}`; the weights
    /// come from [`Trainer::member_params`].
    pub fn layer_example(&self, member: usize, example: usize) -> Result<String, JsValue> {
        #[derive(Serialize)]
        struct Example<'a> {
            sizes: Vec<usize>,
            activation: &'static str,
            x: &'a [f64],
            label: usize,
        }
        let (net, x, label) = self
            .scene
            .layer_example(member, example)
            .map_err(js_message)?;
        let (sizes, activation) = net.shape();
        Ok(json(&Example {
            sizes,
            activation: activation.name(),
            x,
            label,
        }))
    }

    /// Optimizer `member`'s weights and biases (W₁, b₁, W₂, …), or nothing if there is no such
    /// optimizer.
    pub fn member_params(&self, member: usize) -> Option<Vec<f64>> {
        self.scene
            .layer_example(member, 0)
            .ok()
            .map(|(net, _, _)| net.params().to_vec())
    }

    /// How many training examples there are.
    pub fn train_examples(&self) -> usize {
        self.scene.train_examples()
    }

    /// The book's gradient check for optimizer `member`'s network on 3 training examples, at
    /// most 300 numbers per array, as JSON `[{name, difference, checked, total}]`.
    pub fn gradient_check(&mut self, member: usize) -> String {
        #[derive(Serialize)]
        struct Row {
            name: String,
            difference: f64,
            checked: usize,
            total: usize,
        }
        let rows: Vec<Row> = self
            .scene
            .gradient_check(member, 3, 300)
            .into_iter()
            .map(|(name, difference, checked, total)| Row {
                name,
                difference,
                checked,
                total,
            })
            .collect();
        json(&rows)
    }

    /// Makes the loss landscape through optimizer `member`'s weights (n × n points, filled by
    /// [`Trainer::fill_landscape`]).
    pub fn make_landscape(&mut self, member: usize, n: usize) -> Result<(), JsValue> {
        self.scene.make_landscape(member, n).map_err(js_message)?;
        self.landscape_painted = false;
        Ok(())
    }

    /// Fills up to `rows` more rows of the landscape; returns whether it is complete.
    pub fn fill_landscape(&mut self, rows: usize) -> bool {
        if rows > 0 {
            self.landscape_painted = false;
        }
        self.scene.fill_landscape(rows)
    }

    /// The landscape's settings as JSON `{directions, member, extent, done}`, or null.
    pub fn landscape_info(&self) -> String {
        #[derive(Serialize)]
        struct Info {
            directions: &'static str,
            member: usize,
            extent: f64,
            done: bool,
        }
        match self.scene.landscape() {
            Some(l) => json(&Info {
                directions: l.directions.name(),
                member: self.scene.landscape_member(),
                extent: l.extent,
                done: l.done(),
            }),
            None => "null".into(),
        }
    }

    /// Sizes the landscape's canvases (CSS pixels and the device pixel ratio).
    pub fn resize_landscape(&mut self, css_width: f64, css_height: f64, dpr: f64) {
        if let Some(l) = self.scene.landscape() {
            self.landscape_layout = Some(Layout::new(css_width, css_height, dpr, l.view()));
            self.landscape_painted = false;
        }
    }

    /// Plane coordinates under a CSS pixel of the landscape, as `[a, b]` (empty if none).
    pub fn landscape_at(&self, cx: f64, cy: f64) -> Vec<f64> {
        match &self.landscape_layout {
            Some(layout) => layout.css_to_world([cx, cy]).to_vec(),
            None => Vec::new(),
        }
    }

    /// CSS pixel of plane coordinates (a, b) on the landscape (empty if none).
    pub fn landscape_to_css(&self, a: f64, b: f64) -> Vec<f64> {
        match &self.landscape_layout {
            Some(layout) => layout.world_to_css([a, b]).to_vec(),
            None => Vec::new(),
        }
    }

    /// Starts the race again with every optimizer at plane coordinates (a, b).
    pub fn start_from_landscape(&mut self, a: f64, b: f64) -> Result<(), JsValue> {
        self.scene.start_from_landscape(a, b).map_err(js_message)?;
        self.loss_axes = None;
        self.curves.clear();
        self.curves_drawn = None;
        Ok(())
    }

    /// Paints the landscape on `surface` (when it changed) and the optimizers' projected paths on
    /// `overlay`; `drag` is a start being dragged, in plane coordinates.
    pub fn render_landscape(
        &mut self,
        surface: &HtmlCanvasElement,
        overlay: &HtmlCanvasElement,
        log: bool,
        drag: Option<Vec<f64>>,
    ) -> Result<(), JsError> {
        let (Some(landscape), Some(layout)) = (self.scene.landscape(), self.landscape_layout)
        else {
            return Ok(());
        };
        if !self.landscape_painted {
            let scale = if log { Scale::Log } else { Scale::Linear };
            self.painter.paint(landscape, &layout, scale, 14);
            let ctx = cleared(surface)?;
            let image = ImageData::new_with_u8_clamped_array_and_sh(
                Clamped(self.painter.rgba()),
                layout.plot_width,
                layout.plot_height,
            )
            .map_err(|_| JsError::new("could not make the landscape image"))?;
            ctx.put_image_data(
                &image,
                f64::from(layout.plot_left),
                f64::from(layout.plot_top),
            )
            .map_err(|_| JsError::new("could not draw the landscape image"))?;
            let backend = CanvasBackend::with_canvas_object(surface.clone())
                .ok_or_else(|| JsError::new("the landscape canvas cannot be drawn on"))?;
            draw_axes(&backend.into_drawing_area(), &layout, ["α", "β"]).map_err(js_error)?;
            self.landscape_painted = true;
        }
        cleared(overlay)?;
        let backend = CanvasBackend::with_canvas_object(overlay.clone())
            .ok_or_else(|| JsError::new("the landscape canvas cannot be drawn on"))?;
        let root = backend.into_drawing_area();
        let r = layout.dpr;
        let px = |css: f64| (css * r).round().max(1.0) as u32;
        let device = |p: [f64; 2]| {
            let d = layout.world_to_device(p);
            (d[0].round() as i32, d[1].round() as i32)
        };
        let mut thinned = Vec::new();
        let paths = self.scene.landscape_paths();
        for (i, path) in paths.iter().enumerate().rev() {
            let c = crate::colour(Scene::colour(i));
            thin_polyline(
                path.iter().map(|p| layout.world_to_device(*p)),
                2.0 * r,
                &mut thinned,
            );
            let points: Vec<(i32, i32)> = thinned
                .iter()
                .map(|d| (d[0].round() as i32, d[1].round() as i32))
                .collect();
            root.draw(&PathElement::new(points, c.stroke_width(px(2.5))))
                .map_err(js_error)?;
            if let Some(last) = path.last() {
                root.draw(&Circle::new(device(*last), px(4.5), c.filled()))
                    .map_err(js_error)?;
                root.draw(&Circle::new(
                    device(*last),
                    px(4.5),
                    BLACK.stroke_width(px(1.0)),
                ))
                .map_err(js_error)?;
            }
        }
        // The start every optimizer shares: a white handle to drag.
        let start = match drag.as_deref() {
            Some([a, b]) => Some([*a, *b]),
            _ => paths.first().and_then(|p| p.first().copied()),
        };
        if let Some(s) = start {
            root.draw(&Circle::new(device(s), px(7.0), WHITE.filled()))
                .map_err(js_error)?;
            root.draw(&Circle::new(
                device(s),
                px(7.0),
                BLACK.stroke_width(px(2.0)),
            ))
            .map_err(js_error)?;
        }
        Ok(())
    }
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
