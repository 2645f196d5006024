//! Loss surfaces f(x, y): the named test functions, each with its analytic gradient, and typed-in
//! expressions, behind one [`Function`] type.
//!
//! Every named surface has its formula in the expression grammar ([`Surface::formula`]), so the
//! tests check each hand-written gradient against the automatic one of the typed-in form and
//! against central differences. The hand-written code performs the formula's floating-point
//! operations in the order the expression evaluator performs them (`x^2` as [`pow`], `3*x*y` as
//! `(3·x)·y`, the chain rule term by term), so both give the same bits, and the computational
//! graph of a formula shows exactly the gradient the optimizers use.

use std::f64::consts::{E, PI};
use std::fmt;

use serde::Serialize;

use crate::expr::{Expr, ParseError};
use crate::gradient::numerical_gradient_2d;
use crate::math::{cos, exp, pow, sin};
use crate::message::Message;

/// A rectangle of the plane: `[xmin, xmax] × [ymin, ymax]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ViewBox {
    pub xmin: f64,
    pub xmax: f64,
    pub ymin: f64,
    pub ymax: f64,
}

impl ViewBox {
    /// The narrowest span of an axis (also at least [`ViewBox::MIN_RELATIVE_SPAN`] of the
    /// centre's distance from 0, or its two ends would round to the same few numbers).
    pub const MIN_SPAN: f64 = 1e-9;
    pub const MIN_RELATIVE_SPAN: f64 = 1e-12;
    /// The widest span of an axis.
    pub const MAX_SPAN: f64 = 1e9;
    /// The farthest an axis's centre lies from 0.
    pub const MAX_CENTRE: f64 = 1e9;

    /// A box from its four bounds; they must be finite with `xmin < xmax` and `ymin < ymax`, and
    /// each axis within the limits above, which zoom and pan keep to: pixel positions stay
    /// finite and distinct.
    pub fn new(xmin: f64, xmax: f64, ymin: f64, ymax: f64) -> Result<Self, Message> {
        let all_finite = [xmin, xmax, ymin, ymax].iter().all(|v| v.is_finite());
        if !all_finite {
            return Err(Message::new("view.not-finite"));
        }
        if xmin >= xmax || ymin >= ymax {
            let got = [xmin, xmax, ymin, ymax].map(crate::params::format_number);
            return Err(Message::new("view.not-ordered").with("bounds", got.join(",")));
        }
        for (axis, lo, hi) in [("x", xmin, xmax), ("y", ymin, ymax)] {
            Self::check_axis(axis, lo, hi)?;
        }
        Ok(Self {
            xmin,
            xmax,
            ymin,
            ymax,
        })
    }

    /// One axis against the limits. They are met with a margin of a millionth, as a view that
    /// zoom or pan clamped to a limit may round a hair past it.
    fn check_axis(axis: &str, lo: f64, hi: f64) -> Result<(), Message> {
        use crate::params::format_number as n;
        let (centre, span) = (0.5 * lo + 0.5 * hi, hi - lo);
        let slack = 1.0 + 1e-6;
        // Written only for a message: the network view checks its data's box every frame.
        let refuse = |kind: Message, limit: f64| {
            Err(kind
                .with("axis", axis)
                .with("low", n(lo))
                .with("high", n(hi))
                .with("limit", n(limit)))
        };
        // (A span too wide for f64, 1e308 − (−1e308), is infinite, so above the limit too.)
        if span > Self::MAX_SPAN * slack {
            return refuse(Message::new("view.too-wide"), Self::MAX_SPAN);
        }
        if centre.abs() > Self::MAX_CENTRE * slack {
            return refuse(Message::new("view.off-centre"), Self::MAX_CENTRE);
        }
        let narrowest = Self::MIN_SPAN.max(centre.abs() * Self::MIN_RELATIVE_SPAN);
        if span * slack < narrowest {
            return refuse(Message::new("view.too-narrow"), narrowest);
        }
        Ok(())
    }

    /// Whether `(x, y)` lies inside (edges included).
    pub fn contains(&self, p: [f64; 2]) -> bool {
        (self.xmin..=self.xmax).contains(&p[0]) && (self.ymin..=self.ymax).contains(&p[1])
    }
}

