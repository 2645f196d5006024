//! The maths of a 3-D view of a loss surface: heights, camera, mesh, paths and picking.
//!
//! Only numbers here; a WebGL2 view draws the mesh and the paths with the camera's matrix and
//! asks [`ray`], [`cast`], [`project`] and [`visible`] which point of the surface lies under the
//! pointer and which points can be seen.
//!
//! World coordinates: the view box maps to u, v in [−1, 1] (u along x, v along y) and a
//! normalised height z in [0, 1] to h = z · [`HEIGHT`], with h pointing up.

// Bounds are kept with `max` and `min`, not `f64::clamp`: where clamp is not inlined, its
// assertion formats floats, which weighs about 10 KB gzipped in the 3-D view's module.
#![allow(clippy::manual_clamp)]

use crate::math::{cos, sin, tan};
use crate::surface::ViewBox;

/// The world height of the surface's top (normalised height 1); its floor is at 0.
pub const HEIGHT: f64 = 0.8;

/// The quantile of the finite values at which [`HeightScale::Clipped`] clips the range.
pub const CLIP_QUANTILE: f64 = 0.95;

/// The normalised height above which [`HeightScale::Clipped`] bends towards its top.
pub const CLIP_KNEE: f64 = 0.8;

/// The vertical field of view of the camera, in degrees.
pub const FOVY_DEG: f64 = 40.0;

/// The distance from the eye to the near clipping plane, in world units.
pub const NEAR: f64 = 0.05;

/// The largest grid side accepted, so that every vertex index fits a `u32`.
pub const MAX_N: usize = 65_535;

/// How a value f maps to a normalised height z in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeightScale {
    /// z = ln(1 + f − fmin) / ln(1 + fmax − fmin) over the finite values of the grid.
    Log,
    /// r = (f − fmin) / (fhi − fmin), fhi the [`CLIP_QUANTILE`] of the finite values, so a few
    /// very high values do not flatten the rest: z = r up to [`CLIP_KNEE`], and above it bent
    /// smoothly towards 1 (z = k + (1 − k)·(1 − e^(−(r − k)/(1 − k))), same slope at the knee),
    /// so the plateau meets the slopes without a crease for the mesh to draw as a staircase.
    Clipped,
}

/// A grid of f values mapped to normalised heights z in [0, 1] over a view box.
///
/// Entry `j·n + i` is sampled at x_i = xmin + i·(xmax − xmin)/(n − 1), y_j likewise; values that
/// are not finite are treated as missing and drawn on the floor (z = 0).
#[derive(Debug, Clone, PartialEq)]
pub struct Heights {
    n: usize,
    view: ViewBox,
    scale: HeightScale,
    lo: f64,
    hi: f64,
    z: Vec<f64>,
}

/// z clamped to [0, 1], NaN read as 0.
fn unit(z: f64) -> f64 {
    if z.is_nan() {
        0.0
    } else {
        z.max(0.0).min(1.0)
    }
}

/// Whether the four bounds are finite and ordered (a `ViewBox` may be built field by field).
fn box_ok(view: &ViewBox) -> bool {
    [view.xmin, view.xmax, view.ymin, view.ymax]
        .iter()
        .all(|v| v.is_finite())
        && view.xmin < view.xmax
        && view.ymin < view.ymax
        && (view.xmax - view.xmin).is_finite()
        && (view.ymax - view.ymin).is_finite()
}

impl Heights {
    /// Maps the `n × n` row-major `values` over `view`; None if n is below 2 or above
    /// [`MAX_N`], `values` does not hold n² entries, or the box is not finite and ordered.
    pub fn new(values: &[f64], n: usize, view: ViewBox, scale: HeightScale) -> Option<Self> {
        if !(2..=MAX_N).contains(&n) || values.len() != n * n || !box_ok(&view) {
            return None;
        }
        // The log scale needs the finite values' ends alone; the clipped scale also a quantile,
        // from a sorted copy (unstable: the smaller sort in the 3-D view's module, and equal
        // values are alike).
        let finite = values.iter().copied().filter(|v| v.is_finite());
        let ends = finite.clone().fold(None, |ends: Option<(f64, f64)>, v| {
            Some(ends.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))))
        });
        let (lo, max) = ends.unwrap_or((0.0, 0.0));
        let hi = match scale {
            HeightScale::Log => max,
            HeightScale::Clipped => {
                let mut sorted: Vec<f64> = finite.collect();
                sorted.sort_unstable_by(f64::total_cmp);
                let q = quantile(&sorted, CLIP_QUANTILE).unwrap_or(max);
                // Mostly flat grids with a few spikes: clip at the top rather than flatten all.
                if q > lo {
                    q
                } else {
                    max
                }
            }
        };
        let mut heights = Self {
            n,
            view,
            scale,
            lo,
            hi,
            z: Vec::new(),
        };
        heights.z = values.iter().map(|&f| heights.z_of_value(f)).collect();
        Some(heights)
    }

    /// The normalised height z in [0, 1] of a single value f, by the grid's mapping (for the
    /// points of a path); NaN and −∞ give 0, +∞ gives 1, and a constant grid gives 0.
    pub fn z_of_value(&self, f: f64) -> f64 {
        if f.is_nan() || self.hi <= self.lo {
            return 0.0;
        }
        let z = match self.scale {
            HeightScale::Log => {
                libm::log1p((f - self.lo).max(0.0)) / libm::log1p(self.hi - self.lo)
            }
            HeightScale::Clipped => {
                let r = (f - self.lo) / (self.hi - self.lo);
                let k = CLIP_KNEE;
                if r <= k {
                    r
                } else {
                    k + (1.0 - k) * (1.0 - libm::exp(-(r - k) / (1.0 - k)))
                }
            }
        };
        unit(z)
    }

    /// The normalised height at (x, y), bilinear within its grid cell; None outside the box or
    /// for coordinates that are not finite.
    pub fn z_at(&self, x: f64, y: f64) -> Option<f64> {
        let v = &self.view;
        if !(x.is_finite() && y.is_finite() && v.contains([x, y])) {
            return None;
        }
        let s = (x - v.xmin) / (v.xmax - v.xmin);
        let t = (y - v.ymin) / (v.ymax - v.ymin);
        Some(self.z_unit(s, t))
    }

    /// The normalised height at the fractions (s, t) ∈ [0, 1]² of the box (clamped into it).
    fn z_unit(&self, s: f64, t: f64) -> f64 {
        let last = (self.n - 1) as f64;
        let fi = (unit(s) * last).max(0.0).min(last);
        let fj = (unit(t) * last).max(0.0).min(last);
        let i = (fi.floor() as usize).min(self.n - 2);
        let j = (fj.floor() as usize).min(self.n - 2);
        let (a, b) = (fi - i as f64, fj - j as f64);
        let at = |i: usize, j: usize| self.z[j * self.n + i];
        let bottom = at(i, j) * (1.0 - a) + at(i + 1, j) * a;
        let top = at(i, j + 1) * (1.0 - a) + at(i + 1, j + 1) * a;
        bottom * (1.0 - b) + top * b
    }

    /// The point of the surface under the world position `p`: its u and v, at the surface's
    /// height there (at the box's nearest point, if outside). Where a path cut at the view
    /// box's edge ends.
    pub fn on_surface(&self, p: [f64; 3]) -> [f64; 3] {
        [p[0], p[1], self.world_z(p[0], p[1])]
    }

    /// The surface's world height at the world position (u, v), bilinear within its cell.
    fn world_z(&self, u: f64, v: f64) -> f64 {
        self.z_unit((u + 1.0) * 0.5, (v + 1.0) * 0.5) * HEIGHT
    }

    /// The width of a grid cell in world units (the box is 2 across).
    fn world_cell(&self) -> f64 {
        2.0 / (self.n - 1) as f64
    }

    /// The world position of the path point (x, y) with value f: [u, v, z_of_value(f)·HEIGHT].
    pub fn world_of(&self, x: f64, y: f64, f: f64) -> [f64; 3] {
        to_world(&self.view, x, y, self.z_of_value(f))
    }

    /// The number of samples along each side of the grid.
    pub fn n(&self) -> usize {
        self.n
    }

    /// The view box the grid covers.
    pub fn view(&self) -> ViewBox {
        self.view
    }

    /// The height mapping.
    pub fn scale(&self) -> HeightScale {
        self.scale
    }

    /// The values mapped to heights 0 and 1: (fmin, fmax) for Log, (fmin, fhi) for Clipped.
    pub fn range(&self) -> (f64, f64) {
        (self.lo, self.hi)
    }

    /// The normalised heights, row-major like the values (missing values are 0).
    pub fn z_grid(&self) -> &[f64] {
        &self.z
    }

    /// The width and height of a grid cell in the function's own coordinates.
    pub fn cell(&self) -> (f64, f64) {
        let last = (self.n - 1) as f64;
        let v = &self.view;
        ((v.xmax - v.xmin) / last, (v.ymax - v.ymin) / last)
    }
}

