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
    let bad_lr = OptimizerConfig::from(gradscape_core::optim::Rule::Sgd { lr: -1.0 });
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

#[test]
fn noise_with_sigma_zero_is_the_exact_run_bit_for_bit() {
    use gradscape_core::trajectory::Noise;
    let f = Function::parse("rosenbrock").unwrap();
    for opt in ["sgd(lr=0.001)", "momentum(lr=0.0005)", "adam(lr=0.05)"] {
        let config = opt.parse().unwrap();
        let exact = Trajectory::run(&f, config, [-1.5, 2.0], 500).unwrap();
        let zero = Noise::new(0.0, 42, 500).unwrap();
        let noisy = Trajectory::run_with_noise(&f, config, [-1.5, 2.0], 500, Some(&zero)).unwrap();
        assert_eq!(exact, noisy, "{opt}");
        assert!(noisy.noisy.is_empty());
    }
}

#[test]
fn noise_adds_sigma_times_a_standard_normal_pair_shared_by_every_optimizer() {
    use gradscape_core::trajectory::Noise;
    // 10,000 draws: ε has mean 0 and spread 1 in each coordinate (the standard error of the mean
    // is 0.01, of the variance about 0.014), and x and y are uncorrelated.
    let noise = Noise::new(0.5, 7, 10_000).unwrap();
    let eps: Vec<[f64; 2]> = (0..10_000).map(|k| noise.epsilon(k).unwrap()).collect();
    for i in 0..2 {
        let mean = eps.iter().map(|e| e[i]).sum::<f64>() / 1e4;
        let var = eps.iter().map(|e| (e[i] - mean).powi(2)).sum::<f64>() / 1e4;
        assert!(mean.abs() < 0.04, "mean {mean}");
        assert!((var - 1.0).abs() < 0.06, "variance {var}");
    }
    let cov = eps.iter().map(|e| e[0] * e[1]).sum::<f64>() / 1e4;
    assert!(cov.abs() < 0.04, "covariance {cov}");
    // On f = x²/20 + y² from (−7, 2): the gradient used is ∇f + σ·ε, the same ε for SGD and
    // Momentum, and SGD's first step is −η·(∇f + σ·ε₁).
    let f = Function::parse("elongated").unwrap();
    let sgd = Trajectory::run_with_noise(
        &f,
        "sgd(lr=0.95)".parse().unwrap(),
        [-7.0, 2.0],
        30,
        Some(&noise),
    )
    .unwrap();
    let mom = Trajectory::run_with_noise(
        &f,
        "momentum(lr=0.1)".parse().unwrap(),
        [-7.0, 2.0],
        30,
        Some(&noise),
    )
    .unwrap();
    let e1 = noise.epsilon(0).unwrap();
    let used = [-0.7 + 0.5 * e1[0], 4.0 + 0.5 * e1[1]];
    assert_eq!(sgd.noisy[0], used);
    assert_eq!(mom.noisy[0], used);
    assert_eq!(sgd.points[1], [-7.0 - 0.95 * used[0], 2.0 - 0.95 * used[1]]);
    // The second update: SGD's and Momentum's points differ, ε₂ does not.
    let e2 = noise.epsilon(1).unwrap();
    for t in [&sgd, &mom] {
        let g = t.gradients[1];
        assert_eq!(t.noisy[1], [g[0] + 0.5 * e2[0], g[1] + 0.5 * e2[1]]);
    }
    // Same seed, same bits; another seed, other numbers.
    assert_eq!(
        Noise::new(0.5, 7, 30).unwrap().epsilon(29),
        noise.epsilon(29)
    );
    assert_ne!(Noise::new(0.5, 8, 30).unwrap().epsilon(0), noise.epsilon(0));
    for bad in [-1.0, f64::NAN, f64::INFINITY, 1e101] {
        assert!(Noise::new(bad, 0, 1).is_err(), "{bad}");
    }
}

#[test]
fn schedules_decay_the_rate_of_every_rule_by_hand() {
    // SGD with inv:0.1 on f = x²/20 + y² from (−7, 2): update 1 uses η = 0.95, update 2
    // η = 0.95/1.1. So y₁ = 2 − 0.95·4 = −1.8 and y₂ = −1.8 − (0.95/1.1)·(−3.6).
    let f = Function::parse("elongated").unwrap();
    let t = Trajectory::run(
        &f,
        "sgd(lr=0.95,schedule=inv:0.1)".parse().unwrap(),
        [-7.0, 2.0],
        2,
    )
    .unwrap();
    assert!((t.points[1][1] + 1.8).abs() < 1e-15);
    assert!((t.points[2][1] - (-1.8 + 0.95 / 1.1 * 3.6)).abs() < 1e-12);
    // exp:0.5, AdaGrad η = 1: the second update's numerator is 0.5.
    let t = Trajectory::run(
        &f,
        "adagrad(lr=1,schedule=exp:0.5)".parse().unwrap(),
        [0.0, 2.0],
        2,
    )
    .unwrap();
    let g1 = t.gradients[1][1];
    let h = 16.0 + g1 * g1;
    assert!((t.points[2][1] - (t.points[1][1] - 0.5 * g1 / (h.sqrt() + 1e-7))).abs() < 1e-15);
    // Adam's bias-corrected size takes the decayed η: step:1:0.5 at t = 2 gives η/2.
    let t = Trajectory::run(
        &f,
        "adam(lr=0.2,schedule=step:1:0.5)".parse().unwrap(),
        [0.0, 2.0],
        2,
    )
    .unwrap();
    let plain = Trajectory::run(&f, "adam(lr=0.2)".parse().unwrap(), [0.0, 2.0], 1).unwrap();
    assert_eq!(t.points[1], plain.points[1]);
    let (g0, g1) = (t.gradients[0][1], t.gradients[1][1]);
    let m = 0.1 * g0 + 0.1 * (g1 - 0.1 * g0);
    let v = 0.001 * g0 * g0 + 0.001 * (g1 * g1 - 0.001 * g0 * g0);
    let lr_t = 0.1 * (1.0 - 0.999f64.powi(2)).sqrt() / (1.0 - 0.9f64.powi(2));
    assert!((t.points[2][1] - (t.points[1][1] - lr_t * m / (v.sqrt() + 1e-7))).abs() < 1e-12);
    // cos:1: the second update's rate is 0, so the point does not move.
    let t = Trajectory::run(
        &f,
        "momentum(lr=0.1,momentum=0,schedule=cos:1)"
            .parse()
            .unwrap(),
        [-7.0, 2.0],
        2,
    )
    .unwrap();
    assert_eq!(t.points[2], t.points[1]);
    // The constant schedule is the book's run (Figure 6-8's points are checked above) and is
    // left out of the URL form.
    let c: gradscape_core::optim::OptimizerConfig =
        "sgd(lr=0.95,schedule=constant)".parse().unwrap();
    assert_eq!(c.to_string(), "sgd(lr=0.95)");
    let c: gradscape_core::optim::OptimizerConfig =
        "sgd(lr=0.95,schedule=step:10:0.5)".parse().unwrap();
    assert_eq!(c.to_string(), "sgd(lr=0.95,schedule=step:10:0.5)");
    let err = "sgd(schedule=inv:-1)"
        .parse::<gradscape_core::optim::OptimizerConfig>()
        .unwrap_err();
    assert!(err.to_string().contains("schedule: inv's k = -1"), "{err}");
}
