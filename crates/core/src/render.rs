//! Rendering maths: sampling a surface on a grid, contour lines, contour levels and colour maps.
//!
//! Only numbers here; the page paints them into a pixel buffer and the command line hands them to
//! plotters, so both draw the same lines.

use crate::surface::{Function, ViewBox};

/// f sampled on an `nx × ny` grid covering `view` corner to corner: entry `j·nx + i` is
/// f(xmin + i·Δx, ymin + j·Δy) with Δx = (xmax − xmin)/(nx − 1), so row 0 is the bottom edge.
/// Values that are not finite are stored as NaN.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub nx: usize,
    pub ny: usize,
    pub view: ViewBox,
    pub values: Vec<f64>,
}

impl Grid {
    /// Samples `function` (nx and ny are at least 2).
    pub fn sample(function: &Function, view: ViewBox, nx: usize, ny: usize) -> Self {
        let (nx, ny) = (nx.max(2), ny.max(2));
        let dx = (view.xmax - view.xmin) / (nx - 1) as f64;
        let dy = (view.ymax - view.ymin) / (ny - 1) as f64;
        let mut values = Vec::with_capacity(nx * ny);
        for j in 0..ny {
            let y = view.ymin + j as f64 * dy;
            for i in 0..nx {
                let v = function.value(view.xmin + i as f64 * dx, y);
                values.push(if v.is_finite() { v } else { f64::NAN });
            }
        }
        Self {
            nx,
            ny,
            view,
            values,
        }
    }

    /// The world coordinates of the fractional grid position (i, j).
    fn world(&self, i: f64, j: f64) -> [f64; 2] {
        let v = &self.view;
        [
            v.xmin + i * (v.xmax - v.xmin) / (self.nx - 1) as f64,
            v.ymin + j * (v.ymax - v.ymin) / (self.ny - 1) as f64,
        ]
    }

    /// The smallest and largest finite values (None if there are none).
    pub fn range(&self) -> Option<(f64, f64)> {
        let finite = self.values.iter().copied().filter(|v| v.is_finite());
        finite.fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
    }

    /// The contour line f = `level` as segments in world coordinates, by marching squares with
    /// linear interpolation along cell edges. Cells touching a NaN are skipped. In a saddle cell
    /// (two opposite corners above) the mean of the corners decides which pairs are joined.
    pub fn contour(&self, level: f64) -> Vec<[[f64; 2]; 2]> {
        let mut segments = Vec::new();
        let at = |i: usize, j: usize| self.values[j * self.nx + i];
        for j in 0..self.ny - 1 {
            for i in 0..self.nx - 1 {
                // Corners counter-clockwise from the bottom left.
                let c = [at(i, j), at(i + 1, j), at(i + 1, j + 1), at(i, j + 1)];
                if c.iter().any(|v| v.is_nan()) {
                    continue;
                }
                let above = c.map(|v| v >= level);
                let case = above
                    .iter()
                    .enumerate()
                    .fold(0usize, |acc, (k, &a)| acc | (usize::from(a) << k));
                if case == 0 || case == 15 {
                    continue;
                }
                // Where the line crosses edge k (from corner k to corner k+1), in grid units.
                let corner = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)];
                let cross = |k: usize| {
                    let (a, b) = (c[k], c[(k + 1) % 4]);
                    let t = if a == b { 0.5 } else { (level - a) / (b - a) };
                    let (p, q) = (corner[k], corner[(k + 1) % 4]);
                    self.world(
                        i as f64 + p.0 + t * (q.0 - p.0),
                        j as f64 + p.1 + t * (q.1 - p.1),
                    )
                };
                // Edges whose ends differ in side are crossed; join them in pairs.
                let crossed: Vec<usize> =
                    (0..4).filter(|&k| above[k] != above[(k + 1) % 4]).collect();
                if crossed.len() == 2 {
                    segments.push([cross(crossed[0]), cross(crossed[1])]);
                } else {
                    // Saddle: corners 0 and 2 on one side, 1 and 3 on the other.
                    let centre_above = (c[0] + c[1] + c[2] + c[3]) / 4.0 >= level;
                    if centre_above == above[0] {
                        // Corners 0 and 2 connect through the centre: cut off corners 1 and 3.
                        segments.push([cross(0), cross(1)]);
                        segments.push([cross(2), cross(3)]);
                    } else {
                        segments.push([cross(3), cross(0)]);
                        segments.push([cross(1), cross(2)]);
                    }
                }
            }
        }
        segments
    }
}