const fn view(xmin: f64, xmax: f64, ymin: f64, ymax: f64) -> ViewBox {
    ViewBox {
        xmin,
        xmax,
        ymin,
        ymax,
    }
}

/// A known minimum of a surface.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Minimum {
    pub point: [f64; 2],
    /// Whether no other point of the plane is lower.
    pub global: bool,
}

const fn global(x: f64, y: f64) -> Minimum {
    Minimum {
        point: [x, y],
        global: true,
    }
}

const fn local(x: f64, y: f64) -> Minimum {
    Minimum {
        point: [x, y],
        global: false,
    }
}

/// A named test surface.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Surface {
    /// The identifier used on the command line and in URLs (`rosenbrock`).
    pub id: &'static str,
    /// The name for people (`Rosenbrock`).
    pub name: &'static str,
    /// The formula in the expression grammar of [`crate::expr`].
    pub formula: &'static str,
    /// A view that shows its interesting part.
    pub view: ViewBox,
    /// Its known minima (none for the saddles, which are unbounded below).
    pub minima: &'static [Minimum],
    /// A start point that shows the optimizers' differences well.
    pub start: [f64; 2],
    /// Whether its values span so many orders of magnitude that a log colour scale reads better.
    pub log_scale: bool,
    #[serde(skip)]
    value: fn(f64, f64) -> f64,
    #[serde(skip)]
    gradient: fn(f64, f64) -> [f64; 2],
}

impl Surface {
    /// f(x, y).
    #[inline]
    pub fn value(&self, x: f64, y: f64) -> f64 {
        (self.value)(x, y)
    }

    /// The analytic gradient (∂f/∂x, ∂f/∂y).
    #[inline]
    pub fn gradient(&self, x: f64, y: f64) -> [f64; 2] {
        (self.gradient)(x, y)
    }
}

/// x² + y²: the round bowl. Minimum 0 at (0, 0).
pub fn sphere(x: f64, y: f64) -> f64 {
    x * x + y * y
}

/// Gradient of [`sphere`]: (2x, 2y).
pub fn sphere_derivative(x: f64, y: f64) -> [f64; 2] {
    [2.0 * x, 2.0 * y]
}

/// x²/20 + y²: the book's elongated bowl of Figure 6-8, twenty times steeper along y than along
/// x, where SGD zig-zags. Minimum 0 at (0, 0).
pub fn elongated(x: f64, y: f64) -> f64 {
    x * x / 20.0 + y * y
}

/// Gradient of [`elongated`], written as the book's `df`: (x/10, 2y).
pub fn elongated_derivative(x: f64, y: f64) -> [f64; 2] {
    [x / 10.0, 2.0 * y]
}

/// `a^n` for a constant exponent n and the power rule's slope n·a^(n−1), both computed as the
/// expression evaluator computes `a^n` and its derivative (with [`pow`], so `x^2` has the slope
/// `2 * pow(x, 1)`, which is exactly 2x).
fn power(a: f64, n: f64) -> (f64, f64) {
    (pow(a, n), n * pow(a, n - 1.0))
}

/// (1 − x)² + 100(y − x²)²: a curved, flat-bottomed valley. Minimum 0 at (1, 1).
pub fn rosenbrock(x: f64, y: f64) -> f64 {
    // The formula's operations in its order, so the graph view and the optimizers agree to the
    // last bit: 100·(b²), not (100·b)·b.
    pow(1.0 - x, 2.0) + 100.0 * pow(y - pow(x, 2.0), 2.0)
}

/// Gradient of [`rosenbrock`]: (−2(1 − x) − 400x(y − x²), 200(y − x²)).
pub fn rosenbrock_derivative(x: f64, y: f64) -> [f64; 2] {
    // The chain rule applied in the formula's order of operations, as the expression evaluator
    // applies it, so the graph view and the optimizers agree to the last bit.
    let (x2, slope_x2) = power(x, 2.0);
    // The slopes 2a and 2b of the two squares a² and b², a = 1 − x and b = y − x².
    let (_, slope_a) = power(1.0 - x, 2.0);
    let (_, slope_b) = power(y - x2, 2.0);
    // ∂a/∂x = −1; ∂b/∂x = −2x and ∂b/∂y = 1.
    [-slope_a + 100.0 * (slope_b * -slope_x2), 100.0 * slope_b]
}