/// The q-quantile of sorted values, interpolated linearly between neighbours.
fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let pos = q.max(0.0).min(1.0) * last as f64;
    let i = (pos.floor() as usize).min(last);
    let next = sorted.get(i + 1).copied().unwrap_or(sorted[i]);
    let frac = pos - i as f64;
    Some(sorted[i] + (next - sorted[i]) * frac)
}

/// The world position of (x, y) at normalised height z: u = (x − xmin)/(xmax − xmin)·2 − 1,
/// v likewise, and h = z·[`HEIGHT`].
pub fn to_world(view: &ViewBox, x: f64, y: f64, z: f64) -> [f64; 3] {
    [
        (x - view.xmin) / (view.xmax - view.xmin) * 2.0 - 1.0,
        (y - view.ymin) / (view.ymax - view.ymin) * 2.0 - 1.0,
        z * HEIGHT,
    ]
}

/// The function's coordinates (x, y) of the world position (u, v), the inverse of [`to_world`].
pub fn from_world(view: &ViewBox, u: f64, v: f64) -> (f64, f64) {
    (
        view.xmin + (u + 1.0) * 0.5 * (view.xmax - view.xmin),
        view.ymin + (v + 1.0) * 0.5 * (view.ymax - view.ymin),
    )
}

/// A camera orbiting the centre (0, 0, HEIGHT/2) of the world box, with z up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Camera {
    /// The angle about the vertical axis, from +u towards +v, in degrees.
    pub azimuth_deg: f64,
    /// The angle above the floor's plane, in degrees.
    pub elevation_deg: f64,
    /// The distance from the eye to the centre, in world units.
    pub distance: f64,
}

impl Default for Camera {
    /// Looking at the box from the front right, from above: −60°, 50°, distance 3.2. High
    /// enough that a valley's near wall does not hide its floor: at 35° and 45° the minimum of
    /// the book's x²/20 + y² (log heights) lay just behind the near wall's crest.
    fn default() -> Self {
        Self {
            azimuth_deg: -60.0,
            elevation_deg: 50.0,
            distance: 3.2,
        }
    }
}

type V3 = [f64; 3];

fn sub(a: V3, b: V3) -> V3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn add_scaled(a: V3, b: V3, k: f64) -> V3 {
    [a[0] + b[0] * k, a[1] + b[1] * k, a[2] + b[2] * k]
}

fn dot(a: V3, b: V3) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn norm(a: V3) -> f64 {
    dot(a, a).sqrt()
}

fn finite3(a: V3) -> bool {
    a.iter().all(|c| c.is_finite())
}

/// An aspect ratio that is finite and positive (1 otherwise).
fn sane_aspect(aspect: f64) -> f64 {
    if aspect.is_finite() && aspect > 0.0 {
        aspect
    } else {
        1.0
    }
}

/// The product a·b of two column-major 4×4 matrices.
fn mul(a: &[f64; 16], b: &[f64; 16]) -> [f64; 16] {
    let mut out = [0.0; 16];
    for c in 0..4 {
        for r in 0..4 {
            out[c * 4 + r] = (0..4).map(|k| a[k * 4 + r] * b[c * 4 + k]).sum();
        }
    }
    out
}

/// A column-major 4×4 matrix from its four columns.
fn from_columns(columns: [[f64; 4]; 4]) -> [f64; 16] {
    let mut m = [0.0; 16];
    for (k, column) in columns.iter().enumerate() {
        m[k * 4..k * 4 + 4].copy_from_slice(column);
    }
    m
}

/// The column-major matrix m applied to the column p.
fn apply(m: &[f64; 16], p: [f64; 4]) -> [f64; 4] {
    let mut out = [0.0; 4];
    for (r, o) in out.iter_mut().enumerate() {
        *o = (0..4).map(|c| m[c * 4 + r] * p[c]).sum();
    }
    out
}

impl Camera {
    /// The point the camera orbits: the centre of the world box.
    pub const TARGET: [f64; 3] = [0.0, 0.0, HEIGHT / 2.0];

    /// The camera kept in range: elevation in [5, 89]°, distance in [1.2, 10], azimuth wrapped
    /// to (−180, 180]°; a field that is not finite takes the default's value.
    pub fn clamped(self) -> Self {
        let d = Self::default();
        let pick = |v: f64, fallback: f64| if v.is_finite() { v } else { fallback };
        let mut azimuth = pick(self.azimuth_deg, d.azimuth_deg).rem_euclid(360.0);
        if azimuth > 180.0 {
            azimuth -= 360.0;
        }
        Self {
            azimuth_deg: azimuth,
            elevation_deg: pick(self.elevation_deg, d.elevation_deg).max(5.0).min(89.0),
            distance: pick(self.distance, d.distance).max(1.2).min(10.0),
        }
    }

    /// The camera's frame: right, up and back (from the centre towards the eye) unit vectors.
    /// Built from the angles, so it stays well defined looking straight down.
    fn frame(&self) -> (V3, V3, V3) {
        let (az, el) = (
            self.azimuth_deg.to_radians(),
            self.elevation_deg.to_radians(),
        );
        let (sa, ca, se, ce) = (sin(az), cos(az), sin(el), cos(el));
        let right = [-sa, ca, 0.0];
        let up = [-se * ca, -se * sa, ce];
        let back = [ce * ca, ce * sa, se];
        (right, up, back)
    }

    /// The eye's world position.
    pub fn eye(&self) -> [f64; 3] {
        let (_, _, back) = self.frame();
        add_scaled(Self::TARGET, back, self.distance)
    }

    /// The distance from the eye to the far clipping plane, beyond the whole box.
    fn far(&self) -> f64 {
        self.distance.max(1.0) + 4.0
    }

    /// The view matrix (world to camera, column-major), the camera looking along −z.
    pub fn view_matrix(&self) -> [f64; 16] {
        let (r, u, w) = self.frame();
        let e = self.eye();
        from_columns([
            [r[0], u[0], w[0], 0.0],
            [r[1], u[1], w[1], 0.0],
            [r[2], u[2], w[2], 0.0],
            [-dot(r, e), -dot(u, e), -dot(w, e), 1.0],
        ])
    }

