//! Drawing shared by the page's modules: axes, the plot's overlay (paths, markers, arrows) and
//! the loss charts, with plotters on a canvas or (for the SVG export) an SVG.

use gradscape_core::math::{clamp, pow};
use gradscape_core::paint::Layout;
use gradscape_core::render::{
    column_extremes, distinct_segments, simplify_polyline, thin_polyline, ticks, ColumnCache,
};
use gradscape_core::scene::Scene;
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
    [clamp(d[0], -limit, limit), clamp(d[1], -limit, limit)]
}

/// The page's font stack, for text drawn on canvases: Latin first, then fonts with Hangul and
/// kana on each system (Noto Sans CJK on Linux and Android, Apple SD Gothic Neo and Hiragino on
/// macOS, Malgun Gothic, Yu Gothic and Meiryo on Windows); none is downloaded.
pub const FONT_STACK: &str = "system-ui, 'Segoe UI', Roboto, 'Noto Sans', 'Noto Sans CJK KR', \
     'Noto Sans CJK JP', 'Apple SD Gothic Neo', 'Hiragino Sans', 'Hiragino Kaku Gothic ProN', \
     'Malgun Gothic', 'Yu Gothic', 'Meiryo', sans-serif";

thread_local! {
    /// The loss charts' axis words in the reader's language: the x axis's title, the network's
    /// y axis's, and what a log y axis adds to its title.
    static CHART_WORDS: RefCell<[String; 3]> =
        RefCell::new(["iteration".into(), "loss".into(), "log scale".into()]);
}

/// Sets the loss charts' axis words in the reader's language (the page calls it when the
/// language changes, then redraws the charts): the x axis's title, the network chart's y axis's
/// and what a log y axis adds to its title ("loss (log scale)"). Not in the 3-D view's module,
/// which has no charts.
#[cfg_attr(
    any(feature = "surfaces", feature = "network", feature = "svg"),
    wasm_bindgen
)]
pub fn set_chart_words(iteration: &str, loss: &str, log_scale: &str) {
    CHART_WORDS.with(|w| {
        *w.borrow_mut() = [iteration, loss, log_scale].map(str::to_string);
    });
}