/// (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)². Minimum 0 at (3, 0.5).
pub fn beale(x: f64, y: f64) -> f64 {
    // The formula's operations in its order, so the graph view and the optimizers agree to the
    // last bit.
    let [t1, t2, t3] = beale_terms(x, y);
    pow(t1, 2.0) + pow(t2, 2.0) + pow(t3, 2.0)
}

/// The three terms that Beale's function squares, each computed as the formula does.
fn beale_terms(x: f64, y: f64) -> [f64; 3] {
    [
        1.5 - x + x * y,
        2.25 - x + x * pow(y, 2.0),
        2.625 - x + x * pow(y, 3.0),
    ]
}

/// Gradient of [`beale`]: the sum over its terms tₖ = cₖ − x + x·yᵏ of 2tₖ·(−1 + yᵏ) for ∂f/∂x and
/// 2tₖ·x·k·yᵏ⁻¹ for ∂f/∂y.
pub fn beale_derivative(x: f64, y: f64) -> [f64; 2] {
    // The chain rule applied in the formula's order of operations, as the expression evaluator
    // applies it, so the graph view and the optimizers agree to the last bit.
    let [t1, t2, t3] = beale_terms(x, y);
    let (y2, slope_y2) = power(y, 2.0);
    let (y3, slope_y3) = power(y, 3.0);
    let (_, slope_t1) = power(t1, 2.0);
    let (_, slope_t2) = power(t2, 2.0);
    let (_, slope_t3) = power(t3, 2.0);
    [
        slope_t1 * (-1.0 + y) + slope_t2 * (-1.0 + y2) + slope_t3 * (-1.0 + y3),
        slope_t1 * x + slope_t2 * (x * slope_y2) + slope_t3 * (x * slope_y3),
    ]
}

/// (x² + y − 11)² + (x + y² − 7)²: four minima of value 0, at (3, 2) and three irrational points.
pub fn himmelblau(x: f64, y: f64) -> f64 {
    let a = x * x + y - 11.0;
    let b = x + y * y - 7.0;
    a * a + b * b
}

/// Gradient of [`himmelblau`]: (4x·a + 2b, 2a + 4y·b) with a = x² + y − 11, b = x + y² − 7.
pub fn himmelblau_derivative(x: f64, y: f64) -> [f64; 2] {
    let a = x * x + y - 11.0;
    let b = x + y * y - 7.0;
    [4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b]
}

/// x² − y²: a saddle at (0, 0), unbounded below along y.
pub fn saddle(x: f64, y: f64) -> f64 {
    x * x - y * y
}

/// Gradient of [`saddle`]: (2x, −2y).
pub fn saddle_derivative(x: f64, y: f64) -> [f64; 2] {
    [2.0 * x, -2.0 * y]
}

/// x³ − 3xy²: the monkey saddle at (0, 0), where the gradient and the curvature both vanish.
pub fn monkey_saddle(x: f64, y: f64) -> f64 {
    // The formula's operations in its order, so the graph view and the optimizers agree to the
    // last bit: (3x)·y².
    pow(x, 3.0) - 3.0 * x * pow(y, 2.0)
}

/// Gradient of [`monkey_saddle`]: (3x² − 3y², −6xy).
pub fn monkey_saddle_derivative(x: f64, y: f64) -> [f64; 2] {
    // The chain rule applied in the formula's order of operations, as the expression evaluator
    // applies it, so the graph view and the optimizers agree to the last bit: ∂/∂y of (3x)·y² is
    // (3x)·(2y).
    let (_, slope_x3) = power(x, 3.0);
    let (y2, slope_y2) = power(y, 2.0);
    [slope_x3 - 3.0 * y2, -(3.0 * x * slope_y2)]
}

/// (x + 2y − 7)² + (2x + y − 5)²: a tilted bowl. Minimum 0 at (1, 3).
pub fn booth(x: f64, y: f64) -> f64 {
    let a = x + 2.0 * y - 7.0;
    let b = 2.0 * x + y - 5.0;
    a * a + b * b
}