    /// The perspective projection (column-major, OpenGL clip space) for a width/height aspect.
    pub fn projection(&self, aspect: f64) -> [f64; 16] {
        let f = 1.0 / tan((FOVY_DEG / 2.0).to_radians());
        let (near, far) = (NEAR, self.far());
        let mut m = [0.0; 16];
        m[0] = f / sane_aspect(aspect);
        m[5] = f;
        m[10] = (far + near) / (near - far);
        m[11] = -1.0;
        m[14] = 2.0 * far * near / (near - far);
        m
    }

    /// The projection times the view, column-major in f64 (for picking).
    pub fn view_projection_f64(&self, aspect: f64) -> [f64; 16] {
        mul(&self.projection(aspect), &self.view_matrix())
    }

    /// The projection times the view, column-major in f32, ready for a WebGL uniform.
    pub fn view_projection(&self, aspect: f64) -> [f32; 16] {
        self.view_projection_f64(aspect).map(|v| v as f32)
    }

    /// The inverse of [`Camera::view_projection_f64`], worked out in closed form.
    pub fn inverse_view_projection(&self, aspect: f64) -> [f64; 16] {
        let p = self.projection(aspect);
        let (a, b, c, d) = (p[0], p[5], p[10], p[14]);
        let mut p_inv = [0.0; 16];
        p_inv[0] = 1.0 / a;
        p_inv[5] = 1.0 / b;
        p_inv[11] = 1.0 / d;
        p_inv[14] = -1.0;
        p_inv[15] = c / d;
        let (r, u, w) = self.frame();
        let e = self.eye();
        let v_inv = from_columns([
            [r[0], r[1], r[2], 0.0],
            [u[0], u[1], u[2], 0.0],
            [w[0], w[1], w[2], 0.0],
            [e[0], e[1], e[2], 1.0],
        ]);
        mul(&v_inv, &p_inv)
    }
}

/// A mesh of the surface in world coordinates: three floats a vertex, triangles by index.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Mesh {
    /// x, y, z of each vertex (u, v, h in world terms), vertex `j·n + i` for grid sample (i, j).
    pub positions: Vec<f32>,
    /// The unit normal of each vertex, from central differences of the heights.
    pub normals: Vec<f32>,
    /// Two counter-clockwise (seen from above) triangles per grid cell.
    pub indices: Vec<u32>,
}

/// The n × n grid as a triangle mesh: n² vertices and 6·(n − 1)² indices.
pub fn mesh(heights: &Heights) -> Mesh {
    let n = heights.n;
    let step = 2.0 / (n - 1) as f64;
    let h = |i: usize, j: usize| heights.z[j * n + i] * HEIGHT;
    let mut m = Mesh {
        positions: Vec::with_capacity(3 * n * n),
        normals: Vec::with_capacity(3 * n * n),
        indices: Vec::with_capacity(6 * (n - 1) * (n - 1)),
    };
    for j in 0..n {
        for i in 0..n {
            let (u, v) = (i as f64 * step - 1.0, j as f64 * step - 1.0);
            m.positions.extend([u as f32, v as f32, h(i, j) as f32]);
            let (i0, i1) = (i.saturating_sub(1), (i + 1).min(n - 1));
            let (j0, j1) = (j.saturating_sub(1), (j + 1).min(n - 1));
            let dhdu = (h(i1, j) - h(i0, j)) / ((i1 - i0) as f64 * step);
            let dhdv = (h(i, j1) - h(i, j0)) / ((j1 - j0) as f64 * step);
            let normal = [-dhdu, -dhdv, 1.0];
            let len = norm(normal);
            m.normals.extend(normal.map(|c| (c / len) as f32));
        }
    }
    let n32 = n as u32;
    for j in 0..n32 - 1 {
        for i in 0..n32 - 1 {
            let a = j * n32 + i;
            let (b, c, d) = (a + 1, a + n32 + 1, a + n32);
            m.indices.extend([a, b, c, a, c, d]);
        }
    }
    m
}

/// A half-line in world coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ray {
    /// Where it starts (for a pointer ray, on the near clipping plane).
    pub origin: [f64; 3],
    /// Its direction (unit length for a pointer ray).
    pub direction: [f64; 3],
}

/// The ray under the client point (client_x, client_y) of a canvas `width` × `height` pixels
/// (y downwards), through the inverse view-projection with aspect width/height; None for a
/// canvas or point that is not finite and positive-sized.
pub fn ray(client_x: f64, client_y: f64, width: f64, height: f64, camera: &Camera) -> Option<Ray> {
    let sizes_ok = width.is_finite() && height.is_finite() && width > 0.0 && height > 0.0;
    if !(sizes_ok && client_x.is_finite() && client_y.is_finite()) {
        return None;
    }
    let inv = camera.inverse_view_projection(width / height);
    let ndc_x = 2.0 * client_x / width - 1.0;
    let ndc_y = 1.0 - 2.0 * client_y / height;
    let unproject = |z: f64| {
        let p = apply(&inv, [ndc_x, ndc_y, z, 1.0]);
        [p[0] / p[3], p[1] / p[3], p[2] / p[3]]
    };
    let (near, far) = (unproject(-1.0), unproject(1.0));
    let d = sub(far, near);
    let len = norm(d);
    let direction = d.map(|c| c / len);
    (finite3(near) && finite3(direction) && len > 0.0).then_some(Ray {
        origin: near,
        direction,
    })
}

/// The slack below the floor and above the top of the box within which rays are marched.
const SLAB_MARGIN: f64 = 0.01;

/// The largest step of the march, as a fraction of a grid cell's width.
const STEP_FRACTION: f64 = 0.25;

/// Where `ray` first meets the surface, as (x, y) in the function's own coordinates; None if it
/// misses. The ray is marched through the box in steps of at most a quarter of a grid cell to
/// the first change of side (normally from above to below; a ray entering through a side of the
/// box below the surface's edge meets its underside), and the crossing refined by bisection.
pub fn cast(ray: &Ray, heights: &Heights) -> Option<(f64, f64)> {
    let (o, d) = (ray.origin, ray.direction);
    if !(finite3(o) && finite3(d)) {
        return None;
    }
    let (mut t0, mut t1) = (0.0_f64, f64::INFINITY);
    let bounds = [
        (-1.0, 1.0),
        (-1.0, 1.0),
        (-SLAB_MARGIN, HEIGHT + SLAB_MARGIN),
    ];
    for (axis, (lo, hi)) in bounds.into_iter().enumerate() {
        if d[axis] == 0.0 {
            if o[axis] < lo || o[axis] > hi {
                return None;
            }
            continue;
        }
        let (a, b) = ((lo - o[axis]) / d[axis], (hi - o[axis]) / d[axis]);
        t0 = t0.max(a.min(b));
        t1 = t1.min(a.max(b));
    }
    if !(t0.is_finite() && t1.is_finite()) || t0 > t1 {
        return None;
    }
    let gap = |t: f64| {
        let p = add_scaled(o, d, t);
        p[2] - heights.world_z(p[0], p[1])
    };
    let cell = heights.world_cell();
    let across = (d[0] * d[0] + d[1] * d[1]).sqrt();
    let steps = if across > 0.0 {
        ((t1 - t0) * across / (STEP_FRACTION * cell))
            .ceil()
            .max(1.0)
            .min(1e7) as usize
    } else {
        1
    };
    let g0 = gap(t0);
    let hit = |t: f64| {
        let p = add_scaled(o, d, t);
        Some(from_world(
            &heights.view,
            p[0].max(-1.0).min(1.0),
            p[1].max(-1.0).min(1.0),
        ))
    };
    if g0 == 0.0 {
        return hit(t0);
    }
    let above = g0 > 0.0;
    let mut previous = t0;
    for k in 1..=steps {
        let t = t0 + (t1 - t0) * (k as f64 / steps as f64);
        let g = gap(t);
        if (g > 0.0) != above || g == 0.0 {
            let (mut a, mut b) = (previous, t);
            for _ in 0..60 {
                let mid = 0.5 * (a + b);
                if (gap(mid) > 0.0) == above {
                    a = mid;
                } else {
                    b = mid;
                }
            }
            return hit(0.5 * (a + b));
        }
        previous = t;
    }
    None
}

