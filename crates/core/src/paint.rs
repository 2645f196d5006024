//! Painting a loss surface as a heatmap with contour lines into an RGBA pixel buffer, and the
//! mapping between world coordinates and canvas pixels that the page's zoom and pan work through.
//!
//! The page hands [`Painter::rgba`] to the canvas in one `putImageData`, so this is the hot path
//! of every redraw: a [`Painter`] keeps its buffers between calls, colours and contour bands are
//! looked up in tables, and the log scale's logarithm is a few multiplications. Axes and labels
//! are drawn elsewhere.

use std::sync::OnceLock;

use serde::Serialize;

use crate::math::{exp, ln};
use crate::render::viridis;
use crate::surface::{Function, ViewBox};

/// Anything the painter can colour: a value at each point of the plane (NaN or ±∞ where it has
/// none). Surfaces f(x, y) are fields, and so is a slice of a network's loss.
pub trait Field {
    fn value(&self, x: f64, y: f64) -> f64;
}

impl Field for Function {
    #[inline]
    fn value(&self, x: f64, y: f64) -> f64 {
        Function::value(self, x, y)
    }
}

/// Where the plot sits on a canvas: sizes in device pixels, and the mapping between world
/// coordinates (x, y) and pixels. y grows upwards in the world and downwards on screen.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Layout {
    /// The canvas size in CSS pixels.
    pub css_width: f64,
    pub css_height: f64,
    /// Device pixels per CSS pixel.
    pub dpr: f64,
    /// The plot rectangle in device pixels: left, top, width, height (integers, >= 1).
    pub plot_left: u32,
    pub plot_top: u32,
    pub plot_width: u32,
    pub plot_height: u32,
    /// The part of the plane shown in the plot rectangle.
    pub view: ViewBox,
}

/// Narrowest and widest view span, and the farthest view centre, that zoom and pan allow: far
/// enough for any use, near enough that pixel coordinates stay finite and distinct.
const MIN_SPAN: f64 = ViewBox::MIN_SPAN;
const MAX_SPAN: f64 = ViewBox::MAX_SPAN;
const MAX_CENTRE: f64 = ViewBox::MAX_CENTRE;

impl Layout {
    /// Margins in CSS pixels around the plot rectangle, where the axis labels go.
    pub const MARGIN_LEFT: f64 = 58.0;
    pub const MARGIN_RIGHT: f64 = 14.0;
    pub const MARGIN_TOP: f64 = 12.0;
    pub const MARGIN_BOTTOM: f64 = 42.0;

    /// The layout of a `css_width × css_height` canvas at `dpr` device pixels per CSS pixel.
    /// Sizes are clamped to [1, 10000] and dpr to [0.5, 4]; a NaN size counts as 1 and a NaN dpr
    /// as 1. Margins are rounded to whole device pixels; when the canvas is too small for them
    /// they shrink so that the plot is still at least 1×1 and inside the canvas.
    pub fn new(css_width: f64, css_height: f64, dpr: f64, view: ViewBox) -> Layout {
        let clamp = |v: f64, lo: f64, hi: f64, nan: f64| {
            if v.is_nan() {
                nan
            } else {
                crate::math::clamp(v, lo, hi)
            }
        };
        let mut layout = Layout {
            css_width: clamp(css_width, 1.0, 10_000.0, 1.0),
            css_height: clamp(css_height, 1.0, 10_000.0, 1.0),
            dpr: clamp(dpr, 0.5, 4.0, 1.0),
            plot_left: 0,
            plot_top: 0,
            plot_width: 1,
            plot_height: 1,
            view,
        };
        let dpr = layout.dpr;
        let px = |css: f64| (css * dpr).round() as u32;
        // One axis: (start, length) of the plot within `total` device pixels.
        let fit = |total: u32, before: f64, after: f64| {
            let (before, after) = (px(before), px(after));
            let length = total.saturating_sub(before + after).max(1);
            (before.min(total - 1), length)
        };
        (layout.plot_left, layout.plot_width) =
            fit(layout.device_width(), Self::MARGIN_LEFT, Self::MARGIN_RIGHT);
        (layout.plot_top, layout.plot_height) = fit(
            layout.device_height(),
            Self::MARGIN_TOP,
            Self::MARGIN_BOTTOM,
        );
        layout
    }

    /// The canvas width in device pixels: round(css_width · dpr), at least 1.
    pub fn device_width(&self) -> u32 {
        ((self.css_width * self.dpr).round() as u32).max(1)
    }

    /// The canvas height in device pixels: round(css_height · dpr), at least 1.
    pub fn device_height(&self) -> u32 {
        ((self.css_height * self.dpr).round() as u32).max(1)
    }

    /// World (x, y) to device pixels, measured at pixel *edges*: xmin maps to `plot_left`, xmax to
    /// `plot_left + plot_width`, ymax to `plot_top` and ymin to `plot_top + plot_height`.
    pub fn world_to_device(&self, p: [f64; 2]) -> [f64; 2] {
        let v = &self.view;
        [
            f64::from(self.plot_left)
                + (p[0] - v.xmin) / (v.xmax - v.xmin) * f64::from(self.plot_width),
            f64::from(self.plot_top)
                + (v.ymax - p[1]) / (v.ymax - v.ymin) * f64::from(self.plot_height),
        ]
    }

    /// Device pixels to world (x, y): the inverse of [`Layout::world_to_device`].
    pub fn device_to_world(&self, d: [f64; 2]) -> [f64; 2] {
        let v = &self.view;
        [
            v.xmin
                + (d[0] - f64::from(self.plot_left)) / f64::from(self.plot_width)
                    * (v.xmax - v.xmin),
            v.ymax
                - (d[1] - f64::from(self.plot_top)) / f64::from(self.plot_height)
                    * (v.ymax - v.ymin),
        ]
    }

    /// World (x, y) to CSS pixels (device pixels / dpr), where pointer events are measured.
    pub fn world_to_css(&self, p: [f64; 2]) -> [f64; 2] {
        self.world_to_device(p).map(|d| d / self.dpr)
    }

    /// CSS pixels to world (x, y).
    pub fn css_to_world(&self, c: [f64; 2]) -> [f64; 2] {
        self.device_to_world(c.map(|c| c * self.dpr))
    }

    /// The same canvas showing another part of the plane.
    pub fn with_view(&self, view: ViewBox) -> Layout {
        Layout { view, ..*self }
    }

    /// Zoom by `factor` (> 1 zooms in) keeping the world point under CSS position `c` fixed;
    /// returns the new view. A factor that is not finite and positive counts as 1, and a
    /// non-finite `c` zooms about the view's centre. Spans are clamped to [1e-9, 1e9] and the
    /// centre to ±1e9, so the result is always a valid view.
    pub fn zoomed(&self, c: [f64; 2], factor: f64) -> ViewBox {
        let factor = if factor.is_finite() && factor > 0.0 {
            factor
        } else {
            1.0
        };
        let p = self.css_to_world(c);
        let axis = |p: f64, lo: f64, hi: f64| {
            let span = hi - lo;
            let p = if p.is_finite() {
                p
            } else {
                0.5 * lo + 0.5 * hi
            };
            let new_span = (span / factor).clamp(MIN_SPAN, MAX_SPAN);
            // p keeps its fraction of the way across the view.
            let new_lo = p - (p - lo) / span * new_span;
            settle_axis(new_lo, new_lo + new_span, (lo, hi))
        };
        let v = &self.view;
        view_of(axis(p[0], v.xmin, v.xmax), axis(p[1], v.ymin, v.ymax))
    }