/// About `count` contour levels between `lo` and `hi`, at round numbers (steps of 1, 2 or 5
/// times a power of ten) when `log` is false, and evenly spaced in log10(f − lo + 1) otherwise,
/// so that surfaces spanning many orders of magnitude (Rosenbrock, Goldstein-Price) still show
/// lines near their minimum.
pub fn contour_levels(lo: f64, hi: f64, count: usize, log: bool) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo || count == 0 {
        return Vec::new();
    }
    if log {
        let top = (hi - lo + 1.0).log10();
        return (1..=count)
            .map(|k| lo - 1.0 + crate::math::pow(10.0, top * k as f64 / (count + 1) as f64))
            .collect();
    }
    let step = round_step((hi - lo) / count as f64);
    let mut level = (lo / step).floor() * step + step;
    let mut levels = Vec::new();
    while level < hi && levels.len() < 4 * count {
        levels.push(level);
        level += step;
    }
    levels
}

/// Thins a polyline for drawing: keeps the first point, every point at least `min_distance` from
/// the last one kept, and the last point. In screen units with `min_distance` of a pixel, the
/// drawing looks the same while a path that crowds into a minimum costs far fewer strokes.
/// Points that are not finite are dropped.
pub fn thin_polyline(
    points: impl IntoIterator<Item = [f64; 2]>,
    min_distance: f64,
    out: &mut Vec<[f64; 2]>,
) {
    out.clear();
    // Squared distances: no square root per point.
    let min_distance2 = min_distance * min_distance;
    let mut last_seen = None;
    for p in points {
        if !(p[0].is_finite() && p[1].is_finite()) {
            continue;
        }
        match out.last() {
            Some(kept)
                if (p[0] - kept[0]) * (p[0] - kept[0]) + (p[1] - kept[1]) * (p[1] - kept[1])
                    < min_distance2 =>
            {
                last_seen = Some(p);
            }
            _ => {
                out.push(p);
                last_seen = None;
            }
        }
    }
    if let Some(p) = last_seen {
        out.push(p);
    }
}

/// The most input points [`simplify_polyline`] searches at once: a path that defeats its halving
/// (a spiral, say) costs at most this many distance checks per point.
const SIMPLIFY_WINDOW: usize = 256;