/// Gradient of [`booth`]: (2a + 4b, 4a + 2b).
pub fn booth_derivative(x: f64, y: f64) -> [f64; 2] {
    let a = x + 2.0 * y - 7.0;
    let b = 2.0 * x + y - 5.0;
    [2.0 * a + 4.0 * b, 4.0 * a + 2.0 * b]
}

/// 2x² − 1.05x⁴ + x⁶/6 + xy + y²: global minimum 0 at (0, 0) and two local minima at
/// x = ±√((4.2 + √3.64)/2), y = −x/2.
pub fn three_hump_camel(x: f64, y: f64) -> f64 {
    // The formula's operations in its order, so the graph view and the optimizers agree to the
    // last bit.
    2.0 * pow(x, 2.0) - 1.05 * pow(x, 4.0) + pow(x, 6.0) / 6.0 + x * y + pow(y, 2.0)
}

/// Gradient of [`three_hump_camel`]: (4x − 4.2x³ + x⁵ + y, x + 2y).
pub fn three_hump_camel_derivative(x: f64, y: f64) -> [f64; 2] {
    // The chain rule applied in the formula's order of operations, as the expression evaluator
    // applies it, so the graph view and the optimizers agree to the last bit: 1.05·(4x³), not
    // 4.2·x³, and (6x⁵)/6, not x⁵.
    let (_, slope_x2) = power(x, 2.0);
    let (_, slope_x4) = power(x, 4.0);
    let (_, slope_x6) = power(x, 6.0);
    let (_, slope_y2) = power(y, 2.0);
    [
        2.0 * slope_x2 - 1.05 * slope_x4 + slope_x6 / 6.0 + y,
        x + slope_y2,
    ]
}

/// 20 + x² − 10cos(2πx) + y² − 10cos(2πy): a bowl covered in bumps, a local minimum near every
/// integer point. Global minimum 0 at (0, 0).
pub fn rastrigin(x: f64, y: f64) -> f64 {
    // The formula's operations in its order, so the graph view and the optimizers agree to the
    // last bit.
    20.0 + pow(x, 2.0) - 10.0 * cos(2.0 * PI * x) + pow(y, 2.0) - 10.0 * cos(2.0 * PI * y)
}

/// Gradient of [`rastrigin`]: (2x + 20π·sin(2πx), 2y + 20π·sin(2πy)).
pub fn rastrigin_derivative(x: f64, y: f64) -> [f64; 2] {
    // The chain rule applied in the formula's order of operations, as the expression evaluator
    // applies it, so the graph view and the optimizers agree to the last bit: 10·(−sin(2πx)·2π),
    // not 20π·sin(2πx).
    let bumps_slope = |t: f64| 10.0 * (-sin(2.0 * PI * t) * (2.0 * PI));
    let (_, slope_x2) = power(x, 2.0);
    let (_, slope_y2) = power(y, 2.0);
    [slope_x2 - bumps_slope(x), slope_y2 - bumps_slope(y)]
}

/// −20·exp(−0.2·√(0.5(x² + y²))) − exp(0.5(cos 2πx + cos 2πy)) + e + 20 (a = 20, b = 0.2, c = 2π):
/// a nearly flat plain with a deep hole. Global minimum 0 at (0, 0).
pub fn ackley(x: f64, y: f64) -> f64 {
    // The formula's operations in its order, so the graph view and the optimizers agree to the
    // last bit.
    let r = (0.5 * (pow(x, 2.0) + pow(y, 2.0))).sqrt();
    -20.0 * exp(-0.2 * r) - exp(0.5 * (cos(2.0 * PI * x) + cos(2.0 * PI * y))) + E + 20.0
}

