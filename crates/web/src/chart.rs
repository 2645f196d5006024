//! Drawing shared by the page's modules: axes, the plot's overlay (paths, markers, arrows) and
//! the loss charts, with plotters on a canvas or (for the SVG export) an SVG.

use gradscape_core::math::pow;
use gradscape_core::paint::Layout;
use gradscape_core::render::{
    column_extremes, simplify_polyline, thin_polyline, ticks, ColumnCache,
};
use gradscape_core::scene::Scene;
use plotters::coord::cartesian::Cartesian2d;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

pub(crate) type DrawResult = Result<(), String>;

pub(crate) fn err<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> String {
    e.to_string()
}

pub(crate) fn colour(hex: &str) -> RGBColor {
    let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0);
    RGBColor(byte(1), byte(3), byte(5))
}

/// A world point in device pixels, kept within a box around the canvas: a diverging path's far
/// points still point the right way but stay small numbers for the canvas. The overlay is
/// clipped to the plot.
pub(crate) fn device(layout: &Layout, p: [f64; 2]) -> [f64; 2] {
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
/// language changes, then redraws the charts). Not in the 3-D view's module, which has no charts.
#[cfg_attr(
    any(feature = "surfaces", feature = "network", feature = "svg"),
    wasm_bindgen
)]
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
pub(crate) fn label_style(r: f64, size: f64, h: HPos, v: VPos) -> TextStyle<'static> {
    (FontFamily::Name(FONT_STACK), (size * r) as u32)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(h, v))
}

/// One tick: its mark (or grid line) from `mark[0]` to `mark[1]`, and its label at `at`.
pub(crate) fn draw_tick<DB: DrawingBackend>(
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
pub(crate) const TRAIL: usize = 16;

/// A device point as plotters' integer pixel coordinate.
pub(crate) fn pixel(d: [f64; 2]) -> (i32, i32) {
    (d[0].round() as i32, d[1].round() as i32)
}

/// Everything on the overlay, in device pixels on the whole canvas (clipped to the plot by the
/// caller): the minima, the paths up to `step`, the current points, the arrows and the start
/// handles.
/// Optimizer `i`'s marker at `at` (device pixels), `r` its radius.
pub(crate) fn draw_marker<DB: DrawingBackend>(
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

pub(crate) fn draw_overlay<DB: DrawingBackend>(
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
    let mut simplified = Vec::new();
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
            // looks the same with far fewer strokes. The line through them is simplified to
            // within a device pixel (half its width at devicePixelRatio 1), so its straight and
            // gently curving stretches are single segments for the browser to rasterise; the
            // markers stay on every thinned point.
            thin_polyline(
                shown.iter().map(|p| device(layout, *p)),
                2.0 * r,
                &mut thinned,
            );
            simplify_polyline(&thinned, 1.0, &mut simplified);
            let line: Vec<(i32, i32)> = simplified.iter().map(|p| pixel(*p)).collect();
            root.draw(&PathElement::new(
                line.clone(),
                WHITE.mix(0.85).stroke_width(px(4.0)),
            ))
            .map_err(err)?;
            if shown.len() <= 301 {
                for p in &thinned {
                    draw_marker(root, run.optimizer_index, pixel(*p), px(2.5), c.filled())?;
                }
            }
            root.draw(&PathElement::new(line, c.stroke_width(px(2.0))))
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
pub(crate) fn draw_arrows<DB: DrawingBackend>(
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
    pub(crate) steps: f64,
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
pub(crate) fn loss_series(scene: &Scene) -> Vec<Series<'_>> {
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
pub(crate) fn chart_builder<'a, 'b, DB: DrawingBackend>(
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
pub(crate) fn iterations_per_column<DB: DrawingBackend, Y: Ranged<ValueType = f64>>(
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
pub(crate) struct Layers<'a, DB: DrawingBackend> {
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
        // Curves are mapped to pixels, thinned to one point per two CSS pixels and simplified to
        // within half a device pixel, then drawn on the plotting area in its own pixel
        // coordinates.
        let area = chart.plotting_area().strip_coord_spec();
        let (base_x, base_y) = chart.plotting_area().get_base_pixel();
        // While the axes are held still, a curve may leave them: keep it on the edge.
        let (w, h) = area.dim_in_pixel();
        let (w, h) = (f64::from(w), f64::from(h));
        let mut thinned = Vec::new();
        let mut simplified = Vec::new();
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
            simplify_polyline(&thinned, 0.5, &mut simplified);
            let path: Vec<(i32, i32)> = simplified.iter().map(|p| pixel(*p)).collect();
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