/// The squared distance from `p` to the segment from `a` to `b` (to `a` when the two coincide).
pub fn segment_distance2(a: [f64; 2], b: [f64; 2], p: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let length2 = dx * dx + dy * dy;
    let t = if length2 > 0.0 {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (ex, ey) = (a[0] + t * dx - p[0], a[1] + t * dy - p[1]);
    ex * ex + ey * ey
}

/// Of a thinned path's segments (`kept[i]` to `kept[i + 1]`, in the plane or in space), the
/// indices i of those worth drawing. A segment whose two ends fall in the same cells (squares or
/// cubes of side `cell`) as those of one of the last few drawn, either way round, is left out:
/// the line drawn for that one already covers it. A run that oscillates across a valley
/// (RMSprop's 20,000 steps on Rosenbrock at lr = 0.01, in 2-D 19,000 segments of 2 px or more)
/// draws each crossing once (a few hundred). Segments with an end that is not finite are all
/// kept.
pub fn distinct_segments<const N: usize>(kept: &[[f64; N]], cell: f64) -> Vec<usize> {
    const RECENT: usize = 8;
    type Key<const N: usize> = [i64; N];
    let key = |p: &[f64; N]| -> Option<Key<N>> {
        let k = p.map(|c| (c / cell).floor());
        (cell > 0.0 && k.iter().all(|c| c.is_finite())).then(|| k.map(|c| c as i64))
    };
    let mut recent: [Option<(Key<N>, Key<N>)>; RECENT] = [None; RECENT];
    let mut next = 0;
    let mut out = Vec::with_capacity(kept.len());
    for (i, pair) in kept.windows(2).enumerate() {
        if let (Some(a), Some(b)) = (key(&pair[0]), key(&pair[1])) {
            let ends = Some(if a <= b { (a, b) } else { (b, a) });
            if recent.contains(&ends) {
                continue;
            }
            recent[next % RECENT] = ends;
            next += 1;
        }
        out.push(i);
    }
    out
}

/// Simplifies a polyline of finite points for drawing (Douglas–Peucker, over windows of at most
/// [`SIMPLIFY_WINDOW`] points): keeps the ends, and drops a point only when it lies within
/// `tolerance` of the segment between the points kept on either side of it. In device pixels
/// with a tolerance of a pixel or less, a stroke two pixels wide looks the same, while the long
/// straight and gently curving runs of a path become single segments for the browser to
/// rasterise.
pub fn simplify_polyline(points: &[[f64; 2]], tolerance: f64, out: &mut Vec<[f64; 2]>) {
    out.clear();
    let Some(&first) = points.first() else {
        return;
    };
    out.push(first);
    // Squared distances, which order as distances do, without a square root per point.
    let distance2 = segment_distance2;
    // Spans still to simplify, the next one (in the order of the path) on top.
    let mut spans = Vec::new();
    let mut start = 0;
    while start + 1 < points.len() {
        let end = (start + SIMPLIFY_WINDOW).min(points.len() - 1);
        spans.push((start, end));
        while let Some((a, b)) = spans.pop() {
            let (mut far, mut most) = (a, tolerance * tolerance);
            for (k, &p) in points.iter().enumerate().take(b).skip(a + 1) {
                let d = distance2(points[a], points[b], p);
                if d > most {
                    (far, most) = (k, d);
                }
            }
            if far > a {
                spans.push((far, b));
                spans.push((a, far));
            } else {
                out.push(points[b]);
            }
        }
        start = end;
    }
}

/// Reduces a curve whose x only grows (a loss against the iteration, in pixels) to at most four
/// points per `column`-wide strip: the first, the lowest, the highest and the last point in it,
/// in the order they came. The drawn curve covers the same pixels (its vertical extent in each
/// strip and its joins to the next), but a noisy loss of 100,000 iterations becomes a few
/// thousand segments instead of 100,000 for the browser to rasterise every frame. Points that
/// are not finite are dropped.
pub fn column_extremes(
    points: impl IntoIterator<Item = [f64; 2]>,
    column: f64,
    out: &mut Vec<[f64; 2]>,
) {
    out.clear();
    let column = if column > 0.0 { column } else { 1.0 };
    // The strip being gathered: its index and its first, lowest, highest and last points, with
    // the order in which the lowest and highest came.
    let mut strip: Option<(f64, [[f64; 2]; 4], usize, usize)> = None;
    // The first point, the lowest and the highest in the order they came (an extreme that is
    // the first point is the first point), the last point.
    let flush = |s: &(f64, [[f64; 2]; 4], usize, usize), out: &mut Vec<[f64; 2]>| {
        let (_, [first, low, high, last], low_at, high_at) = *s;
        out.push(first);
        let extremes = if high_at < low_at {
            [(high_at, high), (low_at, low)]
        } else {
            [(low_at, low), (high_at, high)]
        };
        out.extend(extremes.iter().filter(|(at, _)| *at > 0).map(|(_, p)| *p));
        out.push(last);
    };
    let mut index = 0usize;
    for p in points {
        if !(p[0].is_finite() && p[1].is_finite()) {
            continue;
        }
        let k = (p[0] / column).floor();
        match &mut strip {
            Some((sk, pts, low_at, high_at)) if *sk == k => {
                index += 1;
                if p[1] < pts[1][1] {
                    pts[1] = p;
                    *low_at = index;
                }
                if p[1] > pts[2][1] {
                    pts[2] = p;
                    *high_at = index;
                }
                pts[3] = p;
            }
            _ => {
                if let Some(s) = &strip {
                    flush(s, out);
                }
                index = 0;
                strip = Some((k, [p; 4], 0, 0));
            }
        }
    }
    if let Some(s) = &strip {
        flush(s, out);
    }
    // A strip of one point, or whose extremes are its ends, repeats points: drop the repeats.
    out.dedup();
}

/// [`column_extremes`] of a growing series of values (x = the index), kept from one frame to
/// the next. Strips before the last are final once a value lands past them, so each value is
/// read once instead of once a frame: a race of 100,000 iterations costs its loss chart the
/// new values and the last strip, not 100,000 values per curve per frame.
#[derive(Debug, Clone, Default)]
pub struct ColumnCache {
    column: f64,
    /// Values before this index lie in final strips, whose points are `done`.
    upto: usize,
    done: Vec<[f64; 2]>,
    tail: Vec<[f64; 2]>,
    all: Vec<[f64; 2]>,
}

impl ColumnCache {
    /// The column extremes of `values` (strips `column` wide). A new width, or fewer values than
    /// before, starts again; a different series of the same length must be given to a new or
    /// [`ColumnCache::clear`]ed cache.
    pub fn update(&mut self, values: &[f64], column: f64) -> &[[f64; 2]] {
        let column = if column > 0.0 { column } else { 1.0 };
        if column != self.column || values.len() < self.upto {
            self.clear();
            self.column = column;
        }
        self.all.clear();
        let Some(last_index) = values.len().checked_sub(1) else {
            return &self.all;
        };
        let strip_of = |i: usize| (i as f64 / column).floor();
        let last = strip_of(last_index);
        let mut last_starts = last_index;
        while last_starts > self.upto && strip_of(last_starts - 1) == last {
            last_starts -= 1;
        }
        let points = |from: usize, to: usize| {
            values[from..to]
                .iter()
                .enumerate()
                .map(move |(i, &v)| [(from + i) as f64, v])
        };
        if last_starts > self.upto {
            column_extremes(points(self.upto, last_starts), column, &mut self.tail);
            self.done.extend_from_slice(&self.tail);
            self.upto = last_starts;
        }
        column_extremes(points(self.upto, values.len()), column, &mut self.tail);
        self.all.extend_from_slice(&self.done);
        self.all.extend_from_slice(&self.tail);
        &self.all
    }

    /// The points the last [`ColumnCache::update`] gave.
    pub fn points(&self) -> &[[f64; 2]] {
        &self.all
    }

    /// How many of the points the last [`ColumnCache::update`] gave are final: they stay the
    /// same, in place, in every later update until the cache starts again.
    pub fn final_points(&self) -> usize {
        self.done.len()
    }

    /// Forgets everything (for a series that was replaced).
    pub fn clear(&mut self) {
        self.upto = 0;
        self.done.clear();
        self.tail.clear();
        self.all.clear();
    }
}

/// The smallest of 1, 2 or 5 times a power of ten that is at least `rough`.
fn round_step(rough: f64) -> f64 {
    let magnitude = crate::math::pow(10.0, rough.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= rough)
        .unwrap_or(10.0 * magnitude)
}

/// Axis ticks: round numbers (multiples of 1, 2 or 5 × 10ᵏ) in [lo, hi], at most about
/// `count` + 1 of them, each with its label. Labels carry as many decimals as the step needs,
/// and switch to exponent form for very large or very small steps.
pub fn ticks(lo: f64, hi: f64, count: usize) -> Vec<(f64, String)> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo || count == 0 {
        return Vec::new();
    }
    let step = round_step((hi - lo) / count as f64);
    if !step.is_finite() || step <= 0.0 {
        return Vec::new();
    }
    let exponent = step.log10().floor();
    let big = lo.abs().max(hi.abs());
    let scientific = big >= 1e6 || exponent < -5.0;
    let decimals = (-exponent).clamp(0.0, 12.0) as usize;
    // A tick on an end of the range stays, whatever the rounding of the division.
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    (first..=last)
        .take(4 * count + 1)
        .map(|k| {
            let v = k as f64 * step;
            let label = if k == 0 {
                "0".to_string()
            } else if scientific {
                crate::number::scientific(v, 1)
            } else {
                crate::number::fixed(v, decimals)
            };
            (v, label)
        })
        .collect()
}