/// The client position (y downwards) and depth in [0, 1] (0 at the near plane) of the point
/// (x, y) at normalised height z on a `width` × `height` canvas; None behind the eye, off
/// screen, or for input that is not finite.
pub fn project(
    view: &ViewBox,
    x: f64,
    y: f64,
    z: f64,
    camera: &Camera,
    width: f64,
    height: f64,
) -> Option<(f64, f64, f64)> {
    let sizes_ok = width.is_finite() && height.is_finite() && width > 0.0 && height > 0.0;
    if !sizes_ok {
        return None;
    }
    let m = camera.view_projection_f64(width / height);
    let p = to_world(view, x, y, z);
    let clip = apply(&m, [p[0], p[1], p[2], 1.0]);
    // Behind the eye (or NaN).
    if clip[3].is_nan() || clip[3] <= 0.0 {
        return None;
    }
    let ndc = [clip[0] / clip[3], clip[1] / clip[3], clip[2] / clip[3]];
    if !finite3(ndc) || ndc[0].abs() > 1.0 || ndc[1].abs() > 1.0 {
        return None;
    }
    Some((
        (ndc[0] + 1.0) * 0.5 * width,
        (1.0 - ndc[1]) * 0.5 * height,
        (ndc[2] + 1.0) * 0.5,
    ))
}

/// Whether the point of the surface above (x, y) can be seen from the camera: the ray from the
/// eye towards it must first meet the surface within a grid cell of it. False outside the box.
pub fn visible(x: f64, y: f64, heights: &Heights, camera: &Camera) -> bool {
    let Some(z) = heights.z_at(x, y) else {
        return false;
    };
    let eye = camera.eye();
    let target = to_world(&heights.view, x, y, z);
    let ray = Ray {
        origin: eye,
        direction: sub(target, eye),
    };
    let (cx, cy) = heights.cell();
    match cast(&ray, heights) {
        Some((hx, hy)) => (hx - x).abs() <= cx && (hy - y).abs() <= cy,
        // Grazing rays may slip past by rounding: nothing stands in front of the point.
        None => finite3(eye),
    }
}

/// The part of the segment from `a` to `b` (world coordinates) that lies over the view box, u
/// and v within [−1, 1], its height interpolated along it; None when it misses the box. A path
/// that leaves the view is cut at the box's edge, as the 2-D plot clips it, rather than drawn in
/// the air beyond the surface (a path's cut end is then put on the surface there:
/// [`Heights::on_surface`]). A segment with an end that is not finite is given back as it is.
pub fn clip_segment(a: [f64; 3], b: [f64; 3]) -> Option<([f64; 3], [f64; 3])> {
    if !a.iter().chain(&b).all(|c| c.is_finite()) {
        return Some((a, b));
    }
    let d = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    let (mut t0, mut t1) = (0.0_f64, 1.0_f64);
    // Liang–Barsky: each edge u = ±1, v = ±1 bounds t from one side.
    for (p, q) in [
        (-d[0], a[0] + 1.0),
        (d[0], 1.0 - a[0]),
        (-d[1], a[1] + 1.0),
        (d[1], 1.0 - a[1]),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else if p < 0.0 {
            t0 = t0.max(q / p);
        } else {
            t1 = t1.min(q / p);
        }
    }
    if t0 > t1 {
        return None;
    }
    let at = |t: f64| [a[0] + t * d[0], a[1] + t * d[1], a[2] + t * d[2]];
    Some((at(t0), at(t1)))
}

/// The most pieces [`drape`] cuts one segment into.
pub const DRAPE_PIECES: usize = 32;

/// Lays the segment from `a` to `b` (world coordinates, over the view box) on the surface, as the
/// 2-D plot's straight segment would lie on it: the points between its ends, at most a grid cell
/// apart (and in at most `max_pieces` pieces, itself at most [`DRAPE_PIECES`]), take the surface's
/// height there. Its ends keep their own heights. Pushes every point after `a`, up to and
/// including `b`, onto `out`. A step that jumps across a valley then runs down and up its sides,
/// rather than through the air between its ends; a segment shorter than a cell, or with an end
/// that is not finite, is pushed as it is (`b` alone).
pub fn drape(
    a: [f64; 3],
    b: [f64; 3],
    heights: &Heights,
    max_pieces: usize,
    out: &mut Vec<[f64; 3]>,
) {
    let (du, dv) = (b[0] - a[0], b[1] - a[1]);
    let pieces = (du.hypot(dv) / heights.world_cell()).ceil();
    if pieces.is_nan() || pieces <= 1.0 || !a.iter().chain(&b).all(|c| c.is_finite()) {
        out.push(b);
        return;
    }
    let pieces = (pieces as usize).min(max_pieces.min(DRAPE_PIECES));
    for k in 1..pieces {
        let t = k as f64 / pieces as f64;
        let (u, v) = (a[0] + t * du, a[1] + t * dv);
        out.push([u, v, heights.world_z(u, v)]);
    }
    out.push(b);
}