    /// Pan: the view moved so the content follows a drag of (dx, dy) CSS pixels (right and down
    /// are positive). Non-finite drags count as 0; the centre is clamped to ±1e9.
    pub fn panned(&self, dx: f64, dy: f64) -> ViewBox {
        let v = &self.view;
        // Multiplying by the span last keeps whole-plot drags exact.
        let shift = |d: f64, pixels: u32, span: f64| {
            let d = if d.is_finite() { d } else { 0.0 };
            d * self.dpr / f64::from(pixels) * span
        };
        let sx = -shift(dx, self.plot_width, v.xmax - v.xmin);
        let sy = shift(dy, self.plot_height, v.ymax - v.ymin);
        view_of(
            settle_axis(v.xmin + sx, v.xmax + sx, (v.xmin, v.xmax)),
            settle_axis(v.ymin + sy, v.ymax + sy, (v.ymin, v.ymax)),
        )
    }
}

fn view_of((xmin, xmax): (f64, f64), (ymin, ymax): (f64, f64)) -> ViewBox {
    ViewBox {
        xmin,
        xmax,
        ymin,
        ymax,
    }
}

/// One axis of a view, made valid: the candidate bounds clamped, else the old ones, else [−1, 1].
fn settle_axis(lo: f64, hi: f64, old: (f64, f64)) -> (f64, f64) {
    clamp_axis(lo, hi)
        .or_else(|| clamp_axis(old.0, old.1))
        .unwrap_or((-1.0, 1.0))
}

/// Bounds with the centre within ±1e9 and a span in [1e-9, 1e9], unchanged if already so.
fn clamp_axis(lo: f64, hi: f64) -> Option<(f64, f64)> {
    let (centre, span) = (0.5 * lo + 0.5 * hi, hi - lo);
    if !(centre.is_finite() && span.is_finite()) {
        return None;
    }
    let c = centre.clamp(-MAX_CENTRE, MAX_CENTRE);
    // Far from 0 the span must also cover many units in the last place, or lo and hi would round
    // to the same number.
    let s = crate::math::clamp(
        span,
        MIN_SPAN.max(c.abs() * ViewBox::MIN_RELATIVE_SPAN),
        MAX_SPAN,
    );
    if c == centre && s == span {
        return Some((lo, hi));
    }
    let (lo, hi) = (c - 0.5 * s, c + 0.5 * s);
    (lo < hi).then_some((lo, hi))
}

/// Colour scale of the heatmap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// t = (f − min) / (max − min).
    Linear,
    /// t = ln(1 + f − min) / ln(1 + max − min): detail near the minimum of steep surfaces.
    Log,
}

/// What was painted: the value range used and the contour levels (in f units), for a legend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Painted {
    /// The smallest and largest finite sampled values (NaN when no pixel is finite).
    pub min: f64,
    pub max: f64,
    /// The f values where the contour lines are drawn, ascending.
    pub levels: Vec<f64>,
    /// How many pixels had no finite value (painted as a grey checker).
    pub undefined_pixels: usize,
}

/// The most contour bands [`Painter::paint`] draws; more would be a solid mess at any size.
pub const MAX_CONTOURS: usize = 1000;

/// Band index of a pixel without a finite value.
const NO_BAND: u16 = u16::MAX;

/// Colour step of a pixel without a finite value.
const NO_STEP: u16 = u16::MAX;

/// The two greys of the checker of undefined pixels, and the size of its squares in pixels.
const CHECKER: [[u8; 4]; 2] = [[96, 96, 96, 255], [128, 128, 128, 255]];
const CHECKER_SHIFT: u32 = 3;

/// How finely t is quantised before colours and bands are looked up: at least this many steps.
const STEPS: usize = 4096;

/// A reusable painter: owns its scratch buffers so repainting the same size allocates nothing.
#[derive(Debug, Default)]
pub struct Painter {
    /// The world x of each column's centre.
    xs: Vec<f64>,
    /// f at the evaluated pixels (see [`coarse_pair`]), row-major from the top left.
    coarse: Vec<f64>,
    /// The colour step of each coarse entry, or [`NO_STEP`].
    coarse_steps: Vec<u16>,
    /// One row of coarse steps interpolated between two evaluated rows.
    between: Vec<u16>,
    /// The colour step of each pixel of the row being shaded.
    row: Vec<u16>,
    /// The colour and the band of each step of t (see [`Painter::shade`]).
    step_colour: Vec<[u8; 4]>,
    step_band: Vec<u16>,
    /// ln(w)·k by buckets of w's bits, for the log scale (see [`LogTable`]).
    log_table: Vec<f64>,
    /// How many pixels of the last paint had no finite value.
    undefined: usize,
    /// Never use the SIMD kernels (see [`Painter::scalar`]).
    scalar: bool,
    /// The contour bands of one row and of the row below it, or [`NO_BAND`].
    bands: Vec<u16>,
    below: Vec<u16>,
    rgba: Vec<u8>,
}

impl Painter {
    /// A painter with empty buffers; they grow on the first paint.
    pub fn new() -> Self {
        Self::default()
    }

    /// A painter that does every pixel with the portable scalar code, never the WebAssembly
    /// SIMD kernels: the page's tests paint with both and compare the pixels.
    pub fn scalar() -> Self {
        Self {
            scalar: true,
            ..Self::default()
        }
    }