/// The viridis colour map (perceptually uniform, readable in grey and by colour-blind viewers) at
/// `t` in [0, 1], as RGB bytes. `t` outside is clamped; NaN gives the low end.
pub fn viridis(t: f64) -> [u8; 3] {
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    let c = colorous::VIRIDIS.eval_continuous(t);
    [c.r, c.g, c.b]
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_path_that_goes_back_and_forth_draws_each_crossing_once() {
        // 0 → 1 → 0.0001 → 1.0001 → …: after the first two crossings every segment lies within a
        // hundredth of one already drawn. A straight path keeps every segment.
        let zigzag: Vec<[f64; 3]> = (0..100)
            .map(|i| [f64::from(i % 2) + 1e-4 * f64::from(i / 2), 0.5, 0.0])
            .collect();
        assert_eq!(distinct_segments(&zigzag, 0.01), vec![0]);
        let straight: Vec<[f64; 3]> = (0..50).map(|i| [0.02 * f64::from(i), 0.0, 0.0]).collect();
        assert_eq!(
            distinct_segments(&straight, 0.01),
            (0..49).collect::<Vec<_>>()
        );
        // A break keeps the segments on either side of it, as they are.
        let broken = [
            [0.0, 0.0, 0.0],
            [f64::NAN, 0.0, 0.0],
            [0.0, 0.0, 0.0],
            [1.0, 0.0, 0.0],
        ];
        assert_eq!(distinct_segments(&broken, 0.01), vec![0, 1, 2]);
    }

    #[test]
    fn a_zigzag_in_the_plane_is_drawn_once_where_it_retraces_itself() {
        // Across a valley and back, 3 px down the valley every 20 crossings (far less than a cell
        // of 10 px per crossing): one segment a cell's worth of drift, the rest left out.
        let zigzag: Vec<[f64; 2]> = (0..200)
            .map(|i| [100.0 * f64::from(i % 2), 0.15 * f64::from(i)])
            .collect();
        let drawn = distinct_segments(&zigzag, 10.0);
        assert!(drawn.len() < 30, "{} of 199 drawn", drawn.len());
        assert_eq!(drawn[0], 0);
        // Every segment left out lies within a cell of one drawn.
        let same =
            |a: [f64; 2], b: [f64; 2]| (a[0] - b[0]).abs() < 10.0 && (a[1] - b[1]).abs() < 10.0;
        for i in 0..199 {
            let (p, q) = (zigzag[i], zigzag[i + 1]);
            let near = drawn.iter().any(|&k| {
                let (a, b) = (zigzag[k], zigzag[k + 1]);
                (same(p, a) && same(q, b)) || (same(p, b) && same(q, a))
            });
            assert!(near, "segment {i}");
        }
    }

    #[test]
    fn segment_distance_is_to_the_nearest_point_of_the_segment() {
        use super::segment_distance2;
        // Above the middle of (0, 0)–(4, 0): 3, squared 9; beyond its end at (6, 0): 2, squared 4.
        assert_eq!(segment_distance2([0.0, 0.0], [4.0, 0.0], [2.0, 3.0]), 9.0);
        assert_eq!(segment_distance2([0.0, 0.0], [4.0, 0.0], [6.0, 0.0]), 4.0);
        // A segment of one point: the 3-4-5 triangle's hypotenuse, squared.
        assert_eq!(segment_distance2([1.0, 1.0], [1.0, 1.0], [4.0, 5.0]), 25.0);
    }

    #[test]
    fn the_cache_gives_what_one_pass_over_all_the_values_gives() {
        // A noisy series (a sine plus a deterministic scramble, with a NaN), fed in uneven
        // pieces; strips 3.7 values wide so that their edges fall between indices.
        let values: Vec<f64> = (0..1000)
            .map(|i| {
                let scramble = ((i * 7919) % 101) as f64 / 101.0;
                if i == 500 {
                    f64::NAN
                } else {
                    (i as f64 * 0.05).sin() + scramble
                }
            })
            .collect();
        let mut cache = ColumnCache::default();
        let mut whole = Vec::new();
        let mut n = 0;
        for step in [0, 1, 2, 5, 3, 100, 1, 0, 250, 17, 621] {
            n += step;
            column_extremes(
                values[..n].iter().enumerate().map(|(i, &v)| [i as f64, v]),
                3.7,
                &mut whole,
            );
            assert_eq!(cache.update(&values[..n], 3.7), &whole[..], "{n} values");
            assert_eq!(cache.points(), &whole[..]);
        }
        assert_eq!(n, 1000);
        // Another width, and a shorter series, start again.
        column_extremes(
            values[..10].iter().enumerate().map(|(i, &v)| [i as f64, v]),
            2.0,
            &mut whole,
        );
        assert_eq!(cache.update(&values[..10], 2.0), &whole[..]);
        assert_eq!(cache.update(&values[..4], 2.0), &whole[..4]);
        assert!(cache.update(&[], 2.0).is_empty());
    }

    #[test]
    fn final_points_stay_as_they_are_while_the_series_grows() {
        // Values 0, 1, 2, ... in strips two wide: each strip's points are its two values. Once
        // a value lands past a strip, the strip is final.
        let values: Vec<f64> = (0..10).map(f64::from).collect();
        let mut cache = ColumnCache::default();
        assert_eq!(cache.update(&values[..5], 2.0).len(), 5);
        // Strips [0, 1] and [2, 3] are final; [4] may still grow.
        assert_eq!(cache.final_points(), 4);
        let before: Vec<[f64; 2]> = cache.update(&values[..5], 2.0)[..4].to_vec();
        assert_eq!(before, [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]]);
        let grown = cache.update(&values, 2.0);
        assert_eq!(&grown[..4], &before[..]);
        assert_eq!(cache.final_points(), 8);
        assert_eq!(cache.update(&[], 2.0).len(), 0);
        assert_eq!(cache.final_points(), 0);
    }

    #[test]
    fn column_extremes_keep_each_strips_ends_and_extremes_in_order() {
        let mut out = Vec::new();
        // Strip 0: x in [0, 2): (0, 5) (0.5, 1) (1, 9) (1.5, 4) → first, low, high, last.
        // Strip 1: (2, 3) alone. Strip 2: (4, 7) (5, 7): equal values, so first and last.
        let points = [
            [0.0, 5.0],
            [0.5, 1.0],
            [1.0, 9.0],
            [1.5, 4.0],
            [2.0, 3.0],
            [4.0, 7.0],
            [f64::NAN, 0.0],
            [5.0, 7.0],
        ];
        column_extremes(points, 2.0, &mut out);
        assert_eq!(
            out,
            [
                [0.0, 5.0],
                [0.5, 1.0],
                [1.0, 9.0],
                [1.5, 4.0],
                [2.0, 3.0],
                [4.0, 7.0],
                [5.0, 7.0]
            ]
        );
        // A high before a low keeps that order.
        column_extremes(
            [[0.0, 0.0], [0.2, 8.0], [0.4, -3.0], [0.6, 1.0]],
            1.0,
            &mut out,
        );
        assert_eq!(out, [[0.0, 0.0], [0.2, 8.0], [0.4, -3.0], [0.6, 1.0]]);
        // 100,000 noisy points over 500 strips: at most 4 per strip.
        let noisy = (0..100_000).map(|i| [i as f64 * 0.005, ((i * 7919) % 13) as f64]);
        column_extremes(noisy, 1.0, &mut out);
        assert!(out.len() <= 2000, "{}", out.len());
    }
    use super::*;

    #[test]
    fn circle_contours_of_the_sphere_lie_on_the_circle() {
        // x² + y² = 4 is the circle of radius 2: every interpolated vertex is within the grid's
        // interpolation error (a chord's sagitta, about Δ²/(8r)) of it.
        let f = Function::parse("sphere").unwrap();
        let view = ViewBox::new(-3.0, 3.0, -3.0, 3.0).unwrap();
        let grid = Grid::sample(&f, view, 121, 121);
        let segments = grid.contour(4.0);
        assert!(segments.len() > 100);
        for p in segments.iter().flatten() {
            assert!((p[0].hypot(p[1]) - 2.0).abs() < 2e-3, "{p:?}");
        }
        // The segments' lengths add up to the circumference, 4π.
        let length: f64 = segments
            .iter()
            .map(|[a, b]| (a[0] - b[0]).hypot(a[1] - b[1]))
            .sum();
        assert!(
            (length - 4.0 * std::f64::consts::PI).abs() < 1e-2,
            "{length}"
        );
    }

    #[test]
    fn saddle_cells_give_two_segments() {
        // x·y on [−1, 1]²: a 2×2 grid whose corners alternate in sign; level 0 crosses all 4 edges.
        let f = Function::parse("x*y").unwrap();
        let grid = Grid::sample(&f, ViewBox::new(-1.0, 1.0, -1.0, 1.0).unwrap(), 2, 2);
        assert_eq!(grid.contour(0.0).len(), 2);
        assert_eq!(grid.contour(1.5).len(), 0);
    }

    #[test]
    fn nan_cells_are_skipped() {
        let f = Function::parse("sqrt(x)").unwrap();
        let grid = Grid::sample(&f, ViewBox::new(-1.0, 1.0, -1.0, 1.0).unwrap(), 21, 21);
        for p in grid.contour(0.5).iter().flatten() {
            assert!((p[0] - 0.25).abs() < 1e-2, "{p:?}");
        }
        assert_eq!(grid.range().map(|r| r.0), Some(0.0));
    }

    #[test]
    fn round_levels() {
        assert_eq!(contour_levels(0.0, 10.0, 5, false), [2.0, 4.0, 6.0, 8.0]);
        assert_eq!(
            contour_levels(0.0, 7.0, 7, false),
            [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
        );
        assert!(contour_levels(1.0, 1.0, 5, false).is_empty());
        assert!(contour_levels(0.0, f64::INFINITY, 5, false).is_empty());
        let log = contour_levels(0.0, 999.0, 2, true);
        // log10(f + 1) at 1/3 and 2/3 of 3: f + 1 = 10 and 100.
        assert!(
            (log[0] - 9.0).abs() < 1e-9 && (log[1] - 99.0).abs() < 1e-9,
            "{log:?}"
        );
    }

    #[test]
    fn thinning_keeps_ends_and_spacing() {
        let mut out = Vec::new();
        // 0, 0.1, ..., 10 along x with spacing 1: keeps 0, 1, 2, ..., 10 (11 points).
        let line = (0..=100).map(|i| [f64::from(i) / 10.0, 0.0]);
        thin_polyline(line, 1.0, &mut out);
        assert_eq!(out.len(), 11);
        assert_eq!(out[0], [0.0, 0.0]);
        assert_eq!(out[10], [10.0, 0.0]);
        for w in out.windows(2) {
            assert!((w[1][0] - w[0][0]) >= 1.0 - 1e-12);
        }
        // A path that stalls keeps its end; NaN points are dropped.
        thin_polyline(
            [[0.0, 0.0], [5.0, 0.0], [5.1, 0.0], [f64::NAN, 1.0]],
            1.0,
            &mut out,
        );
        assert_eq!(out, [[0.0, 0.0], [5.0, 0.0], [5.1, 0.0]]);
        thin_polyline([], 1.0, &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn simplifying_keeps_ends_corners_and_points_off_the_line() {
        let mut out = Vec::new();
        // A straight run becomes one segment; the corner and the far end stay.
        let line: Vec<[f64; 2]> = (0..=10)
            .map(|i| [f64::from(i), 0.0])
            .chain((1..=10).map(|i| [10.0, f64::from(i)]))
            .collect();
        simplify_polyline(&line, 0.5, &mut out);
        assert_eq!(out, [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0]]);
        // A point 0.4 off the line goes; one 0.6 off stays.
        simplify_polyline(&[[0.0, 0.0], [5.0, 0.4], [10.0, 0.0]], 0.5, &mut out);
        assert_eq!(out, [[0.0, 0.0], [10.0, 0.0]]);
        simplify_polyline(&[[0.0, 0.0], [5.0, 0.6], [10.0, 0.0]], 0.5, &mut out);
        assert_eq!(out.len(), 3);
        // A path that turns back along itself keeps the turn: its far point lies beyond the
        // segment between its neighbours.
        simplify_polyline(&[[0.0, 0.0], [10.0, 0.0], [5.0, 0.0]], 0.5, &mut out);
        assert_eq!(out, [[0.0, 0.0], [10.0, 0.0], [5.0, 0.0]]);
        // Every dropped point lies within the tolerance of the simplified path, also across the
        // windows of a long zig-zagging spiral.
        let spiral: Vec<[f64; 2]> = (0..2000)
            .map(|i| {
                let t = f64::from(i) * 0.05;
                let r = 200.0 / (1.0 + t) + if i % 2 == 0 { 0.3 } else { -0.3 };
                [r * t.cos(), r * t.sin()]
            })
            .collect();
        simplify_polyline(&spiral, 0.5, &mut out);
        assert!(out.len() < spiral.len() && out.len() > 2);
        assert_eq!((out[0], out[out.len() - 1]), (spiral[0], spiral[1999]));
        for p in &spiral {
            let near = out.windows(2).any(|w| {
                let (a, b) = (w[0], w[1]);
                let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
                let t = (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy))
                    .clamp(0.0, 1.0);
                (a[0] + t * dx - p[0]).hypot(a[1] + t * dy - p[1]) <= 0.5
            });
            assert!(near, "{p:?}");
        }
        simplify_polyline(&[[1.0, 2.0]], 0.5, &mut out);
        assert_eq!(out, [[1.0, 2.0]]);
        simplify_polyline(&[], 0.5, &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn ticks_are_round_and_labelled() {
        let t = ticks(-10.0, 10.0, 8);
        let values: Vec<f64> = t.iter().map(|(v, _)| *v).collect();
        assert_eq!(values, [-10.0, -5.0, 0.0, 5.0, 10.0]);
        assert_eq!(t[0].1, "-10");
        let t = ticks(-1.0, 3.0, 8);
        assert_eq!(
            t.iter().map(|(_, l)| l.as_str()).collect::<Vec<_>>(),
            ["-1.0", "-0.5", "0", "0.5", "1.0", "1.5", "2.0", "2.5", "3.0"]
        );
        let t = ticks(0.001, 0.0012, 4);
        assert_eq!(t[0].1, "0.00100");
        let t = ticks(-2e7, 2e7, 4);
        assert_eq!(t[0].1, "-2.0e7");
        assert!(ticks(1.0, 1.0, 5).is_empty());
        assert!(ticks(f64::NAN, 1.0, 5).is_empty());
    }

    #[test]
    fn viridis_ends() {
        // Viridis runs from dark purple (#440154) to yellow (#fde725).
        assert_eq!(viridis(0.0), [0x44, 0x01, 0x54]);
        assert_eq!(viridis(1.0), [0xfd, 0xe7, 0x25]);
        assert_eq!(viridis(f64::NAN), viridis(0.0));
    }
}
