//! The numbers of *Deep Learning from Scratch*, chapter 6 (Figure 6-8): each optimizer on
//! x²/20 + y² from (−7, 2), with the book's learning rates, compared with the book's own
//! `optimizer_compare_naive.py` run in Python to the last bit.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed, and should say so loudly

use gradscape_core::optim::OptimizerConfig;
use gradscape_core::surface::Function;
use gradscape_core::trajectory::{Trajectory, TrajectoryError};

fn figure_6_8(optimizer: &str, steps: usize) -> Trajectory {
    let function = Function::parse("elongated").unwrap();
    let config: OptimizerConfig = optimizer.parse().unwrap();
    Trajectory::run(&function, config, [-7.0, 2.0], steps).unwrap()
}

#[test]
fn figure_6_8_points_after_30_updates() {
    for (optimizer, x, y) in [
        ("sgd(lr=0.95)", -0.3503929957523197, 0.0847823165504322),
        ("momentum(lr=0.1)", 0.896413858493733, 0.08808560171506971),
        (
            "adagrad(lr=1.5)",
            -0.12016232231416045,
            2.486389893984459e-17,
        ),
        ("adam(lr=0.3)", 0.13600685239498186, 0.31824537553721943),
    ] {
        let t = figure_6_8(optimizer, 30);
        assert_eq!(t.points.len(), 31, "{optimizer}");
        assert_eq!(t.diverged_at, None);
        assert_eq!(t.end(), Some([x, y]), "{optimizer}");
    }
}

#[test]
fn first_sgd_update_by_hand() {
    // ∇f(−7, 2) = (−7/10, 2·2) = (−0.7, 4); (−7, 2) − 0.95·(−0.7, 4) = (−6.335, −1.8).
    let t = figure_6_8("sgd(lr=0.95)", 1);
    assert_eq!(t.gradients[0], [-0.7, 4.0]);
    // (2 − 3.8 rounds to −1.7999999999999998 in binary, in Python as here.)
    assert!((t.points[1][0] + 6.335).abs() < 1e-15 && (t.points[1][1] + 1.8).abs() < 1e-15);
    // f(−6.335, −1.8) = 40.132225/20 + 3.24
    assert!((t.values[1] - (40.132225 / 20.0 + 3.24)).abs() < 1e-12);
}

#[test]
fn records_value_and_gradient_at_every_point() {
    let t = figure_6_8("momentum(lr=0.1)", 30);
    for ((p, v), g) in t.points.iter().zip(&t.values).zip(&t.gradients) {
        assert_eq!(*v, p[0] * p[0] / 20.0 + p[1] * p[1]);
        assert_eq!(*g, [p[0] / 10.0, 2.0 * p[1]]);
    }
}

#[test]
fn divergence_stops_at_the_first_non_finite_point() {
    // SGD with lr = 1.5 on x²/20 + y² from (0, 2): y ← y − 1.5·2y = −2y, so y_k = 2·(−2)^k and
    // f = y_k² = 4^(k+1) = 2^(2k+2), which overflows f64 (largest value just under 2^1024) first at
    // k = 511.
    let f = Function::parse("elongated").unwrap();
    let t = Trajectory::run(&f, "sgd(lr=1.5)".parse().unwrap(), [0.0, 2.0], 5000).unwrap();
    let at = t.diverged_at.expect("diverges");
    assert_eq!(t.points.len(), at);
    assert_eq!(at, 511);
    assert!(t.values.iter().all(|v| v.is_finite()));
    assert!(t.points.iter().flatten().all(|v| v.is_finite()));
}

#[test]
fn refuses_bad_runs_in_words() {
    let f = Function::parse("x^2 + ln(y)").unwrap();
    let sgd: OptimizerConfig = "sgd".parse().unwrap();
    assert_eq!(
        Trajectory::run(&f, sgd, [1.0, 1.0], 0).unwrap_err(),
        TrajectoryError::Steps(0)
    );
    assert!(Trajectory::run(&f, sgd, [1.0, 1.0], 1_000_001).is_err());
    assert!(Trajectory::run(&f, sgd, [f64::NAN, 1.0], 1).is_err());
    let undefined = Trajectory::run(&f, sgd, [1.0, -1.0], 1).unwrap_err();
    assert!(undefined
        .to_string()
        .contains("not a finite number at the start point"));
    // x^2 overflows at x = 1e300; the point is written as the address would hold it, not as
    // a 301-digit number.
    let far = Trajectory::run(&f, sgd, [1e300, 1.0], 1).unwrap_err();
    assert_eq!(
        far.to_string(),
        "the function or its gradient is not a finite number at the start point (1e300, 1)"
    );
    let bad_lr = OptimizerConfig::Sgd { lr: -1.0 };
    assert!(Trajectory::run(&f, bad_lr, [1.0, 1.0], 1)
        .unwrap_err()
        .to_string()
        .contains("above 0"));
}

#[test]
fn nesterov_on_the_bowl_by_hand() {
    // Nesterov (lr 0.1, μ 0.9) on x²+y² from (1, 0): g = 2x.
    // step 1: x = 1 + 0.81·0 − 1.9·0.1·2 = 0.62, v = −0.2.
    // step 2: g = 1.24; x = 0.62 + 0.81·(−0.2) − 0.19·1.24 = 0.2224, v = 0.9·(−0.2) − 0.124 = −0.304.
    let f = Function::parse("sphere").unwrap();
    let t = Trajectory::run(&f, "nesterov(lr=0.1)".parse().unwrap(), [1.0, 0.0], 2).unwrap();
    assert!((t.points[1][0] - 0.62).abs() < 1e-15);
    assert!((t.points[2][0] - 0.2224).abs() < 1e-15);
}