    /// Paints `function` over `layout.view` into an RGBA buffer of plot_width × plot_height
    /// (row 0 = top = ymax), sampling each pixel at its centre, with viridis colours and lines
    /// between `contours` bands evenly spaced in t (at most [`MAX_CONTOURS`]; 0 or 1 draws no
    /// lines). Returns the range and the `contours − 1` line levels. If the buffers cannot be
    /// allocated, nothing is painted and [`Painter::rgba`] is empty.
    pub fn paint<F: Field + ?Sized>(
        &mut self,
        function: &F,
        layout: &Layout,
        scale: Scale,
        contours: usize,
    ) -> Painted {
        let (w, h) = (
            layout.plot_width.max(1) as usize,
            layout.plot_height.max(1) as usize,
        );
        let mut painted = Painted {
            min: f64::NAN,
            max: f64::NAN,
            levels: Vec::new(),
            undefined_pixels: 0,
        };
        let n = w.saturating_mul(h);
        let ok = fit(&mut self.xs, w, 0.0)
            && fit(&mut self.bands, w, NO_BAND)
            && fit(&mut self.below, w, NO_BAND)
            && fit(&mut self.row, w, NO_STEP)
            && fit(&mut self.between, coarse_len(w), NO_STEP)
            && fit(
                &mut self.coarse_steps,
                coarse_len(w).saturating_mul(coarse_len(h)),
                NO_STEP,
            )
            && fit(
                &mut self.coarse,
                coarse_len(w).saturating_mul(coarse_len(h)),
                0.0,
            )
            && fit_bytes(&mut self.rgba, n.saturating_mul(4), 255);
        if !ok {
            self.rgba.clear();
            return painted;
        }

        let v = &layout.view;
        let (dx, dy) = ((v.xmax - v.xmin) / w as f64, (v.ymax - v.ymin) / h as f64);
        for (i, x) in self.xs.iter_mut().enumerate() {
            *x = v.xmin + (i as f64 + 0.5) * dx;
        }
        let y_of = |j: usize| v.ymax - (j as f64 + 0.5) * dy;
        // f at every other pixel of every other row (and the last of each): the interpolated
        // pixels between lie within their range.
        let (cw, ch) = (coarse_len(w), coarse_len(h));
        for (k, row) in self.coarse.chunks_exact_mut(cw).enumerate() {
            evaluate_row(function, &self.xs, y_of(coarse_position(k, h)), row);
        }
        debug_assert_eq!(self.coarse.len(), cw * ch);
        let mut range = Range::EMPTY;
        for row in self.coarse.chunks_exact(cw) {
            range.add(row);
        }
        let Range { lo, hi, .. } = range;
        // Taken out of self while `shade` borrows self.
        let xs = std::mem::take(&mut self.xs);
        let sampler = Sampler {
            function,
            xs: &xs,
            y_of: &y_of,
            w,
            h,
            simd: !self.scalar,
        };
        if lo <= hi {
            (painted.min, painted.max) = (lo, hi);
        }

        let bands = contours.min(MAX_CONTOURS);
        if lo < hi {
            // If max − min overflows, work in halves of f: t is the same for Linear and barely
            // changes for Log.
            let s = if (hi - lo).is_finite() { 1.0 } else { 0.5 };
            let (lo_s, range) = (lo * s, hi * s - lo * s);
            let steps = self.make_steps(bands) as f64;
            let t_at = |b: usize| b as f64 / bands as f64;
            // Over a range this small the log scale is the linear one to within 1e-5 in t, and
            // 1 + f − min would keep too few digits of f − min.
            let scale = if range < 1e-4 { Scale::Linear } else { scale };
            match scale {
                Scale::Linear => {
                    let k = steps / range;
                    self.shade(&sampler, bands, move |f| (f * s - lo_s) * k);
                    painted.levels = (1..bands).map(|b| (lo_s + t_at(b) * range) / s).collect();
                }
                Scale::Log => {
                    let top = ln(1.0 + range);
                    let k = steps / top;
                    // Taken out of self while `shade` borrows self.
                    let mut buffer = std::mem::take(&mut self.log_table);
                    match LogTable::new(range, k, &mut buffer) {
                        Some(table) => {
                            self.shade(&sampler, bands, move |f| table.step(1.0 + (f * s - lo_s)))
                        }
                        None => {
                            self.shade(&sampler, bands, move |f| fast_ln(1.0 + (f * s - lo_s)) * k)
                        }
                    }
                    self.log_table = buffer;
                    painted.levels = (1..bands)
                        .map(|b| (lo_s + exp(t_at(b) * top) - 1.0) / s)
                        .collect();
                }
            }
        } else {
            // A flat (or nowhere finite) surface: the middle colour, no lines.
            let half = self.make_steps(0) as f64 / 2.0;
            self.shade(&sampler, 0, |_| half);
        }
        self.xs = xs;
        painted.undefined_pixels = self.undefined;
        painted
    }

    /// The pixels of the last paint: plot_width · plot_height · 4 bytes, RGBA, alpha 255.
    pub fn rgba(&self) -> &[u8] {
        &self.rgba
    }

    /// Fills the step tables for `bands` bands and returns the number of steps, a multiple of
    /// `bands` so that the band of step q, q / (steps / bands), is exactly floor(t · bands).
    fn make_steps(&mut self, bands: usize) -> usize {
        let per_band = STEPS.div_ceil(bands.max(1));
        let steps = per_band * bands.max(1);
        self.step_colour.clear();
        self.step_band.clear();
        let lut = lut();
        for q in 0..steps {
            // The colour at the step's middle, t = (q + ½) / steps, rounded to the nearest entry.
            let k = ((2 * q + 1) * 255 + steps) / (2 * steps);
            self.step_colour.push(lut[k.min(255)]);
            self.step_band.push((q / per_band) as u16);
        }
        steps
    }

    /// Fills each row's values from the coarse grid, colours every pixel by its step of t
    /// (`step_of` gives t · steps; out-of-range values are clamped) or the checker, then draws
    /// the contour lines. Row j + 1 is coloured before row j's lines are drawn, since those
    /// compare with the row below; so only one row of values and two rows of bands are kept, and
    /// each row is finished while in cache.
    fn shade<F: Field + ?Sized>(
        &mut self,
        sampler: &Sampler<'_, F, impl Fn(usize) -> f64>,
        bands: usize,
        step_of: impl Fn(f64) -> f64 + Copy,
    ) {
        let lines = bands >= 2;
        let simd = sampler.simd;
        let w = sampler.w;
        let last = self.step_colour.len().saturating_sub(1);
        // The float-to-int cast saturates (NaN gives 0), so only the top needs a clamp.
        let step = move |f: f64| {
            if f.is_finite() {
                (step_of(f) as u32 as usize).min(last) as u16
            } else {
                NO_STEP
            }
        };
        let cw = coarse_len(w);
        for (steps, values) in self.coarse_steps.chunks_mut(cw).zip(self.coarse.chunks(cw)) {
            steps_of_row(values, steps, step);
        }
        let table = Steps {
            colour: &self.step_colour,
            band: &self.step_band,
        };
        self.undefined = 0;
        let mut rows = self.rgba.chunks_exact_mut(4 * w).enumerate();
        let Some((_, mut rgba)) = rows.next() else {
            return;
        };
        sampler.fill(
            0,
            &self.coarse_steps,
            &mut self.between,
            &mut self.row,
            &step,
        );
        self.undefined += table.shade_row(&self.row, rgba, &mut self.bands, 0);
        for (j, next) in rows {
            sampler.fill(
                j,
                &self.coarse_steps,
                &mut self.between,
                &mut self.row,
                &step,
            );
            self.undefined += table.shade_row(&self.row, next, &mut self.below, j);
            if lines {
                draw_lines(rgba, &self.bands, &self.below, simd);
            }
            std::mem::swap(&mut self.bands, &mut self.below);
            rgba = next;
        }
        if lines {
            draw_lines(rgba, &self.bands, &self.bands, simd);
        }
    }
}

/// One coarse row: f at every other pixel of `xs` (and the last) on the row at `y`.
///
/// This and the other per-row functions are not inlined: the browser first runs a module's
/// quickly compiled code and swaps in optimised code function by function, at the next call, so
/// a paint made of row calls speeds up while it runs (the first frame's paint takes half as long).
#[inline(never)]
fn evaluate_row<F: Field + ?Sized>(function: &F, xs: &[f64], y: f64, row: &mut [f64]) {
    let w = xs.len();
    for (c, value) in row.iter_mut().enumerate() {
        *value = function.value(xs[coarse_position(c, w)], y);
    }
}