/// Gradient of [`ackley`]. The cone's tip, where x² + y² is 0, has no derivative (the formula's
/// gradient is 0/0 there); the cone's part of it is taken as 0, the value it tends to along the
/// axes, so an optimizer that lands on the minimum stays.
pub fn ackley_derivative(x: f64, y: f64) -> [f64; 2] {
    // The chain rule applied in the formula's order of operations, as the expression evaluator
    // applies it, so the graph view and the optimizers agree to the last bit (at the tip too,
    // where both take √'s slope at 0 as 0).
    let (x2, slope_x2) = power(x, 2.0);
    let (y2, slope_y2) = power(y, 2.0);
    let r = (0.5 * (x2 + y2)).sqrt();
    let cone = exp(-0.2 * r);
    // ∂/∂t of −20·exp(−0.2·r), where ∂r/∂t = 0.5·∂(x² + y²)/∂t / (2r).
    let cone_slope = |slope_t2: f64| {
        if r == 0.0 {
            0.0
        } else {
            -20.0 * (cone * (-0.2 * (0.5 * slope_t2 / (2.0 * r))))
        }
    };
    let ripples = exp(0.5 * (cos(2.0 * PI * x) + cos(2.0 * PI * y)));
    // ∂/∂t of exp(0.5·(cos 2πx + cos 2πy)), for t = x or y.
    let ripples_slope = |t: f64| ripples * (0.5 * (-sin(2.0 * PI * t) * (2.0 * PI)));
    [
        cone_slope(slope_x2) - ripples_slope(x),
        cone_slope(slope_y2) - ripples_slope(y),
    ]
}

/// [1 + (x+y+1)²(19 − 14x + 3x² − 14y + 6xy + 3y²)]·[30 + (2x−3y)²(18 − 32x + 12x² + 48y − 36xy + 27y²)]:
/// global minimum 3 at (0, −1), with values up to about a million in [−2, 2]².
pub fn goldstein_price(x: f64, y: f64) -> f64 {
    // The formula's operations in its order, so the graph view and the optimizers agree to the
    // last bit.
    let [a, b, c, d] = goldstein_price_terms(x, y);
    (1.0 + pow(a, 2.0) * b) * (30.0 + pow(c, 2.0) * d)
}

/// The four polynomials of Goldstein-Price, `[1 + a²·b]·[30 + c²·d]`, each computed as the
/// formula does.
fn goldstein_price_terms(x: f64, y: f64) -> [f64; 4] {
    [
        x + y + 1.0,
        19.0 - 14.0 * x + 3.0 * pow(x, 2.0) - 14.0 * y + 6.0 * x * y + 3.0 * pow(y, 2.0),
        2.0 * x - 3.0 * y,
        18.0 - 32.0 * x + 12.0 * pow(x, 2.0) + 48.0 * y - 36.0 * x * y + 27.0 * pow(y, 2.0),
    ]
}

/// Gradient of [`goldstein_price`], by the product rule on its two factors.
pub fn goldstein_price_derivative(x: f64, y: f64) -> [f64; 2] {
    // The chain rule applied in the formula's order of operations, as the expression evaluator
    // applies it, so the graph view and the optimizers agree to the last bit.
    let [a, b, c, d] = goldstein_price_terms(x, y);
    let (_, slope_x2) = power(x, 2.0);
    let (_, slope_y2) = power(y, 2.0);
    let (a2, slope_a) = power(a, 2.0);
    let (c2, slope_c) = power(c, 2.0);
    // ∂a/∂x = ∂a/∂y = 1; ∂c/∂x = 2, ∂c/∂y = −3.
    let (db_dx, db_dy) = (
        -14.0 + 3.0 * slope_x2 + 6.0 * y,
        -14.0 + 6.0 * x + 3.0 * slope_y2,
    );
    let (dd_dx, dd_dy) = (
        -32.0 + 12.0 * slope_x2 - 36.0 * y,
        48.0 - 36.0 * x + 27.0 * slope_y2,
    );
    let first = 1.0 + a2 * b;
    let second = 30.0 + c2 * d;
    let (dfirst_dx, dfirst_dy) = (slope_a * b + a2 * db_dx, slope_a * b + a2 * db_dy);
    let dsecond_dx = slope_c * 2.0 * d + c2 * dd_dx;
    let dsecond_dy = slope_c * -3.0 * d + c2 * dd_dy;
    [
        dfirst_dx * second + first * dsecond_dx,
        dfirst_dy * second + first * dsecond_dy,
    ]
}

/// Three-hump camel's local minima: x = ±√((4.2 + √3.64)/2), y = −x/2.
const CAMEL_X: f64 = 1.747_552_345_830_289;

