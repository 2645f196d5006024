//! Every named surface against independent references: its hand-written gradient against central
//! differences over its whole view box, its typed-in formula against the hand-written code, and
//! its listed minima against the gradient (zero) and the textbook minimum values.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed, and should say so loudly

use gradscape_core::expr::Expr;
use gradscape_core::rng::Rng;
use gradscape_core::surface::{find, Function, Surface, SURFACES};
use proptest::prelude::*;

/// Central difference with a step small enough that the truncation error (h²·f‴/6) is far below
/// the tolerance even for Goldstein-Price, whose values reach about 10⁶.
fn central_difference(s: &Surface, x: f64, y: f64) -> [f64; 2] {
    let h = 1e-5;
    [
        (s.value(x + h, y) - s.value(x - h, y)) / (2.0 * h),
        (s.value(x, y + h) - s.value(x, y - h)) / (2.0 * h),
    ]
}

/// The difference a correct gradient may show: relative 1e-6, plus the rounding of f (a few ulps
/// of |f|) divided by the step.
fn tolerance(analytic: f64, f: f64) -> f64 {
    1e-6 * (1.0 + analytic.abs()) + 4.0 * f64::EPSILON * (1.0 + f.abs()) / 1e-5
}

/// The point at fractions (u, w) of the surface's view.
fn point_in_view(s: &Surface, u: f64, w: f64) -> (f64, f64) {
    (
        s.view.xmin + u * (s.view.xmax - s.view.xmin),
        s.view.ymin + w * (s.view.ymax - s.view.ymin),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn analytic_gradients_match_central_differences(
        index in 0..SURFACES.len(),
        u in 0.0..=1.0f64,
        w in 0.0..=1.0f64,
    ) {
        let s = &SURFACES[index];
        let (x, y) = point_in_view(s, u, w);
        // Ackley's cone has no derivative at its tip.
        prop_assume!(s.id != "ackley" || x.hypot(y) > 1e-3);
        let analytic = s.gradient(x, y);
        let numeric = central_difference(s, x, y);
        let f = s.value(x, y);
        for i in 0..2 {
            prop_assert!(
                (analytic[i] - numeric[i]).abs() <= tolerance(analytic[i], f),
                "{} at ({x}, {y}): analytic {:?}, central differences {:?}", s.id, analytic, numeric
            );
        }
    }

    #[test]
    fn typed_in_formulas_agree_with_the_named_surfaces(
        index in 0..SURFACES.len(),
        u in 0.0..=1.0f64,
        w in 0.0..=1.0f64,
    ) {
        let s = &SURFACES[index];
        let (x, y) = point_in_view(s, u, w);
        prop_assume!(s.id != "ackley" || x.hypot(y) > 1e-3);
        let typed = Expr::parse(s.formula).unwrap();
        let (value, gradient) = typed.value_and_gradient(x, y);
        let scale = 1.0 + s.value(x, y).abs();
        prop_assert!((value - s.value(x, y)).abs() <= 1e-12 * scale, "{}: {value} vs {}", s.id, s.value(x, y));
        let named = s.gradient(x, y);
        for i in 0..2 {
            let tol = 1e-11 * (1.0 + named[i].abs() + scale);
            prop_assert!((gradient[i] - named[i]).abs() <= tol, "{} at ({x}, {y}): {gradient:?} vs {named:?}", s.id);
        }
    }
}

#[test]
fn every_view_and_start_is_sensible() {
    for s in &SURFACES {
        assert!(
            s.view.xmin < s.view.xmax && s.view.ymin < s.view.ymax,
            "{}",
            s.id
        );
        assert!(s.view.contains(s.start), "{} starts outside its view", s.id);
        for m in s.minima {
            assert!(
                s.view.contains(m.point),
                "{} minimum outside its view",
                s.id
            );
        }
        assert!(Expr::parse(s.formula).is_ok(), "{}", s.id);
        assert_eq!(find(s.id).map(|f| f.id), Some(s.id));
    }
}

#[test]
fn minima_have_textbook_values_and_zero_gradient() {
    // Minimum values from the standard test-function tables: 0 for all but Goldstein-Price (3),
    // and for the three-hump camel's two local minima f(x, −x/2) with x² = (4.2 + √3.64)/2, which
    // works out by hand to 0.29863844223686.
    for s in &SURFACES {
        for m in s.minima {
            let [x, y] = m.point;
            let g = s.gradient(x, y);
            assert!(
                g[0].abs() < 1e-9 && g[1].abs() < 1e-9,
                "{} at {:?}: {g:?}",
                s.id,
                m.point
            );
            let want = match (s.id, m.global) {
                ("goldstein-price", _) => 3.0,
                ("three-hump-camel", false) => 0.298_638_442_236_8,
                _ => 0.0,
            };
            assert!(
                (s.value(x, y) - want).abs() < 1e-12,
                "{}: f = {}",
                s.id,
                s.value(x, y)
            );
        }
    }
}

#[test]
fn saddles_have_no_minima_and_zero_gradient_at_the_origin() {
    for id in ["saddle", "monkey-saddle"] {
        let s = find(id).unwrap();
        assert!(s.minima.is_empty());
        assert_eq!(s.gradient(0.0, 0.0), [0.0, 0.0]);
    }
}

#[test]
fn ackley_gradient_is_zero_at_the_origin() {
    assert_eq!(find("ackley").unwrap().gradient(0.0, 0.0), [0.0, 0.0]);
    assert!(find("ackley").unwrap().value(0.0, 0.0).abs() < 1e-15);
}

#[test]
fn known_values_by_hand() {
    let f = |id: &str, x, y| find(id).unwrap().value(x, y);
    assert_eq!(f("rosenbrock", 0.0, 0.0), 1.0);
    assert_eq!(f("rosenbrock", -1.0, 1.0), 4.0);
    assert_eq!(f("himmelblau", 0.0, 0.0), 170.0); // 121 + 49
    assert_eq!(f("booth", 0.0, 0.0), 74.0); // 49 + 25
    assert_eq!(f("beale", 0.0, 0.0), 14.203125); // 2.25 + 5.0625 + 6.890625
    assert_eq!(f("goldstein-price", 0.0, 0.0), 600.0); // (1 + 19)·(30 + 0)
    assert_eq!(f("monkey-saddle", 1.0, 1.0), -2.0);
    assert_eq!(
        f("three-hump-camel", 1.0, 1.0),
        2.0 - 1.05 + 1.0 / 6.0 + 1.0 + 1.0
    );
    assert!((f("rastrigin", 1.0, 1.0) - 2.0).abs() < 1e-12); // 20 + 1 − 10 + 1 − 10
}

#[test]
fn functions_parse_names_or_expressions() {
    assert!(matches!(
        Function::parse("rosenbrock"),
        Ok(Function::Named(_))
    ));
    assert!(matches!(
        Function::parse(" himmelblau "),
        Ok(Function::Named(_))
    ));
    let typed = Function::parse("x^2 + 3*y^2").unwrap();
    assert_eq!(typed.value_and_gradient(1.0, 2.0), (13.0, [2.0, 12.0]));
    let err = Function::parse("2x").unwrap_err();
    assert_eq!(err.column, 2);
    // Central differences in the book's way (h = 1e-4) beside the exact gradient.
    let n = typed.numerical_gradient(1.0, 2.0);
    assert!(
        (n[0] - 2.0).abs() < 1e-6 && (n[1] - 12.0).abs() < 1e-6,
        "{n:?}"
    );
}

#[test]
fn a_view_keeps_to_the_limits_zoom_and_pan_keep_to() {
    use gradscape_core::surface::ViewBox;
    let ok = |v: [f64; 4]| ViewBox::new(v[0], v[1], v[2], v[3]).map_err(|e| e.english());
    assert!(ok([-5e8, 5e8, -1.0, 1.0]).is_ok());
    assert!(ok([0.0, 1e-9, 0.0, 1.0]).is_ok());
    // Wider than 1e9, or centred beyond ±1e9: pixel positions would lose their digits.
    let wide = ok([-1e300, 1e300, -1.0, 1.0]).unwrap_err();
    assert!(
        wide.contains("x range, -1e300 to 1e300, is wider"),
        "{wide}"
    );
    let far = ok([0.0, 1.0, 5e9, 5e9 + 1.0]).unwrap_err();
    assert!(
        far.contains("y range, 5000000000 to 5000000001, is centred beyond"),
        "{far}"
    );
    // Narrower than 1e-9, or than 1e-12 of the centre's distance from 0: its two ends would
    // round to a handful of numbers.
    let narrow = ok([0.0, 1e-300, 0.0, 1.0]).unwrap_err();
    assert!(
        narrow.contains("narrower than the narrowest allowed there, 1e-9"),
        "{narrow}"
    );
    let close = ok([1e8, 1e8 + 1e-5, 0.0, 1.0]).unwrap_err();
    assert!(
        close.contains("narrower than the narrowest allowed there, 0.0001"),
        "{close}"
    );
}

/// Whether two results count as the same: the same bits, except that +0 equals −0 and NaN equals
/// NaN.
fn same_result(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

/// About 20,000 points for one surface, the same on every run: every pair of its special
/// coordinates (zero, small integers, its minima, start and view bounds, ±1e3 and tiny values),
/// whole-number points, uniform points over three times its view, and points of random sign and
/// magnitude, mostly from 10⁻⁶ to 10³ and some from 10⁻³⁰⁰ to 10³⁰. (Much beyond 10³⁰ the
/// formulas' intermediate results overflow, Goldstein-Price's x⁸ first, and the evaluator's
/// gradient turns NaN from 0·∞ in the zero derivatives of its constants; the hand-written code
/// does not reproduce those NaNs, so such points are not compared.)
fn comparison_points(s: &Surface, rng: &mut Rng) -> Vec<(f64, f64)> {
    let v = s.view;
    let mut special = vec![
        0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -2.0, 3.0, -3.0, 10.0, -10.0, 1e2, -1e2, 1e3, -1e3,
        1e-3, -1e-3, 1e-170, -1e-170, v.xmin, v.xmax, v.ymin, v.ymax, s.start[0], s.start[1],
    ];
    special.extend(s.minima.iter().flat_map(|m| m.point));
    let mut points: Vec<(f64, f64)> = special
        .iter()
        .flat_map(|&x| special.iter().map(move |&y| (x, y)))
        .collect();
    points.extend((-10..=10).flat_map(|i| (-10..=10).map(move |j| (f64::from(i), f64::from(j)))));
    let (cx, cy) = (0.5 * (v.xmin + v.xmax), 0.5 * (v.ymin + v.ymax));
    let (wx, wy) = (3.0 * (v.xmax - v.xmin), 3.0 * (v.ymax - v.ymin));
    while points.len() < 14_000 {
        let (u, w) = (rng.uniform() - 0.5, rng.uniform() - 0.5);
        points.push((cx + u * wx, cy + w * wy));
    }
    let mut signed_magnitude = |lowest: f64, highest: f64| {
        let sign = if rng.uniform() < 0.5 { -1.0 } else { 1.0 };
        sign * 10f64.powf(lowest + (highest - lowest) * rng.uniform())
    };
    while points.len() < 18_000 {
        points.push((signed_magnitude(-6.0, 3.0), signed_magnitude(-6.0, 3.0)));
    }
    while points.len() < 20_000 {
        points.push((
            signed_magnitude(-300.0, 30.0),
            signed_magnitude(-300.0, 30.0),
        ));
    }
    points
}

#[test]
fn named_surfaces_give_the_formulas_results_to_the_last_bit() {
    // The computational-graph view evaluates the formula; the optimizers call the hand-written
    // code. They must agree exactly, value and gradient, or the view would show a gradient a hair
    // off the one the optimizers use.
    let mut rng = Rng::new(20_240_601, 0);
    for s in &SURFACES {
        let typed = Expr::parse(s.formula).unwrap();
        let mut failures = Vec::new();
        let points = comparison_points(s, &mut rng);
        for &(x, y) in &points {
            let (value, gradient) = typed.value_and_gradient(x, y);
            let (named_value, named_gradient) = (s.value(x, y), s.gradient(x, y));
            let same_value =
                same_result(value, named_value) && same_result(value, typed.value(x, y));
            // Ackley's tip too: the evaluator takes √'s slope at 0 as 0, as the named surface does.
            let same_gradient = (0..2).all(|i| same_result(gradient[i], named_gradient[i]));
            if !same_value || !same_gradient {
                failures.push(format!(
                    "({x:?}, {y:?}): formula {value:?} {gradient:?}, named {named_value:?} {named_gradient:?}"
                ));
            }
        }
        assert!(
            failures.is_empty(),
            "{} differs from its formula {:?} at {} of {} points, e.g.\n{}",
            s.id,
            s.formula,
            failures.len(),
            points.len(),
            failures[..failures.len().min(5)].join("\n")
        );
    }
}