/// The steps of one coarse row's values (not inlined, as [`evaluate_row`]).
#[inline(never)]
fn steps_of_row(values: &[f64], steps: &mut [u16], step: impl Fn(f64) -> u16) {
    for (q, &f) in steps.iter_mut().zip(values) {
        *q = step(f);
    }
}

/// How many entries of `n` pixels are evaluated: every other one from the first, and the last.
fn coarse_len(n: usize) -> usize {
    n / 2 + 1
}

/// The pixel of coarse entry k (the last entry is the last pixel).
fn coarse_position(k: usize, n: usize) -> usize {
    (2 * k).min(n.saturating_sub(1))
}

/// The coarse entries around pixel i of `n`: the same twice for an evaluated pixel, else its
/// two evaluated neighbours.
fn coarse_pair(i: usize, n: usize) -> (usize, usize) {
    let (below, above) = (i / 2, i.div_ceil(2));
    if i % 2 == 0 || i + 1 == n {
        (above, above)
    } else {
        (below, above)
    }
}

/// Colour steps at the pixel centres. f is evaluated at every other pixel of every other row
/// (and the last row and column) and turned into steps; a pixel between two evaluated ones gets
/// the mean of their steps, the bilinear interpolation at its centre in colour space, unless one
/// of them has no value, when the pixel is evaluated itself. A 2-pixel-wide interpolation is
/// invisible in colour and in the contour lines, and it cuts the evaluations (which dominate for
/// typed-in functions) and the colour mapping (a logarithm on the log scale) by four.
struct Sampler<'a, F: ?Sized, Y> {
    function: &'a F,
    xs: &'a [f64],
    y_of: &'a Y,
    w: usize,
    h: usize,
    /// Whether the SIMD kernels may do their part (see [`Painter::scalar`]).
    simd: bool,
}

/// The rounded mean of two steps, or [`NO_STEP`] when either is.
#[inline]
fn mean_step(a: u16, b: u16) -> u16 {
    if a == NO_STEP || b == NO_STEP {
        NO_STEP
    } else {
        ((u32::from(a) + u32::from(b) + 1) >> 1) as u16
    }
}

impl<F: Field + ?Sized, Y: Fn(usize) -> f64> Sampler<'_, F, Y> {
    /// Row j's steps into `row`, from the coarse steps (`between` is scratch of one coarse row);
    /// `step` maps a value of f to its step.
    #[inline(never)]
    fn fill(
        &self,
        j: usize,
        coarse: &[u16],
        between: &mut [u16],
        row: &mut [u16],
        step: &impl Fn(f64) -> u16,
    ) {
        let (w, cw) = (self.w, coarse_len(self.w));
        let (r0, r1) = coarse_pair(j, self.h);
        let source: &[u16] = if r0 == r1 {
            &coarse[r0 * cw..(r0 + 1) * cw]
        } else {
            let (a, b) = (
                &coarse[r0 * cw..(r0 + 1) * cw],
                &coarse[r1 * cw..(r1 + 1) * cw],
            );
            let done = if self.simd {
                kernels::means(a, b, between)
            } else {
                0
            };
            for ((m, &a), &b) in between.iter_mut().zip(a).zip(b).skip(done) {
                *m = mean_step(a, b);
            }
            between
        };
        // Pixel 2k is entry k and pixel 2k + 1 lies between entries k and k + 1; with an even
        // width the last pixel is the last entry itself.
        let done = if self.simd {
            kernels::spread(source, row)
        } else {
            0
        };
        for (pair, k) in row.chunks_mut(2).zip(0..).skip(done) {
            pair[0] = source[k];
            if let Some(odd) = pair.get_mut(1) {
                *odd = if 2 * k + 2 == w {
                    source[k + 1]
                } else {
                    mean_step(source[k], source[k + 1])
                };
            }
        }
        // No step means a neighbour without a value: evaluate those pixels themselves.
        let y = (self.y_of)(j);
        let missing = if self.simd {
            kernels::any_missing(row)
        } else {
            row.contains(&NO_STEP)
        };
        if missing {
            for (q, &x) in row.iter_mut().zip(self.xs) {
                if *q == NO_STEP {
                    *q = step(self.function.value(x, y));
                }
            }
        }
    }
}

/// The colour and the band of each step.
struct Steps<'a> {
    colour: &'a [[u8; 4]],
    band: &'a [u16],
}

impl Steps<'_> {
    /// Colours row `j`, records each pixel's band, and returns how many pixels had no value.
    #[inline(never)]
    fn shade_row(&self, steps: &[u16], rgba: &mut [u8], bands: &mut [u16], j: usize) -> usize {
        let mut undefined = 0;
        // Each pixel written as a [u8; 4], one 32-bit store (a slice copy is a call per pixel).
        let pixels = steps.iter().zip(bands).zip(rgba.chunks_exact_mut(4));
        for (i, ((&q, band), px)) in pixels.enumerate() {
            if let (Some(colour), Some(&b)) = (
                self.colour.get(usize::from(q)),
                self.band.get(usize::from(q)),
            ) {
                put(px, *colour);
                *band = b;
            } else {
                let square = ((i >> CHECKER_SHIFT) ^ (j >> CHECKER_SHIFT)) & 1;
                put(px, CHECKER[square]);
                *band = NO_BAND;
                undefined += 1;
            }
        }
        undefined
    }
}

/// Writes one pixel of four bytes.
#[inline]
fn put(px: &mut [u8], colour: [u8; 4]) {
    if let Ok(px) = <&mut [u8; 4]>::try_from(px) {
        *px = colour;
    }
}

/// The finite range of the sampled values and how many were not finite.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Range {
    lo: f64,
    hi: f64,
    undefined: usize,
}

impl Range {
    const EMPTY: Self = Self {
        lo: f64::INFINITY,
        hi: f64::NEG_INFINITY,
        undefined: 0,
    };

    /// Takes in one row. The comparisons are branches, not f64::min, as they rarely change
    /// anything and the call hides their latency. Not inlined, as [`evaluate_row`].
    #[inline(never)]
    fn add(&mut self, row: &[f64]) {
        for &f in row {
            if !f.is_finite() {
                self.undefined += 1;
                continue;
            }
            if f < self.lo {
                self.lo = f;
            }
            if f > self.hi {
                self.hi = f;
            }
        }
    }
}

/// ln(w)·k for w in [1, 1 + range] from a table indexed by the top bits of w (its exponent and
/// the first [`LogTable::BITS`] bits of its mantissa), each entry taken at its bucket's middle.
/// A bucket spans 2⁻¹⁰ of w, so the error in ln w is below 5e-4, under a seventh of a colour
/// step whenever ln(1 + range) > 1 (range above e − 1); smaller ranges use [`fast_ln`].
#[derive(Clone, Copy)]
struct LogTable<'a> {
    table: &'a [f64],
    first: u64,
}