/// Every named surface, in the order they are listed to users.
pub static SURFACES: [Surface; 12] = [
    Surface {
        id: "sphere",
        name: "Sphere",
        formula: "x^2 + y^2",
        view: view(-5.0, 5.0, -5.0, 5.0),
        minima: &[global(0.0, 0.0)],
        start: [-4.0, 3.0],
        log_scale: false,
        value: sphere,
        gradient: sphere_derivative,
    },
    Surface {
        id: "elongated",
        name: "Elongated bowl x²/20 + y² (Figure 6-8)",
        formula: "x^2/20 + y^2",
        view: view(-10.0, 10.0, -5.0, 5.0),
        minima: &[global(0.0, 0.0)],
        start: [-7.0, 2.0],
        log_scale: false,
        value: elongated,
        gradient: elongated_derivative,
    },
    Surface {
        id: "rosenbrock",
        name: "Rosenbrock",
        formula: "(1 - x)^2 + 100*(y - x^2)^2",
        view: view(-2.0, 2.0, -1.0, 3.0),
        minima: &[global(1.0, 1.0)],
        start: [-1.5, 2.0],
        log_scale: true,
        value: rosenbrock,
        gradient: rosenbrock_derivative,
    },
    Surface {
        id: "beale",
        name: "Beale",
        formula: "(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2",
        view: view(-4.5, 4.5, -4.5, 4.5),
        minima: &[global(3.0, 0.5)],
        start: [1.0, 1.5],
        log_scale: true,
        value: beale,
        gradient: beale_derivative,
    },
    Surface {
        id: "himmelblau",
        name: "Himmelblau",
        formula: "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        view: view(-5.0, 5.0, -5.0, 5.0),
        minima: &[
            global(3.0, 2.0),
            global(-2.805_118_086_952_745, 3.131_312_518_250_573),
            global(-3.779_310_253_377_747, -3.283_185_991_286_169),
            global(3.584_428_340_330_492, -1.848_126_526_964_403),
        ],
        start: [0.0, 0.0],
        log_scale: true,
        value: himmelblau,
        gradient: himmelblau_derivative,
    },
    Surface {
        id: "saddle",
        name: "Saddle x² − y²",
        formula: "x^2 - y^2",
        view: view(-2.0, 2.0, -2.0, 2.0),
        minima: &[],
        start: [-1.8, 0.01],
        log_scale: false,
        value: saddle,
        gradient: saddle_derivative,
    },
    Surface {
        id: "monkey-saddle",
        name: "Monkey saddle x³ − 3xy²",
        formula: "x^3 - 3*x*y^2",
        view: view(-2.0, 2.0, -2.0, 2.0),
        minima: &[],
        start: [1.5, 0.2],
        log_scale: false,
        value: monkey_saddle,
        gradient: monkey_saddle_derivative,
    },
    Surface {
        id: "booth",
        name: "Booth",
        formula: "(x + 2*y - 7)^2 + (2*x + y - 5)^2",
        view: view(-10.0, 10.0, -10.0, 10.0),
        minima: &[global(1.0, 3.0)],
        start: [-8.0, -6.0],
        log_scale: false,
        value: booth,
        gradient: booth_derivative,
    },
    Surface {
        id: "three-hump-camel",
        name: "Three-hump camel",
        formula: "2*x^2 - 1.05*x^4 + x^6/6 + x*y + y^2",
        view: view(-2.5, 2.5, -2.5, 2.5),
        minima: &[
            global(0.0, 0.0),
            local(CAMEL_X, -CAMEL_X / 2.0),
            local(-CAMEL_X, CAMEL_X / 2.0),
        ],
        start: [-2.2, 1.8],
        log_scale: true,
        value: three_hump_camel,
        gradient: three_hump_camel_derivative,
    },
    Surface {
        id: "rastrigin",
        name: "Rastrigin",
        formula: "20 + x^2 - 10*cos(2*pi*x) + y^2 - 10*cos(2*pi*y)",
        view: view(-5.12, 5.12, -5.12, 5.12),
        minima: &[global(0.0, 0.0)],
        start: [4.3, -3.8],
        log_scale: false,
        value: rastrigin,
        gradient: rastrigin_derivative,
    },
    Surface {
        id: "ackley",
        name: "Ackley",
        formula: "-20*exp(-0.2*sqrt(0.5*(x^2 + y^2))) - exp(0.5*(cos(2*pi*x) + cos(2*pi*y))) + e + 20",
        view: view(-5.0, 5.0, -5.0, 5.0),
        minima: &[global(0.0, 0.0)],
        start: [3.2, -2.8],
        log_scale: false,
        value: ackley,
        gradient: ackley_derivative,
    },
    Surface {
        id: "goldstein-price",
        name: "Goldstein-Price",
        formula: "(1 + (x + y + 1)^2*(19 - 14*x + 3*x^2 - 14*y + 6*x*y + 3*y^2))*(30 + (2*x - 3*y)^2*(18 - 32*x + 12*x^2 + 48*y - 36*x*y + 27*y^2))",
        view: view(-2.0, 2.0, -2.0, 2.0),
        minima: &[global(0.0, -1.0)],
        start: [1.5, 1.5],
        log_scale: true,
        value: goldstein_price,
        gradient: goldstein_price_derivative,
    },
];