/// A loss chart's word: 0 the x axis's title, 1 the network's y axis's, 2 a log axis's note.
pub(crate) fn chart_word(which: usize) -> String {
    CHART_WORDS.with(|w| w.borrow().get(which).cloned().unwrap_or_default())
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
            // Where the path goes back over its own ground (RMSprop zig-zagging across
            // Rosenbrock's valley for thousands of steps), a segment that retraces one of the
            // last few to within a CSS pixel is left out; the rest are drawn as the polylines
            // they form.
            let mut lines: Vec<Vec<(i32, i32)>> = Vec::new();
            let mut run_points: Vec<[f64; 2]> = Vec::new();
            let segments = distinct_segments(&thinned, r);
            for (n, &i) in segments.iter().enumerate() {
                if n == 0 || segments[n - 1] + 1 != i {
                    if run_points.len() >= 2 {
                        simplify_polyline(&run_points, 1.0, &mut simplified);
                        lines.push(simplified.iter().map(|p| pixel(*p)).collect());
                    }
                    run_points.clear();
                    run_points.push(thinned[i]);
                }
                run_points.push(thinned[i + 1]);
            }
            if run_points.len() >= 2 {
                simplify_polyline(&run_points, 1.0, &mut simplified);
                lines.push(simplified.iter().map(|p| pixel(*p)).collect());
            }
            for line in &lines {
                root.draw(&PathElement::new(
                    line.clone(),
                    WHITE.mix(0.85).stroke_width(px(4.0)),
                ))
                .map_err(err)?;
            }
            if shown.len() <= 301 {
                for p in &thinned {
                    draw_marker(root, run.optimizer_index, pixel(*p), px(2.5), c.filled())?;
                }
            }
            for line in lines {
                root.draw(&PathElement::new(line, c.stroke_width(px(2.0))))
                    .map_err(err)?;
            }
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

    /// Draws on `root` the chart's axes (with `mesh`) and/or the curves of `runs` up to `step`.
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
        let frame = Frame::new(root, r, self);
        if mesh {
            frame.draw_axes(root, self.y_name)?;
        }
        if let Some((runs, step)) = curves {
            frame.draw_curves(root, runs, step)?;
        }
        Ok(())
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
        let frame = Frame::new(root, r, self);
        let area = frame.area(root);
        let (w, h) = frame.size();
        let per_column = frame.iterations_per_column();
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
                let (x, y) = frame.pixel(i, v);
                [
                    clamp(f64::from(x - frame.x0), 0.0, w),
                    clamp(f64::from(y - frame.y0), 0.0, h),
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

/// Where a loss chart's plotting area lies on its canvas, and the device pixel of a point
/// (iteration, value) there. Margins of 8 CSS pixels (16 on the right), room below for the
/// x labels (34) and on the left for the y labels (64); the area's first and last pixel columns
/// are iterations 0 and `steps`, its last and first rows `bottom` and `top`, linearly in the value
/// or in its logarithm, rounded as plotters' `Cartesian2d` rounds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    r: f64,
    x0: i32,
    y0: i32,
    /// One past the area's last column and row.
    x1: i32,
    y1: i32,
    axes: LossAxes,
}

/// `v` in `lo..hi` mapped onto the pixels `limit.0..=limit.1` (either way round), as plotters'
/// `RangedCoordf64` maps it.
fn map_linear(v: f64, lo: f64, hi: f64, limit: (i32, i32)) -> i32 {
    if hi == lo {
        return (limit.1 - limit.0) / 2;
    }
    let logic = (v - lo) / (hi - lo);
    let actual = limit.1 - limit.0;
    if actual == 0 {
        return limit.1;
    }
    if logic.is_infinite() {
        return if logic > 0.0 { limit.1 } else { limit.0 };
    }
    let length = f64::from(actual) * logic;
    limit.0
        + if actual > 0 {
            (length + 1e-3).floor() as i32
        } else {
            (length - 1e-3).ceil() as i32
        }
}

impl Frame {
    fn new<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: f64, axes: &LossAxes) -> Self {
        let px = |css: f64| (css * r) as u32 as i32;
        let (w, h) = root.dim_in_pixel();
        let (w, h) = (w as i32, h as i32);
        let (x0, y0) = (px(8.0) + px(64.0), px(8.0));
        Self {
            r,
            x0,
            y0,
            x1: (w - px(16.0)).max(x0),
            y1: (h - px(8.0) - px(34.0)).max(y0),
            axes: *axes,
        }
    }

    /// The plotting area's width and height in device pixels.
    fn size(&self) -> (f64, f64) {
        (f64::from(self.x1 - self.x0), f64::from(self.y1 - self.y0))
    }

    /// The plotting area, to draw in its own pixel coordinates (and within it).
    fn area<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawingArea<DB, Shift> {
        let (w, h) = root.dim_in_pixel();
        root.margin(self.y0, h as i32 - self.y1, self.x0, w as i32 - self.x1)
    }

    /// The device pixel of iteration `i` at value `v`.
    fn pixel(&self, i: f64, v: f64) -> (i32, i32) {
        let a = &self.axes;
        let x = map_linear(i, 0.0, a.steps, (self.x0, self.x1 - 1));
        let rows = (self.y1 - 1, self.y0);
        let y = if a.log {
            map_linear(v.ln(), a.bottom.ln(), a.top.ln(), rows)
        } else {
            map_linear(v, a.bottom, a.top, rows)
        };
        (x, y)
    }

    /// Iterations per CSS pixel column of the x axis.
    fn iterations_per_column(&self) -> f64 {
        let (x0, _) = self.pixel(0.0, self.axes.bottom);
        let (x1, _) = self.pixel(1e6, self.axes.bottom);
        if x1 > x0 {
            1e6 * self.r / f64::from(x1 - x0)
        } else {
            1.0
        }
    }

    /// Ticks, faint grid lines, labels and names, placed by the canvas' text alignment (see
    /// [`draw_axes`]). On a log axis the ticks are the powers of ten.
    fn draw_axes<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        y_desc: &str,
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (r, a) = (self.r, &self.axes);
        let (x0, y0, x1, y1) = (self.x0, self.y0, self.x1, self.y1);
        let (w, h) = self.size();
        let line = BLACK.stroke_width(r.round().max(1.0) as u32);
        let grid = BLACK.mix(0.08).stroke_width(r.round().max(1.0) as u32);
        let gap = (6.0 * r).round() as i32;
        let font = |hp: HPos, vp: VPos| label_style(r, 12.0, hp, vp);
        let x_count = (w / (80.0 * r)).round().max(2.0) as usize;
        for (x, label) in ticks(0.0, a.steps, x_count) {
            let (px, _) = self.pixel(x, a.bottom);
            draw_tick(
                root,
                [(px, y0), (px, y1)],
                grid,
                label,
                (px, y1 + gap),
                font(HPos::Center, VPos::Top),
            )?;
        }
        let y_ticks: Vec<(f64, String)> = if a.log {
            let (lo, hi) = (a.bottom.log10().ceil() as i32, a.top.log10().floor() as i32);
            let every = ((hi - lo) / 6 + 1).max(1) as usize;
            (lo..=hi)
                .step_by(every)
                .map(|e| (10f64.powi(e), format!("1e{e}")))
                .collect()
        } else {
            let count = (h / (40.0 * r)).round().max(2.0) as usize;
            ticks(a.bottom, a.top, count)
        };
        for (y, label) in y_ticks {
            let (_, py) = self.pixel(0.0, y);
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
            chart_word(0),
            ((x0 + x1) / 2, height as i32 - (2.0 * r) as i32),
            font(HPos::Center, VPos::Bottom),
        ))
        .map_err(err)?;
        let name = if y_desc == "loss" {
            chart_word(1)
        } else {
            y_desc.to_string()
        };
        let y_name = if a.log {
            format!("{name} ({})", chart_word(2))
        } else {
            name
        };
        // Turned to read upwards, beside the labels however long it is ("f (log scale)").
        root.draw(&Text::new(
            y_name,
            ((4.0 * r) as i32, (y0 + y1) / 2),
            font(HPos::Center, VPos::Top).transform(FontTransform::Rotate270),
        ))
        .map_err(err)?;
        Ok(())
    }

    /// The curves of `runs`, and a line at iteration `step`. Curves are mapped to pixels,
    /// thinned to one point per two CSS pixels and simplified to within half a device pixel,
    /// then drawn on the plotting area in its own pixel coordinates.
    fn draw_curves<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        runs: &[Series],
        step: usize,
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let r = self.r;
        let px = |css: f64| (css * r).round().max(1.0) as u32;
        let area = self.area(root);
        // While the axes are held still, a curve may leave them: keep it on the edge.
        let (w, h) = self.size();
        let mut thinned = Vec::new();
        let mut simplified = Vec::new();
        let mut strips = Vec::new();
        let per_column = self.iterations_per_column();
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
                let (x, y) = self.pixel(i, v);
                [
                    clamp(f64::from(x - self.x0), 0.0, w),
                    clamp(f64::from(y - self.y0), 0.0, h),
                ]
            });
            thin_polyline(pixels, 2.0 * r, &mut thinned);
            simplify_polyline(&thinned, 0.5, &mut simplified);
            let path: Vec<(i32, i32)> = simplified.iter().map(|p| pixel(*p)).collect();
            area.draw(&PathElement::new(path, c.stroke_width(px(2.0))))
                .map_err(err)?;
        }
        let (x, bottom) = self.pixel(step as f64, self.axes.bottom);
        let (_, top) = self.pixel(step as f64, self.axes.top);
        area.draw(&PathElement::new(
            vec![
                (x - self.x0, bottom - self.y0),
                (x - self.x0, top - self.y0),
            ],
            BLACK.mix(0.45).stroke_width(px(1.0)),
        ))
        .map_err(err)?;
        Ok(())
    }
}