impl<'a> LogTable<'a> {
    const BITS: u32 = 10;
    const SHIFT: u32 = 52 - Self::BITS;
    /// Beyond this many entries (a range past about 10^19) the table is not worth its memory.
    const MAX_LEN: usize = 1 << 16;

    fn new(range: f64, k: f64, table: &'a mut Vec<f64>) -> Option<Self> {
        if !(range.is_finite() && range > std::f64::consts::E - 1.0) {
            return None;
        }
        let first = 1f64.to_bits() >> Self::SHIFT;
        let last = (1.0 + range).to_bits() >> Self::SHIFT;
        let len = usize::try_from(last - first + 1).ok()?;
        if len > Self::MAX_LEN {
            return None;
        }
        table.clear();
        table.extend((first..=last).map(|bucket| {
            let low = f64::from_bits(bucket << Self::SHIFT);
            let high = f64::from_bits((bucket + 1) << Self::SHIFT);
            ln(0.5 * (low + high)) * k
        }));
        Some(Self { table, first })
    }

    #[inline]
    fn step(&self, w: f64) -> f64 {
        let bucket = (w.to_bits() >> Self::SHIFT).wrapping_sub(self.first) as usize;
        // Rounding can put w a hair outside [1, 1 + range]: clamp to the table.
        self.table[bucket.min(self.table.len() - 1)]
    }
}

/// Blends towards white every pixel of a row whose band differs from its right or lower
/// neighbour's (both defined), so lines read on the dark and the light end of viridis alike.
/// The last row passes itself as `below`.
#[inline(never)]
fn draw_lines(rgba: &mut [u8], row: &[u16], below: &[u16], simd: bool) {
    // Non-short-circuit operators: one well-predicted branch per pixel instead of four.
    let line = |b: u16, r: u16, d: u16| {
        let differs = |o: u16| (o != b) & (o != NO_BAND);
        (differs(r) | differs(d)) & (b != NO_BAND)
    };
    let done = if simd {
        kernels::lines(rgba, row, below)
    } else {
        0
    };
    let mut pixels = rgba.chunks_exact_mut(4).skip(done);
    let right = row.get(1..).unwrap_or(&[]);
    let rest = row.iter().zip(right).zip(below).skip(done);
    for (((&b, &r), &d), px) in rest.zip(&mut pixels) {
        if line(b, r, d) {
            blend(px);
        }
    }
    // The last column has no right neighbour.
    if let (Some(&b), Some(&d), Some(px)) = (row.last(), below.last(), pixels.next()) {
        if line(b, b, d) {
            blend(px);
        }
    }
}

/// Moves a pixel 115/256 ≈ 45% of the way to white.
fn blend(px: &mut [u8]) {
    for c in &mut px[..3] {
        *c += (((255 - u16::from(*c)) * 115) >> 8) as u8;
    }
}

/// The row passes' inner loops, eight pixels at a time with WebAssembly's 128-bit SIMD (the
/// page's hot path), each for a leading part of its row; the caller finishes the rest, and on
/// other targets all of it, with the scalar code, which gives the same results.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod kernels {
    use super::{blend, NO_BAND, NO_STEP};
    use core::arch::wasm32::{
        i16x8_bitmask, i16x8_eq, i16x8_ne, i16x8_shuffle, u16x8_avgr, u16x8_splat, v128,
        v128_andnot, v128_any_true, v128_load, v128_or, v128_store,
    };

    #[allow(unsafe_code)]
    fn load(s: &[u16; 8]) -> v128 {
        // SAFETY: `s` is 16 readable bytes, and v128.load has no alignment requirement.
        unsafe { v128_load(s.as_ptr().cast()) }
    }

    #[allow(unsafe_code)]
    fn store(s: &mut [u16; 8], v: v128) {
        // SAFETY: `s` is 16 writable bytes, and v128.store has no alignment requirement.
        unsafe { v128_store(s.as_mut_ptr().cast(), v) }
    }

    /// Eight of `s` from `i`, if there are.
    fn eight(s: &[u16], i: usize) -> Option<&[u16; 8]> {
        s.get(i..)?.first_chunk::<8>()
    }

    /// [`super::mean_step`] lane by lane: the rounding mean is avgr; a missing step (all ones)
    /// on either side makes all ones.
    fn mean(a: v128, b: v128) -> v128 {
        let none = u16x8_splat(NO_STEP);
        v128_or(
            u16x8_avgr(a, b),
            v128_or(i16x8_eq(a, none), i16x8_eq(b, none)),
        )
    }

    /// `out[m] = mean_step(a[m], b[m])` for the first entries; returns how many.
    pub(super) fn means(a: &[u16], b: &[u16], out: &mut [u16]) -> usize {
        let mut m = 0;
        while let (Some(x), Some(y), Some(o)) = (
            eight(a, m),
            eight(b, m),
            out.get_mut(m..).and_then(|o| o.first_chunk_mut::<8>()),
        ) {
            store(o, mean(load(x), load(y)));
            m += 8;
        }
        m
    }

    /// The row's pixel pairs from its coarse entries (see `Sampler::fill`) for the first pairs,
    /// away from the row's end; returns how many pairs.
    pub(super) fn spread(source: &[u16], row: &mut [u16]) -> usize {
        let w = row.len();
        let mut k = 0;
        // Pairs k…k + 7 need entries k…k + 8, and none of them may be the last pair of an even
        // row (2k + 2 = w), whose odd pixel is the last entry itself.
        while 2 * k + 16 < w {
            let (Some(a), Some(b)) = (eight(source, k), eight(source, k + 1)) else {
                break;
            };
            let (a, b) = (load(a), load(b));
            let m = mean(a, b);
            let halves = [
                i16x8_shuffle::<0, 8, 1, 9, 2, 10, 3, 11>(a, m),
                i16x8_shuffle::<4, 12, 5, 13, 6, 14, 7, 15>(a, m),
            ];
            for (half, v) in halves.into_iter().enumerate() {
                let at = 2 * k + 8 * half;
                if let Some(out) = row.get_mut(at..).and_then(|r| r.first_chunk_mut::<8>()) {
                    store(out, v);
                }
            }
            k += 8;
        }
        k
    }

    /// Whether any of `row` is a missing step.
    pub(super) fn any_missing(row: &[u16]) -> bool {
        let none = u16x8_splat(NO_STEP);
        let mut blocks = row.chunks_exact(8);
        let mut found = u16x8_splat(0);
        for block in &mut blocks {
            if let Some(b) = block.first_chunk::<8>() {
                found = v128_or(found, i16x8_eq(load(b), none));
            }
        }
        v128_any_true(found) || blocks.remainder().contains(&NO_STEP)
    }

    /// Draws the contour lines of `draw_lines` for the first pixels of the row (all but the
    /// last few, which need a right neighbour past the block); returns how many.
    pub(super) fn lines(rgba: &mut [u8], row: &[u16], below: &[u16]) -> usize {
        let none = u16x8_splat(NO_BAND);
        let mut i = 0;
        while let (Some(b), Some(r), Some(d)) = (eight(row, i), eight(row, i + 1), eight(below, i))
        {
            let (b, r, d) = (load(b), load(r), load(d));
            let differs = |o: v128| v128_andnot(i16x8_ne(o, b), i16x8_eq(o, none));
            let line = v128_andnot(v128_or(differs(r), differs(d)), i16x8_eq(b, none));
            if v128_any_true(line) {
                let mut bits = i16x8_bitmask(line);
                while bits != 0 {
                    let lane = bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    if let Some(px) = rgba.get_mut(4 * (i + lane)..4 * (i + lane) + 4) {
                        blend(px);
                    }
                }
            }
            i += 8;
        }
        i
    }
}