/// The named surface with this id, if any.
pub fn find(id: &str) -> Option<&'static Surface> {
    SURFACES.iter().find(|s| s.id == id)
}

/// What an optimizer descends: a named surface or a typed-in expression.
#[derive(Debug, Clone)]
pub enum Function {
    Named(&'static Surface),
    Typed(Expr),
}

/// The view, start and colour scale of a typed-in function, which has no known shape.
const TYPED_VIEW: ViewBox = view(-5.0, 5.0, -5.0, 5.0);
const TYPED_START: [f64; 2] = [-4.0, 3.0];

impl Function {
    /// A surface id (`rosenbrock`) or else an expression in x and y (`x^2 + 3*y^2`).
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        match find(text.trim()) {
            Some(surface) => Ok(Self::Named(surface)),
            None => Expr::parse(text).map(Self::Typed),
        }
    }

    /// The id of a named surface, or the expression as typed.
    pub fn label(&self) -> &str {
        match self {
            Self::Named(s) => s.id,
            Self::Typed(e) => e.source(),
        }
    }

    /// The formula in the expression grammar.
    pub fn formula(&self) -> &str {
        match self {
            Self::Named(s) => s.formula,
            Self::Typed(e) => e.source(),
        }
    }

    /// The named surface, if this is one.
    pub fn surface(&self) -> Option<&'static Surface> {
        match self {
            Self::Named(s) => Some(s),
            Self::Typed(_) => None,
        }
    }

    /// f(x, y).
    #[inline]
    pub fn value(&self, x: f64, y: f64) -> f64 {
        match self {
            Self::Named(s) => s.value(x, y),
            Self::Typed(e) => e.value(x, y),
        }
    }

    /// The exact gradient (∂f/∂x, ∂f/∂y).
    #[inline]
    pub fn gradient(&self, x: f64, y: f64) -> [f64; 2] {
        self.value_and_gradient(x, y).1
    }

    /// f(x, y) and its exact gradient in one evaluation.
    #[inline]
    pub fn value_and_gradient(&self, x: f64, y: f64) -> (f64, [f64; 2]) {
        match self {
            Self::Named(s) => (s.value(x, y), s.gradient(x, y)),
            Self::Typed(e) => e.value_and_gradient(x, y),
        }
    }

    /// The gradient by central differences (h = 1e-4), as the book's chapter 4 computes it.
    pub fn numerical_gradient(&self, x: f64, y: f64) -> [f64; 2] {
        numerical_gradient_2d(|a, b| self.value(a, b), [x, y])
    }

    /// The view that shows it best.
    pub fn view(&self) -> ViewBox {
        self.surface().map_or(TYPED_VIEW, |s| s.view)
    }

    /// A start point that shows the optimizers well.
    pub fn start(&self) -> [f64; 2] {
        self.surface().map_or(TYPED_START, |s| s.start)
    }

    /// The known minima (none for a typed-in function).
    pub fn minima(&self) -> &'static [Minimum] {
        self.surface().map_or(&[], |s| s.minima)
    }

    /// Whether a log colour scale reads better.
    pub fn log_scale(&self) -> bool {
        self.surface().is_some_and(|s| s.log_scale)
    }
}

impl fmt::Display for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}