/// Thins a run's points, given as (x, y, f) triples, for drawing: keeps the first point, each
/// point at least `min_distance` from the last one kept (in world units), the last point, and
/// the points on either side of a break (a point whose x, y or f is not finite, kept with its u
/// NaN). Gives the kept points' world positions, as [`Heights::world_of`] maps them, and, for
/// each, its index in the run, so a path drawn up to step k draws the kept points of index
/// ≤ k. A path that crawls (10,000 steps of Rosenbrock's valley) becomes a few hundred
/// segments. A point's height (a logarithm on the log scale) is worked out only when its
/// distance across from the last point kept, with the most its height could differ from that
/// point's, leaves the decision to it: most points of a crawling path are dropped on their
/// distance across alone.
pub fn thin_values(heights: &Heights, xyf: &[f64], min_distance: f64) -> (Vec<[f64; 3]>, Vec<u32>) {
    let min2 = min_distance * min_distance;
    // The most z can change per unit of f: the slope of z_of_value is at most 1/ln(1 + range)
    // on the log scale and 1/range clipped, and it is 0 outside [lo, hi]; a little more, for
    // rounding.
    let range = heights.hi - heights.lo;
    let lipschitz = match heights.scale {
        HeightScale::Log => 1.0 / libm::log1p(range),
        HeightScale::Clipped => 1.0 / range,
    } * HEIGHT
        * (1.0 + 1e-9);
    let count = xyf.len() / 3;
    // A point's f, its (u, v), and whether it is drawn (not a break): each worked out once.
    let across = |i: usize| {
        let (x, y, f) = (xyf[3 * i], xyf[3 * i + 1], xyf[3 * i + 2]);
        let [u, v, _] = to_world(&heights.view, x, y, 0.0);
        (f, u, v, f.is_finite() && u.is_finite() && v.is_finite())
    };
    // The world position, as world_of gives it (u NaN when f is not finite).
    let world = |(f, u, v, _): (f64, f64, f64, bool)| {
        let u = if f.is_finite() { u } else { f64::NAN };
        [u, v, heights.z_of_value(f) * HEIGHT]
    };
    let mut kept: Vec<[f64; 3]> = Vec::new();
    let mut index: Vec<u32> = Vec::new();
    let mut kept_f = f64::NAN;
    let mut next = (count > 0).then(|| across(0));
    for i in 0..count {
        let Some(point) = next else { break };
        next = (i + 1 < count).then(|| across(i + 1));
        let (f, u, v, drawn) = point;
        let keep = match kept.last() {
            None => true,
            Some(k) if !k.iter().all(|c| c.is_finite()) || !drawn => true,
            // The last point, and the one before a break.
            Some(_) if next.is_none_or(|(_, _, _, d)| !d) => true,
            Some(k) => {
                let d2 = (u - k[0]) * (u - k[0]) + (v - k[1]) * (v - k[1]);
                let rise = lipschitz * (f - kept_f).abs();
                // (A rise that is NaN, over a flat grid, leaves it to the height.)
                if d2 >= min2 {
                    true
                } else if d2 + rise * rise < min2 {
                    false
                } else {
                    let z = world(point)[2];
                    d2 + (z - k[2]) * (z - k[2]) >= min2
                }
            }
        };
        if keep {
            kept.push(world(point));
            kept_f = f;
            index.push(u32::try_from(i).unwrap_or(u32::MAX));
        }
    }
    (kept, index)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain form [`thin_values`] must agree with: every point mapped to the world first,
    /// then kept by the same rules.
    fn thin_path(points: &[[f64; 3]], min_distance: f64) -> (Vec<[f64; 3]>, Vec<u32>) {
        let finite = |p: &[f64; 3]| p.iter().all(|c| c.is_finite());
        let min2 = min_distance * min_distance;
        let mut kept: Vec<[f64; 3]> = Vec::new();
        let mut index: Vec<u32> = Vec::new();
        let last = points.len().saturating_sub(1);
        for (i, p) in points.iter().enumerate() {
            let keep = match kept.last() {
                None => true,
                Some(k) if !finite(k) || !finite(p) => true,
                Some(k) => {
                    let d2 = (0..3).map(|c| (p[c] - k[c]) * (p[c] - k[c])).sum::<f64>();
                    let before_break = points.get(i + 1).is_some_and(|q| !finite(q));
                    d2 >= min2 || i == last || before_break
                }
            };
            if keep {
                kept.push(*p);
                index.push(u32::try_from(i).unwrap_or(u32::MAX));
            }
        }
        (kept, index)
    }

    const E: f64 = std::f64::consts::E;

    #[test]
    fn a_segment_is_cut_at_the_view_box() {
        // Inside: as it is. Half out through u = 1: cut there, its height halfway too.
        let inside = ([-0.5, 0.0, 0.1], [0.5, 0.5, 0.3]);
        assert_eq!(clip_segment(inside.0, inside.1), Some(inside));
        assert_eq!(
            clip_segment([0.0, 0.0, 0.0], [2.0, 0.0, 1.0]),
            Some(([0.0, 0.0, 0.0], [1.0, 0.0, 0.5]))
        );
        // In through v = −1 and out through u = 1: from (−3, −2) to (3, 1), t from 1/3 to 2/3.
        let (p, q) = clip_segment([-3.0, -2.0, 0.0], [3.0, 1.0, 3.0]).unwrap();
        for (got, want) in p.iter().chain(&q).zip([-1.0, -1.0, 1.0, 1.0, 0.0, 2.0]) {
            assert!((got - want).abs() < 1e-12, "{p:?} {q:?}");
        }
        // Beside the box, and along its outside: nothing.
        assert_eq!(clip_segment([2.0, 2.0, 0.0], [3.0, 2.0, 0.0]), None);
        assert_eq!(clip_segment([-2.0, 0.0, 0.0], [-2.0, 0.5, 0.0]), None);
        // A break stays a break.
        let broken = clip_segment([f64::NAN, 0.0, 0.0], [0.0, 0.0, 0.0]).unwrap();
        assert!(broken.0[0].is_nan());
    }

    fn unit_box() -> ViewBox {
        ViewBox {
            xmin: 0.0,
            xmax: 1.0,
            ymin: 0.0,
            ymax: 1.0,
        }
    }

    fn square(half: f64) -> ViewBox {
        ViewBox {
            xmin: -half,
            xmax: half,
            ymin: -half,
            ymax: half,
        }
    }

    fn sample(n: usize, view: ViewBox, f: impl Fn(f64, f64) -> f64) -> Vec<f64> {
        let mut values = Vec::with_capacity(n * n);
        for j in 0..n {
            for i in 0..n {
                let x = view.xmin + i as f64 * (view.xmax - view.xmin) / (n - 1) as f64;
                let y = view.ymin + j as f64 * (view.ymax - view.ymin) / (n - 1) as f64;
                values.push(f(x, y));
            }
        }
        values
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    /// A small generator for test points (64-bit LCG, top bits as a fraction).
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> f64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    #[test]
    fn log_mapping_by_hand() {
        // Values 0, 1, e − 1 and NaN: fmin 0, fmax e − 1, so the divisor ln(1 + e − 1) is 1.
        let values = [0.0, 1.0, E - 1.0, f64::NAN];
        let h = Heights::new(&values, 2, unit_box(), HeightScale::Log).expect("valid grid");
        let z = h.z_grid();
        assert_eq!(z[0], 0.0);
        assert!(close(z[1], 2f64.ln(), 1e-15)); // ln 2 = 0.693…
        assert!(close(z[2], 1.0, 1e-15));
        assert_eq!(z[3], 0.0); // missing: on the floor
        assert!(close(h.z_of_value(E.sqrt() - 1.0), 0.5, 1e-15));
        assert_eq!(h.z_of_value(100.0), 1.0); // above fmax: clamped
        assert_eq!(h.z_of_value(-5.0), 0.0); // below fmin: clamped
        assert_eq!(h.z_of_value(f64::INFINITY), 1.0);
        assert_eq!(h.z_of_value(f64::NEG_INFINITY), 0.0);
        assert_eq!(h.z_of_value(f64::NAN), 0.0);
        // The box centre averages the four corners: (0 + ln 2 + 1 + 0) / 4.
        let centre = h.z_at(0.5, 0.5).expect("inside");
        assert!(close(centre, (2f64.ln() + 1.0) / 4.0, 1e-15));
        // Halfway along the bottom edge: (0 + ln 2) / 2.
        assert!(close(
            h.z_at(0.5, 0.0).expect("inside"),
            2f64.ln() / 2.0,
            1e-15
        ));
        assert_eq!(h.z_at(1.5, 0.5), None);
        assert_eq!(h.z_at(f64::NAN, 0.5), None);
    }

    #[test]
    fn clipped_mapping_by_hand() {
        // 25 values 0, 1, …, 24: the 95th percentile sits at position 0.95·24 = 22.8, so
        // fhi = 22.8, and r = f / 22.8: z = r up to 0.8, then 0.8 + 0.2·(1 − e^(−(r − 0.8)/0.2)).
        let values: Vec<f64> = (0..25).map(f64::from).collect();
        let view = square(1.0);
        let h = Heights::new(&values, 5, view, HeightScale::Clipped).expect("valid grid");
        assert!(close(h.range().0, 0.0, 0.0) && close(h.range().1, 22.8, 1e-12));
        assert!(close(h.z_of_value(11.4), 0.5, 1e-12));
        assert!(close(h.z_grid()[6], 6.0 / 22.8, 1e-12));
        // f = 23: r = 1.00877, z = 0.8 + 0.2·(1 − e^(−1.04386)) = 0.92958; f = 24: 0.94345.
        assert!(close(h.z_grid()[23], 0.929_58, 1e-5), "{}", h.z_grid()[23]);
        assert!(close(h.z_grid()[24], 0.943_45, 1e-5), "{}", h.z_grid()[24]);
        // Smooth at the knee (f = 0.8·22.8 = 18.24): the same height either side.
        assert!(close(h.z_of_value(18.24 + 1e-9), 0.8, 1e-9));
        assert_eq!(h.z_of_value(f64::INFINITY), 1.0);
        assert_eq!(h.z_of_value(-3.0), 0.0);
        // Rosenbrock-like: one huge value among small ones does not flatten the others.
        let mut spiky = vec![1.0; 25];
        spiky[0] = 0.0;
        spiky[24] = 2500.0;
        let h = Heights::new(&spiky, 5, view, HeightScale::Clipped).expect("valid grid");
        // fhi = 1: the ones at r = 1, z = 0.8 + 0.2·(1 − e^(−1)) = 0.92642; 2500 just below 1.
        assert!(close(h.z_grid()[1], 0.926_42, 1e-5), "{}", h.z_grid()[1]);
        assert_eq!(h.z_grid()[0], 0.0);
        assert!(h.z_grid()[24] > 0.999_999 && h.z_grid()[24] <= 1.0);
    }

    #[test]
    fn constant_and_missing_grids_are_flat() {
        for scale in [HeightScale::Log, HeightScale::Clipped] {
            let h = Heights::new(&[3.0; 9], 3, unit_box(), scale).expect("valid grid");
            assert!(h.z_grid().iter().all(|&z| z == 0.0));
            assert_eq!(h.z_of_value(7.0), 0.0);
            let h = Heights::new(&[f64::NAN; 9], 3, unit_box(), scale).expect("valid grid");
            assert!(h.z_grid().iter().all(|&z| z == 0.0));
        }
        assert_eq!(
            Heights::new(&[1.0; 8], 3, unit_box(), HeightScale::Log),
            None
        );
        assert_eq!(Heights::new(&[1.0], 1, unit_box(), HeightScale::Log), None);
        let bad = ViewBox {
            xmin: 1.0,
            xmax: f64::NAN,
            ymin: 0.0,
            ymax: 1.0,
        };
        assert_eq!(Heights::new(&[1.0; 4], 2, bad, HeightScale::Log), None);
    }

    #[test]
    fn world_coordinates() {
        let view = ViewBox {
            xmin: -2.0,
            xmax: 6.0,
            ymin: 10.0,
            ymax: 20.0,
        };
        assert_eq!(to_world(&view, -2.0, 20.0, 1.0), [-1.0, 1.0, HEIGHT]);
        assert_eq!(to_world(&view, 2.0, 15.0, 0.5), [0.0, 0.0, HEIGHT / 2.0]);
        assert_eq!(from_world(&view, 0.5, -0.5), (4.0, 12.5));
    }

    #[test]
    fn camera_clamping_and_eye() {
        let c = Camera {
            azimuth_deg: 540.0,
            elevation_deg: 120.0,
            distance: 0.1,
        }
        .clamped();
        assert_eq!(c.azimuth_deg, 180.0);
        assert_eq!(c.elevation_deg, 89.0);
        assert_eq!(c.distance, 1.2);
        let c = Camera {
            azimuth_deg: -190.0,
            elevation_deg: -10.0,
            distance: 50.0,
        }
        .clamped();
        assert!(close(c.azimuth_deg, 170.0, 1e-12));
        assert_eq!((c.elevation_deg, c.distance), (5.0, 10.0));
        let c = Camera {
            azimuth_deg: f64::NAN,
            elevation_deg: f64::INFINITY,
            distance: f64::NAN,
        }
        .clamped();
        assert_eq!(c, Camera::default());
        // Azimuth 0, elevation 0, distance 2: the eye is 2 along +u at the centre's height.
        let eye = Camera {
            azimuth_deg: 0.0,
            elevation_deg: 0.0,
            distance: 2.0,
        }
        .eye();
        assert!(close(eye[0], 2.0, 1e-15) && close(eye[1], 0.0, 1e-15));
        assert!(close(eye[2], HEIGHT / 2.0, 1e-15));
    }

    #[test]
    fn the_default_camera_sees_the_books_valley_floor() {
        // x²/20 + y² over [−10, 10]² (Figure 6-8), log heights: its minimum and the points on
        // both sides of the valley where the optimizers zig-zag can be seen, and grabbed.
        let n = 49;
        let view = square(10.0);
        let values = sample(n, view, |x, y| x * x / 20.0 + y * y);
        let h = Heights::new(&values, n, view, HeightScale::Log).expect("valid grid");
        for (x, y) in [
            (0.0, 0.0),
            (-7.0, 2.0),
            (-5.0, -2.0),
            (-3.0, 1.0),
            (0.0, -2.0),
            (5.0, -1.0),
        ] {
            assert!(
                visible(x, y, &h, &Camera::default()),
                "({x}, {y}) is hidden"
            );
        }
    }

    #[test]
    fn inverse_view_projection_is_an_inverse() {
        let c = Camera::default();
        let m = mul(&c.view_projection_f64(1.5), &c.inverse_view_projection(1.5));
        for (k, v) in m.iter().enumerate() {
            let identity = if k % 5 == 0 { 1.0 } else { 0.0 };
            assert!(close(*v, identity, 1e-12), "entry {k}: {v}");
        }
        let f32s = c.view_projection(1.5);
        let f64s = c.view_projection_f64(1.5);
        assert!(f32s.iter().zip(f64s).all(|(a, b)| *a == b as f32));
    }

    #[test]
    fn looking_straight_down() {
        let view = square(2.0);
        let values = sample(41, view, |x, y| x * x + y * y);
        let h = Heights::new(&values, 41, view, HeightScale::Log).expect("valid grid");
        for elevation in [90.0, 89.999_999_9] {
            let camera = Camera {
                azimuth_deg: 30.0,
                elevation_deg: elevation,
                distance: 3.0,
            };
            let (w, ht) = (800.0, 600.0);
            let r = ray(400.0, 300.0, w, ht, &camera).expect("a ray");
            let (x, y) = cast(&r, &h).expect("the centre is hit");
            assert!(close(x, 0.0, 1e-6) && close(y, 0.0, 1e-6), "{x} {y}");
            let z = h.z_at(0.0, 0.0).expect("inside");
            let (cx, cy, depth) = project(&view, 0.0, 0.0, z, &camera, w, ht).expect("on screen");
            assert!(
                close(cx, 400.0, 1e-6) && close(cy, 300.0, 1e-6),
                "{cx} {cy}"
            );
            assert!(depth > 0.0 && depth < 1.0);
        }
    }

    #[test]
    fn cast_then_project_round_trip() {
        let view = square(2.0);
        let n = 41;
        let values = sample(n, view, |x, y| x * x + y * y);
        let (w, ht) = (800.0, 600.0);
        for scale in [HeightScale::Log, HeightScale::Clipped] {
            let h = Heights::new(&values, n, view, scale).expect("valid grid");
            for camera in [
                Camera::default(),
                Camera {
                    azimuth_deg: 150.0,
                    elevation_deg: 12.0,
                    distance: 2.5,
                },
            ] {
                let mut rng = Lcg(7);
                let mut hits = 0;
                for _ in 0..1000 {
                    let (px, py) = (rng.next() * w, rng.next() * ht);
                    let r = ray(px, py, w, ht, &camera).expect("a ray");
                    let Some((x, y)) = cast(&r, &h) else { continue };
                    hits += 1;
                    let z = h.z_at(x, y).expect("the hit is inside");
                    let (qx, qy, _) =
                        project(&view, x, y, z, &camera, w, ht).expect("the hit is on screen");
                    assert!(
                        close(qx, px, 0.5) && close(qy, py, 0.5),
                        "{px},{py} → {qx},{qy}"
                    );
                }
                assert!(hits > 200, "only {hits} hits");
            }
        }
    }

    #[test]
    fn a_ridge_hides_what_is_behind_it() {
        let view = square(2.0);
        let n = 81;
        let values = sample(n, view, |x, _| 100.0 * (-50.0 * x * x).exp());
        let h = Heights::new(&values, n, view, HeightScale::Log).expect("valid grid");
        // Azimuth 180°: the eye is on the −x side, 10° above the centre.
        let camera = Camera {
            azimuth_deg: 180.0,
            elevation_deg: 10.0,
            distance: 3.2,
        };
        assert!(camera.eye()[0] < -3.0);
        assert!(!visible(1.0, 0.0, &h, &camera));
        assert!(visible(-1.0, 0.0, &h, &camera));
        assert!(visible(0.0, 0.0, &h, &camera)); // the crest itself
        assert!(!visible(1.0, 0.5, &h, &camera));
        assert!(!visible(3.0, 0.0, &h, &camera)); // outside the box
                                                  // From the +x side it is the other way round.
        let other = Camera {
            azimuth_deg: 0.0,
            ..camera
        };
        assert!(visible(1.0, 0.0, &h, &other));
        assert!(!visible(-1.0, 0.0, &h, &other));
    }

    #[test]
    fn a_cut_end_is_put_on_the_surface() {
        // The 3 × 3 valley of the test below: z = 1 at u = ±1, 0 at u = 0, linear between.
        let values = [4.0, 0.0, 4.0, 4.0, 0.0, 4.0, 4.0, 0.0, 4.0];
        let h = Heights::new(&values, 3, unit_box(), HeightScale::Log).expect("valid grid");
        assert_eq!(h.on_surface([0.0, 0.3, 0.7]), [0.0, 0.3, 0.0]);
        assert_eq!(h.on_surface([-1.0, 1.0, 0.1]), [-1.0, 1.0, HEIGHT]);
        let p = h.on_surface([0.5, -0.2, 0.0]);
        assert!((p[2] - 0.5 * HEIGHT).abs() < 1e-12, "{p:?}");
        // A step from the valley floor to far beyond the box, cut at u = 1: its cut end is at
        // the rim's height, not halfway up to the far point's.
        let (a, b) = clip_segment([0.0, 0.0, 0.0], [4.0, 0.0, 0.4]).expect("crosses the box");
        assert_eq!((a, b), ([0.0, 0.0, 0.0], [1.0, 0.0, 0.1]));
        assert_eq!(h.on_surface(b), [1.0, 0.0, HEIGHT]);
    }

    #[test]
    fn a_long_step_lies_on_the_surface() {
        // A 3 × 3 grid over [0, 1]²: a cell is 1 world unit. The valley x = 0.5 (the middle
        // column) has f = 0 and both sides f = 4; on the log scale of 0..4, z = ln(1 + f)/ln 5.
        let values = [4.0, 0.0, 4.0, 4.0, 0.0, 4.0, 4.0, 0.0, 4.0];
        let h = Heights::new(&values, 3, unit_box(), HeightScale::Log).expect("valid grid");
        let top = HEIGHT;
        // From one rim (u = −1) to the other (u = 1) at v = 0: two cells, two pieces; the
        // point between is on the valley floor, not in the air at the rims' height.
        let mut out = Vec::new();
        drape(
            [-1.0, 0.0, top],
            [1.0, 0.0, top],
            &h,
            DRAPE_PIECES,
            &mut out,
        );
        assert_eq!(out, vec![[0.0, 0.0, 0.0], [1.0, 0.0, top]]);
        // From u = −1 to u = 0.5: 1.5 cells, two pieces; the point between at u = −0.25 is a
        // quarter cell from the rim's column down the slope: z = (1 − 0.75)·1 + 0 = 0.25.
        out.clear();
        drape(
            [-1.0, 0.0, top],
            [0.5, 0.0, 0.5 * top],
            &h,
            DRAPE_PIECES,
            &mut out,
        );
        assert_eq!(out.len(), 2);
        assert!((out[0][0] + 0.25).abs() < 1e-12 && out[0][1] == 0.0);
        assert!((out[0][2] - 0.25 * top).abs() < 1e-12, "{:?}", out[0]);
        assert_eq!(out[1], [0.5, 0.0, 0.5 * top]);
        // Shorter than a cell, or with an end that is not finite: as it is.
        out.clear();
        drape([0.0, 0.0, 0.0], [0.5, 0.5, 0.1], &h, DRAPE_PIECES, &mut out);
        drape(
            [0.0, 0.0, 0.0],
            [f64::NAN, 0.5, 0.1],
            &h,
            DRAPE_PIECES,
            &mut out,
        );
        // No pieces left to spend: straight.
        drape([-1.0, 0.0, top], [1.0, 0.0, top], &h, 1, &mut out);
        assert_eq!(out.len(), 3);
        assert_eq!(out[2], [1.0, 0.0, top]);
        assert_eq!(out[0], [0.5, 0.5, 0.1]);
        assert!(out[1][0].is_nan());
        // A step across a fine grid is cut into at most DRAPE_PIECES pieces, evenly.
        let n = 257;
        let values = vec![1.0; n * n];
        let fine = Heights::new(&values, n, unit_box(), HeightScale::Log).expect("valid grid");
        out.clear();
        drape(
            [-1.0, -1.0, 0.0],
            [1.0, 1.0, 0.0],
            &fine,
            DRAPE_PIECES,
            &mut out,
        );
        assert_eq!(out.len(), DRAPE_PIECES);
        assert!((out[0][0] - (-1.0 + 2.0 / DRAPE_PIECES as f64)).abs() < 1e-12);
        // And into no more than it is allowed: four quarters.
        out.clear();
        drape([-1.0, -1.0, 0.0], [1.0, 1.0, 0.0], &fine, 4, &mut out);
        assert_eq!(out.len(), 4);
        assert_eq!(out[1], [0.0, 0.0, 0.0]);
    }

    #[test]
    fn mesh_counts_and_flat_normals() {
        let n = 4;
        let h = Heights::new(&vec![2.0; n * n], n, unit_box(), HeightScale::Log).expect("grid");
        let m = mesh(&h);
        assert_eq!(m.indices.len(), 6 * (n - 1) * (n - 1)); // 54
        assert_eq!(m.positions.len(), 3 * n * n);
        assert_eq!(m.normals.len(), 3 * n * n);
        assert!(m.normals.chunks(3).all(|c| c == [0.0, 0.0, 1.0]));
        // Vertex 5 is grid sample (1, 1): u = v = 1·(2/3) − 1.
        assert!(close(f64::from(m.positions[15]), -1.0 / 3.0, 1e-6));
        assert_eq!(&m.indices[..6], &[0, 1, 5, 0, 5, 4]);
        assert_eq!(m.indices.iter().max(), Some(&15));
    }

    #[test]
    fn mesh_normals_of_a_slope() {
        // f = x over [0, 1] clipped at its 95th percentile 0.95: below the knee (x ≤ 0.76),
        // h = 0.8·x/0.95
        // over u, where x = (u + 1)/2, so dh/du = 0.4/0.95 and the normal is (−0.421, 0, 1)
        // normalised.
        let n = 21;
        let values = sample(n, unit_box(), |x, _| x);
        let h = Heights::new(&values, n, unit_box(), HeightScale::Clipped).expect("grid");
        let m = mesh(&h);
        let k = 3 * (5 * n + 5);
        let slope: f64 = 0.4 / 0.95;
        let len = (1.0 + slope * slope).sqrt();
        assert!(close(f64::from(m.normals[k]), -slope / len, 1e-6));
        assert!(close(f64::from(m.normals[k + 1]), 0.0, 1e-6));
        assert!(close(f64::from(m.normals[k + 2]), 1.0 / len, 1e-6));
    }

    #[test]
    fn thinning_a_path_keeps_its_ends_breaks_and_spacing() {
        // Over a flat grid on [0, 1]² (every height 0): 1,001 points 0.0005 apart along x, so
        // 0.001 apart along u; at least 0.01 apart: every tenth, ends included.
        let h = Heights::new(&[1.0; 9], 3, unit_box(), HeightScale::Log).expect("valid grid");
        let line: Vec<f64> = (0..=1000)
            .flat_map(|i| [i as f64 * 0.0005, 0.5, 1.0])
            .collect();
        let (kept, index) = thin_values(&h, &line, 0.01 - 1e-12);
        assert_eq!(kept.len(), 101);
        assert_eq!(
            index.iter().step_by(10).copied().collect::<Vec<_>>(),
            vec![0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]
        );
        assert_eq!(kept[0], [-1.0, 0.0, 0.0]);
        assert_eq!(kept[100], [0.0, 0.0, 0.0]);
        // A break at 5: the points on either side of it and the break itself are kept.
        let mut broken = line[..30].to_vec();
        broken[15] = f64::NAN;
        let (kept, index) = thin_values(&h, &broken, 1.0);
        assert_eq!(index, vec![0, 4, 5, 6, 9]);
        assert!(kept[2][0].is_nan());
        assert_eq!(thin_values(&h, &[], 1.0), (vec![], vec![]));
    }

    proptest::proptest! {
        #[test]
        fn thinning_values_keeps_what_thinning_in_the_world_keeps(
            steps in proptest::collection::vec((-0.02f64..0.02, -0.02f64..0.02, -3.0f64..3.0, 0u8..40), 0..300),
            start in (-1.0f64..1.0, -1.0f64..1.0),
            clipped in proptest::bool::ANY,
            min_distance in 0.0005f64..0.05,
        ) {
            // A walk over x² + y² in [−1, 1]² (some of it beyond the box), its f jittered and
            // now and then not finite: the same points as mapping every point, then thinning.
            let view = square(1.0);
            let values = sample(17, view, |x, y| x * x + y * y);
            let scale = if clipped { HeightScale::Clipped } else { HeightScale::Log };
            let h = Heights::new(&values, 17, view, scale).expect("valid grid");
            let (mut x, mut y) = start;
            let mut xyf = Vec::new();
            for (dx, dy, jitter, odd) in steps {
                x += dx;
                y += dy;
                let f = match odd {
                    0 => f64::NAN,
                    1 => f64::INFINITY,
                    _ => x * x + y * y + jitter * 0.01,
                };
                xyf.extend_from_slice(&[x, y, f]);
            }
            let world: Vec<[f64; 3]> = xyf
                .chunks_exact(3)
                .map(|p| {
                    let mut w = h.world_of(p[0], p[1], p[2]);
                    if !p[2].is_finite() {
                        w[0] = f64::NAN;
                    }
                    w
                })
                .collect();
            let (by_world, at_world) = thin_path(&world, min_distance);
            let (by_values, at_values) = thin_values(&h, &xyf, min_distance);
            proptest::prop_assert_eq!(at_world, at_values);
            proptest::prop_assert_eq!(by_world.len(), by_values.len());
            for (a, b) in by_world.iter().zip(&by_values) {
                proptest::prop_assert!(a.iter().zip(b).all(|(p, q)| p.to_bits() == q.to_bits()), "{:?} {:?}", a, b);
            }
        }
    }

    #[test]
    fn thinning_values_over_a_flat_grid() {
        // Every height 0 (a flat grid maps all of f to the floor): only the distance across
        // counts, however f varies along the path.
        let h = Heights::new(&[3.0; 9], 3, unit_box(), HeightScale::Log).expect("valid grid");
        let xyf: Vec<f64> = (0..=100)
            .flat_map(|i| [i as f64 * 0.001, 0.5, (i % 7) as f64])
            .collect();
        let (kept, index) = thin_values(&h, &xyf, 0.02 - 1e-12);
        // u moves 0.002 a point: every tenth point, and the last.
        assert_eq!(index, (0..=100).step_by(10).collect::<Vec<u32>>());
        assert!(kept.iter().all(|p| p[2] == 0.0 && p[1] == 0.0));
    }

    #[test]
    fn non_finite_input_does_not_panic() {
        let view = square(1.0);
        let mut values = sample(9, view, |x, y| x * x + y * y);
        values[3] = f64::NAN;
        values[10] = f64::INFINITY;
        values[20] = f64::NEG_INFINITY;
        values[40] = f64::NAN;
        for scale in [HeightScale::Log, HeightScale::Clipped] {
            let h = Heights::new(&values, 9, view, scale).expect("valid grid");
            assert!(h.z_grid().iter().all(|z| (0.0..=1.0).contains(z)));
            assert_eq!(h.z_grid()[40], 0.0);
            let m = mesh(&h);
            assert!(m.positions.iter().chain(&m.normals).all(|c| c.is_finite()));
            // A path's points: finite where x, y and f are, and never a panic.
            assert!(h.world_of(0.1, 0.2, 0.05).iter().all(|c| c.is_finite()));
            let (kept, _) = thin_values(
                &h,
                &[0.1, 0.2, 0.05, f64::NAN, 0.2, 1.0, 0.5, f64::INFINITY, 1.0],
                0.01,
            );
            assert_eq!(kept.len(), 3);
            let weird = Camera {
                azimuth_deg: f64::NAN,
                elevation_deg: f64::INFINITY,
                distance: f64::NEG_INFINITY,
            };
            for camera in [Camera::default(), weird] {
                let _ = camera.view_projection(f64::NAN);
                if let Some(r) = ray(10.0, 20.0, 100.0, 100.0, &camera) {
                    let _ = cast(&r, &h);
                }
                assert_eq!(ray(f64::NAN, 0.0, 100.0, 100.0, &camera), None);
                assert_eq!(ray(1.0, 0.0, 0.0, 100.0, &camera), None);
                assert_eq!(
                    project(&view, f64::NAN, 0.0, 0.5, &camera, 100.0, 100.0),
                    None
                );
                let _ = project(&view, 0.0, 0.0, f64::INFINITY, &camera, 100.0, 100.0);
                let _ = visible(0.0, 0.0, &h, &camera);
                assert!(!visible(f64::NAN, 0.0, &h, &camera));
            }
            let bad_ray = Ray {
                origin: [f64::NAN, 0.0, 0.0],
                direction: [0.0, 0.0, -1.0],
            };
            assert_eq!(cast(&bad_ray, &h), None);
            let still = Ray {
                origin: [0.0, 0.0, 2.0],
                direction: [0.0, 0.0, 0.0],
            };
            assert_eq!(cast(&still, &h), None);
        }
    }
}