/// The portable build has no SIMD kernels: the scalar loops do every pixel.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod kernels {
    pub(super) fn means(_: &[u16], _: &[u16], _: &mut [u16]) -> usize {
        0
    }

    pub(super) fn spread(_: &[u16], _: &mut [u16]) -> usize {
        0
    }

    pub(super) fn any_missing(row: &[u16]) -> bool {
        row.contains(&super::NO_STEP)
    }

    pub(super) fn lines(_: &mut [u8], _: &[u16], _: &[u16]) -> usize {
        0
    }
}

/// Resizes `buf` to `len` (only when it differs), reporting allocation failure instead of aborting.
fn fit<T: Clone>(buf: &mut Vec<T>, len: usize, fill: T) -> bool {
    if buf.len() != len {
        if let Some(more) = len.checked_sub(buf.len()) {
            if buf.try_reserve_exact(more).is_err() {
                return false;
            }
        }
        buf.resize(len, fill);
    }
    true
}

/// [`fit`] for the pixels' bytes, new ones `fill`: written by doubling copies of the first
/// (`extend_from_within`, a `memory.copy` in WebAssembly), as `Vec::resize` writes one byte at a
/// time, which for the first frame's 5 MB took 10 ms of V8's baseline code.
fn fit_bytes(buf: &mut Vec<u8>, len: usize, fill: u8) -> bool {
    let start = buf.len();
    if len <= start {
        buf.truncate(len);
        return true;
    }
    if buf.try_reserve_exact(len - start).is_err() {
        return false;
    }
    buf.push(fill);
    while buf.len() < len {
        let copies = (buf.len() - start).min(len - buf.len());
        buf.extend_from_within(start..start + copies);
    }
    true
}

/// Viridis at t = k/255 for k = 0..=255 as opaque RGBA, computed once: colorous per pixel would
/// cost more than evaluating most surfaces.
fn lut() -> &'static [[u8; 4]; 256] {
    static LUT: OnceLock<[[u8; 4]; 256]> = OnceLock::new();
    LUT.get_or_init(|| {
        std::array::from_fn(|k| {
            let [r, g, b] = viridis(k as f64 / 255.0);
            [r, g, b, 255]
        })
    })
}

