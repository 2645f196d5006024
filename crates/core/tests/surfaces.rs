//! Every named surface against independent references: its hand-written gradient against central
//! differences over its whole view box, its typed-in formula against the hand-written code, and
//! its listed minima against the gradient (zero) and the textbook minimum values.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed, and should say so loudly

use gradscape_core::expr::Expr;
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