/// The natural logarithm of a positive normal `w`, within 2e-5 (and 6e-5 relative): for colours.
///
/// Writes w = 2^k · m with m in [√½, √2) by integer arithmetic on the bits (subtracting the bits
/// of √½ makes the exponent field roll over exactly at m = √2), then ln m = z · q(z) with
/// z = m − 1 and q the quartic that interpolates ln(1 + z)/z at the five Chebyshev nodes of
/// [√½ − 1, √2 − 1] (coefficients computed with mpmath). Factoring out z keeps the error relative
/// near w = 1, so a log scale over a tiny range keeps its detail. No division and no branch, and
/// pure arithmetic, so every target gives the same bits; other inputs give garbage, never a panic.
fn fast_ln(w: f64) -> f64 {
    const SQRT_HALF_BITS: u64 = 0x3fe6_a09e_667f_3bcd;
    const Q: [f64; 5] = [
        0.999_962_170_379_600_9,
        -0.499_502_109_202_425_16,
        0.336_687_815_980_379_7,
        -0.270_102_282_705_334_1,
        0.173_486_315_449_407_62,
    ];
    let bits = w.to_bits();
    let k = (bits.wrapping_sub(SQRT_HALF_BITS) as i64) >> 52;
    let z = f64::from_bits(bits.wrapping_sub((k as u64) << 52)) - 1.0;
    let q = Q[0] + z * (Q[1] + z * (Q[2] + z * (Q[3] + z * Q[4])));
    k as f64 * std::f64::consts::LN_2 + z * q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_bytes_keeps_what_is_there_and_fills_the_rest() {
        let mut buf = vec![1u8, 2];
        // Each length from 3 to 40: the two kept, the rest the fill (the doubling copies end at
        // every length, not only at powers of two).
        for len in 3..=40 {
            let mut b = buf.clone();
            assert!(fit_bytes(&mut b, len, 9));
            assert_eq!(b.len(), len);
            assert_eq!(b[..2], [1, 2]);
            assert!(b[2..].iter().all(|&v| v == 9), "{len}: {b:?}");
        }
        assert!(fit_bytes(&mut buf, 1, 9));
        assert_eq!(buf, [1]);
        assert!(fit_bytes(&mut buf, 0, 9));
        assert!(buf.is_empty());
        assert!(fit_bytes(&mut buf, 5, 7));
        assert_eq!(buf, [7; 5]);
        // Too much to allocate: reported, and the buffer left as it was.
        let mut huge = vec![3u8];
        assert!(!fit_bytes(&mut huge, usize::MAX / 2, 0));
        assert_eq!(huge, [3]);
    }

    fn view(xmin: f64, xmax: f64, ymin: f64, ymax: f64) -> ViewBox {
        ViewBox::new(xmin, xmax, ymin, ymax).unwrap()
    }

    /// A bare w × h plot with no margins.
    fn plot(w: u32, h: u32, view: ViewBox) -> Layout {
        Layout {
            css_width: f64::from(w),
            css_height: f64::from(h),
            dpr: 1.0,
            plot_left: 0,
            plot_top: 0,
            plot_width: w,
            plot_height: h,
            view,
        }
    }

    fn paint(formula: &str, layout: &Layout, scale: Scale, contours: usize) -> (Painter, Painted) {
        let mut painter = Painter::new();
        let painted = painter.paint(&Function::parse(formula).unwrap(), layout, scale, contours);
        (painter, painted)
    }

    fn pixel(painter: &Painter, layout: &Layout, i: u32, j: u32) -> [u8; 3] {
        let k = 4 * (j * layout.plot_width + i) as usize;
        let px = &painter.rgba()[k..k + 4];
        assert_eq!(px[3], 255);
        [px[0], px[1], px[2]]
    }

    fn close(a: [f64; 2], b: [f64; 2]) -> bool {
        (0..2).all(|k| (a[k] - b[k]).abs() <= 1e-9 * a[k].abs().max(b[k].abs()).max(1.0))
    }

    #[test]
    fn layout_of_an_800_by_600_canvas_at_dpr_2() {
        let l = Layout::new(800.0, 600.0, 2.0, view(-5.0, 5.0, -1.0, 3.0));
        assert_eq!((l.device_width(), l.device_height()), (1600, 1200));
        // Margins 58, 14, 12, 42 CSS pixels doubled.
        assert_eq!((l.plot_left, l.plot_top), (116, 24));
        assert_eq!(
            (l.plot_width, l.plot_height),
            (1600 - 116 - 28, 1200 - 24 - 84)
        );
        assert_eq!(l.world_to_device([-5.0, 3.0]), [116.0, 24.0]);
        assert_eq!(
            l.world_to_device([5.0, -1.0]),
            [1600.0 - 28.0, 1200.0 - 84.0]
        );
        assert_eq!(l.world_to_css([-5.0, 3.0]), [58.0, 12.0]);
        for p in [[0.3, 0.7], [-4.9, 2.5], [123.0, -45.0]] {
            assert!(close(l.device_to_world(l.world_to_device(p)), p), "{p:?}");
            assert!(close(l.css_to_world(l.world_to_css(p)), p), "{p:?}");
        }
    }

    #[test]
    fn zoom_keeps_the_point_under_the_cursor() {
        let l = Layout::new(800.0, 600.0, 2.0, view(-5.0, 5.0, -1.0, 3.0));
        let c = [300.0, 200.0];
        let zoomed = l.zoomed(c, 2.0);
        assert!(close(
            l.with_view(zoomed).css_to_world(c),
            l.css_to_world(c)
        ));
        assert!((zoomed.xmax - zoomed.xmin - 5.0).abs() < 1e-12);
        assert!((zoomed.ymax - zoomed.ymin - 2.0).abs() < 1e-12);
        // Absurd factors stay valid views.
        for f in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e300, 1e-300] {
            let v = l.zoomed(c, f);
            assert!(
                ViewBox::new(v.xmin, v.xmax, v.ymin, v.ymax).is_ok(),
                "{f}: {v:?}"
            );
        }
    }

    #[test]
    fn pan_by_one_plot_width_shifts_one_view_width() {
        let l = Layout::new(800.0, 600.0, 2.0, view(-5.0, 5.0, -1.0, 3.0));
        let dx = f64::from(l.plot_width) / l.dpr;
        assert_eq!(l.panned(dx, 0.0), view(-15.0, -5.0, -1.0, 3.0));
        // Dragging down one plot height shows what was above.
        let dy = f64::from(l.plot_height) / l.dpr;
        assert_eq!(l.panned(0.0, dy), view(-5.0, 5.0, 3.0, 7.0));
        assert_eq!(l.panned(f64::NAN, f64::INFINITY), l.view);
        // The centre stops at 1e9.
        let far = l.panned(-1e12, 0.0);
        assert_eq!(0.5 * (far.xmin + far.xmax), 1e9);
    }

    #[test]
    fn degenerate_canvas_gives_a_valid_layout() {
        let v = view(0.0, 1.0, 0.0, 1.0);
        for (w, h, dpr) in [
            (0.0, 0.0, 0.0),
            (f64::NAN, f64::NAN, f64::NAN),
            (f64::INFINITY, -1.0, f64::INFINITY),
            (30.0, 20.0, 1.0),
        ] {
            let l = Layout::new(w, h, dpr, v);
            assert!(l.css_width >= 1.0 && l.css_height >= 1.0 && (0.5..=4.0).contains(&l.dpr));
            assert!(l.plot_width >= 1 && l.plot_height >= 1);
            assert!(l.plot_left + l.plot_width <= l.device_width());
            assert!(l.plot_top + l.plot_height <= l.device_height());
            let p = l.css_to_world([1.0, 1.0]);
            assert!(p[0].is_finite() && p[1].is_finite());
        }
        let l = Layout::new(f64::INFINITY, 1e9, 1.0, v);
        assert_eq!((l.device_width(), l.device_height()), (10_000, 10_000));
    }

    #[test]
    fn linear_colour_runs_left_to_right() {
        // Columns sampled at x = 0.25 (the min, t = 0) and x = 0.75 (the max, t = 1).
        let l = plot(2, 3, view(0.0, 1.0, 0.0, 1.0));
        let (p, painted) = paint("x", &l, Scale::Linear, 0);
        assert_eq!(
            (painted.min, painted.max, painted.undefined_pixels),
            (0.25, 0.75, 0)
        );
        assert!(painted.levels.is_empty());
        for j in 0..3 {
            assert_eq!(pixel(&p, &l, 0, j), viridis(0.0));
            assert_eq!(pixel(&p, &l, 1, j), viridis(1.0));
        }
        // On a range of 5e-13 the log scale is the linear one.
        let (tiny, _) = paint("1e-12*x + 5", &l, Scale::Log, 0);
        assert_eq!(tiny.rgba(), p.rgba());
    }

    #[test]
    fn row_zero_is_the_top() {
        let l = plot(3, 2, view(0.0, 1.0, 0.0, 1.0));
        let (p, _) = paint("y", &l, Scale::Linear, 0);
        assert_eq!(pixel(&p, &l, 1, 0), viridis(1.0));
        assert_eq!(pixel(&p, &l, 1, 1), viridis(0.0));
    }

    #[test]
    fn sphere_minimum_is_the_low_end() {
        // 101 pixels across [-1, 1]: pixel 50's centre is (0, 0), where f = 0 = min.
        let l = plot(101, 101, view(-1.0, 1.0, -1.0, 1.0));
        let (p, painted) = paint("sphere", &l, Scale::Linear, 0);
        assert!(painted.min < 1e-20);
        assert_eq!(pixel(&p, &l, 50, 50), viridis(0.0));
    }

    #[test]
    fn log_scale_puts_9_at_a_third() {
        // Pixel centres at x = 0, 1, ..., 999, so min 0, max 999: t(9) = ln 10 / ln 1000 = 1/3.
        let l = plot(1000, 1, view(-0.5, 999.5, 0.0, 1.0));
        let (p, _) = paint("x", &l, Scale::Log, 0);
        let c = pixel(&p, &l, 9, 0);
        assert!((84..=86).any(|k| lut()[k][..3] == c), "{c:?}");
        // With 3 bands, pixel 9 would be on a line, as it sits at a level.
        let (_, painted) = paint("x", &l, Scale::Log, 3);
        // Lines at t = 1/3 and 2/3: 1 + f = 10 and 100.
        assert_eq!(painted.levels.len(), 2);
        let [a, b] = painted.levels[..] else {
            panic!("{:?}", painted.levels)
        };
        assert!((a - 9.0).abs() < 1e-9 && (b - 99.0).abs() < 1e-9, "{a} {b}");
    }

    #[test]
    fn contour_pixels_lie_on_levels() {
        let n = 201;
        let l = plot(n, n, view(-2.0, 2.0, -2.0, 2.0));
        let (p, painted) = paint("sphere", &l, Scale::Linear, 8);
        assert_eq!(painted.levels.len(), 7);
        let steps = p.step_colour.len() as f64;
        let step = 4.0 / f64::from(n);
        let mut lines = 0;
        for j in 0..n {
            for i in 0..n {
                // The painter's own sample points and steps, so only lines differ from the table
                // (give or take two steps: between sampled pixels f is interpolated, off by at
                // most Δ²/2 here).
                let x = -2.0 + (f64::from(i) + 0.5) * step;
                let y = 2.0 - (f64::from(j) + 0.5) * step;
                let f = x * x + y * y;
                let q = ((f - painted.min) * (steps / (painted.max - painted.min))) as usize;
                let last = p.step_colour.len() - 1;
                let base = &p.step_colour[q.min(last)][..3];
                let c = pixel(&p, &l, i, j);
                if (q.saturating_sub(2)..=q + 2).any(|k| c == p.step_colour[k.min(last)][..3]) {
                    continue;
                }
                lines += 1;
                // Towards white, and f within one pixel's change (2r·Δ + Δ²) of a level.
                assert!(
                    (0..3).all(|k| c[k] > base[k] || base[k] == 255),
                    "{c:?} {base:?}"
                );
                // Plus what the interpolation between evaluated pixels may add: the bilinear
                // overshoot of x² + y² (2Δ² at most) and two colour steps of rounding.
                let change = 2.0 * x.abs().max(y.abs()) * step
                    + step * step
                    + 2.0 * step * step
                    + 2.0 * (painted.max - painted.min) / steps
                    + 1e-12;
                let near = painted.levels.iter().any(|l| (f - l).abs() <= change);
                assert!(near, "({x}, {y}) f = {f}, levels {:?}", painted.levels);
            }
        }
        // Seven circles of radius 0.7 to 1.9: hundreds of pixels.
        assert!(lines > 700, "{lines}");
    }

    /// Every pixel's step as the painter computes it, for f over pixel centres x = i, y = j,
    /// with `step` mapping values to steps.
    fn sampled(text: &str, w: usize, h: usize, step: impl Fn(f64) -> u16) -> Vec<u16> {
        let function = Function::parse(text).unwrap();
        let xs: Vec<f64> = (0..w).map(|i| i as f64).collect();
        let y_of = |j: usize| j as f64;
        let (cw, ch) = (coarse_len(w), coarse_len(h));
        let mut coarse = vec![0; cw * ch];
        for (k, row) in coarse.chunks_exact_mut(cw).enumerate() {
            for (c, q) in row.iter_mut().enumerate() {
                *q = step(function.value(xs[coarse_position(c, w)], y_of(coarse_position(k, h))));
            }
        }
        let sampler = Sampler {
            function: &function,
            xs: &xs,
            y_of: &y_of,
            w,
            h,
            simd: true,
        };
        let (mut between, mut row) = (vec![0; cw], vec![0; w]);
        let mut all = Vec::new();
        for j in 0..h {
            sampler.fill(j, &coarse, &mut between, &mut row, &step);
            all.extend_from_slice(&row);
        }
        all
    }

    #[test]
    fn interpolated_pixels_are_exact_for_a_plane_and_evaluated_next_to_holes() {
        // f = x + 100y is linear, so the mean of two evaluated neighbours is exact: every pixel,
        // evaluated or not, gets the step i + 100j.
        let to_step = |f: f64| if f.is_finite() { f as u16 } else { NO_STEP };
        for (w, h) in [(7, 5), (8, 6), (1, 1), (2, 3)] {
            let steps = sampled("x + 100*y", w, h, to_step);
            for j in 0..h {
                for i in 0..w {
                    assert_eq!(steps[j * w + i], (i + 100 * j) as u16, "{w}×{h} ({i}, {j})");
                }
            }
        }
        // Next to an undefined value, pixels are evaluated, not averaged: sqrt(x − 0.5) has no
        // value at x = 0, so pixel 1 (between 0 and 2) is evaluated: 10·√0.5 = 7.07 → step 7.
        let steps = sampled("sqrt(x - 0.5)", 3, 1, |f| {
            if f.is_finite() {
                (10.0 * f) as u16
            } else {
                NO_STEP
            }
        });
        assert_eq!(steps, [NO_STEP, 7, 12]);
        assert_eq!(mean_step(3, 4), 4);
        assert_eq!(mean_step(3, NO_STEP), NO_STEP);
    }

    #[test]
    fn flat_surface_is_the_middle_colour() {
        let l = plot(4, 4, view(0.0, 1.0, 0.0, 1.0));
        let (p, painted) = paint("2", &l, Scale::Log, 12);
        assert_eq!((painted.min, painted.max), (2.0, 2.0));
        assert!(painted.levels.is_empty());
        assert!(p.rgba().chunks(4).all(|px| *px == lut()[128]));
    }

    #[test]
    fn ln_x_is_undefined_on_the_left_half() {
        // Columns 0..50 of 100 have x < 0.
        let l = plot(100, 100, view(-1.0, 1.0, -1.0, 1.0));
        let (_, painted) = paint("ln(x)", &l, Scale::Linear, 12);
        assert_eq!(painted.undefined_pixels, 5000);
    }

    #[test]
    fn nan_everywhere_paints_the_checker() {
        let l = plot(20, 10, view(-1.0, 1.0, -1.0, 1.0));
        let (p, painted) = paint("ln(-1-x^2)", &l, Scale::Log, 12);
        assert_eq!(painted.undefined_pixels, 200);
        assert!(painted.min.is_nan() && painted.levels.is_empty());
        // 8×8 squares: (0, 0) and (8, 8) share a grey, (8, 0) has the other.
        assert_eq!(pixel(&p, &l, 0, 0), [96; 3]);
        assert_eq!(pixel(&p, &l, 8, 8), [96; 3]);
        assert_eq!(pixel(&p, &l, 8, 0), [128; 3]);
        assert!(p.rgba().chunks(4).all(|px| CHECKER.iter().any(|c| c == px)));
    }

    #[test]
    fn repainting_reuses_the_buffers() {
        let l = Layout::new(300.0, 200.0, 1.5, view(-2.0, 2.0, -1.0, 3.0));
        let f = Function::parse("rosenbrock").unwrap();
        let mut painter = Painter::new();
        let first = painter.paint(&f, &l, Scale::Log, 12);
        let ptr = painter.rgba().as_ptr();
        let again = painter.paint(&f, &l, Scale::Log, 12);
        assert_eq!(painter.rgba().as_ptr(), ptr);
        assert_eq!(first, again);
        assert_eq!(
            painter.rgba().len(),
            (l.plot_width * l.plot_height * 4) as usize
        );
    }

    #[test]
    fn fast_ln_is_within_1e_4() {
        let mut worst: f64 = 0.0;
        for k in 0..200_000 {
            // Log-spaced over [1, 1e12], plus points just above 1 where the error must be relative.
            let w = 10f64.powf(12.0 * f64::from(k) / 200_000.0);
            for w in [w, 1.0 + 1e-6 * f64::from(k)] {
                let exact = w.ln();
                worst = worst.max((fast_ln(w) - exact).abs() / exact.max(1.0));
            }
            let tiny = 1e-12 * f64::from(k + 1);
            worst = worst.max((fast_ln(1.0 + tiny) / (1.0 + tiny).ln() - 1.0).abs());
        }
        assert!(worst < 1e-4, "{worst}");
        assert_eq!(fast_ln(1.0), 0.0);
        assert!((fast_ln(2.0) - std::f64::consts::LN_2).abs() < 2e-5);
    }
}
