//! Learning-rate schedules, gradient noise and `gradscape explain`, run as a user runs them. The
//! expected numbers are worked out by hand from the book's rules, on f = x²/20 + y² from (−7, 2)
//! (Figure 6-8), where ∇f = (x/10, 2y) = (−0.7, 4).

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed, and should say so loudly

use serde_json::Value;

mod common;

use common::{gradscape, json, ok, stderr, words};

fn pair(v: &Value) -> [f64; 2] {
    [v[0].as_f64().unwrap(), v[1].as_f64().unwrap()]
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * (1.0 + b.abs())
}

/// `explain` of the book's run from (−7, 2) on the elongated bowl, as JSON.
fn explain_json(optimizer_flags: &[&str], step: &str) -> Value {
    let mut args = vec!["explain", "--function", "elongated", "--start=-7,2"];
    args.extend_from_slice(optimizer_flags);
    args.extend_from_slice(&["--step", step, "--format", "json"]);
    json(&args)
}

#[test]
fn sgd_first_update_of_figure_6_8_by_hand() {
    let e = explain_json(&["--optimizer", "sgd", "--lr", "0.95"], "0");
    // Exactly the core's Explanation: these fields, in this order, and no noise.
    let keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
    let mut sorted =
        words("optimizer hyperparameters step lr factor point gradient before after next");
    sorted.sort_unstable();
    assert_eq!(keys, sorted);
    assert_eq!(e["optimizer"], "sgd");
    assert_eq!(e["hyperparameters"]["lr"], 0.95);
    assert_eq!(e["hyperparameters"]["schedule"], "constant");
    assert_eq!(e["step"], 0);
    assert_eq!(e["lr"], 0.95);
    assert_eq!(e["factor"], 1.0);
    assert_eq!(pair(&e["point"]), [-7.0, 2.0]);
    assert_eq!(pair(&e["gradient"]), [-0.7, 4.0]);
    // x = −7 − 0.95·(−0.7) = −6.335, y = 2 − 0.95·4 = −1.8.
    let next = pair(&e["next"]);
    assert!(close(next[0], -6.335) && close(next[1], -1.8), "{next:?}");
    assert_eq!(e["before"], serde_json::json!({}));
    assert_eq!(e["after"], serde_json::json!({}));
}

#[test]
fn momentum_adagrad_and_adam_state_after_the_first_update_by_hand() {
    // Momentum: v = 0.9·0 − 0.1·(−0.7, 4) = (0.07, −0.4); W = (−7, 2) + v.
    let e = explain_json(&words("--optimizer momentum --lr 0.1 --momentum 0.9"), "0");
    assert_eq!(pair(&e["before"]["v"]), [0.0, 0.0]);
    let v = pair(&e["after"]["v"]);
    assert!(close(v[0], 0.07) && close(v[1], -0.4), "{v:?}");
    let next = pair(&e["next"]);
    assert!(close(next[0], -6.93) && close(next[1], 1.6), "{next:?}");

    // AdaGrad: h = 0 + g² = (0.49, 16); y = 2 − 1.5·4/(√16 + 1e-7).
    let e = explain_json(&["--optimizer", "adagrad", "--lr", "1.5"], "0");
    let h = pair(&e["after"]["h"]);
    assert!(close(h[0], 0.49) && h[1] == 16.0, "{h:?}");
    assert!(close(pair(&e["next"])[1], 2.0 - 6.0 / (4.0 + 1e-7)));

    // Adam at t = 1: lr_t = 0.3·√(1 − 0.999)/(1 − 0.9), m = 0.1·g, v = 0.001·g².
    let e = explain_json(&["--optimizer", "adam", "--lr", "0.3"], "0");
    let lr_t = e["after"]["lr_t"].as_f64().unwrap();
    assert!(close(lr_t, 0.3 * 0.001f64.sqrt() / 0.1), "{lr_t}");
    assert!(e["before"].get("lr_t").is_none());
    let m = pair(&e["after"]["m"]);
    assert!(close(m[0], -0.07) && close(m[1], 0.4), "{m:?}");
    let v = pair(&e["after"]["v"]);
    assert!(close(v[0], 0.00049) && close(v[1], 0.016), "{v:?}");
}

#[test]
fn a_schedule_sets_the_rate_of_each_update() {
    // inv:0.1 at update t = 11 (step 10 → 11): 1/(1 + 0.1·10) = 1/2, so η = 0.95/2.
    let e = explain_json(&words("--optimizer sgd --lr 0.95 --schedule inv:0.1"), "10");
    assert_eq!(e["hyperparameters"]["schedule"], "inv:0.1");
    assert_eq!(e["factor"], 0.5);
    assert_eq!(e["lr"].as_f64().unwrap(), 0.95 / 2.0);

    // SGD with η = 1 and exp:0.5 on the bowl: x ← x − s·x/10, so
    // x₁ = −7·0.9 = −6.3 and x₂ = −6.3·(1 − 0.5/10) = −5.985.
    let run = json(&words("trajectory --function elongated --optimizer sgd --lr 1 --start=-7,2 --steps 2 --schedule exp:0.5 --format json"));
    assert_eq!(run["schedule"], "exp:0.5");
    let x: Vec<f64> = (0..3)
        .map(|k| run["points"][k]["x"].as_f64().unwrap())
        .collect();
    assert!(close(x[1], -6.3) && close(x[2], -5.985), "{x:?}");

    // An optimizer written with its own schedule keeps it: constant, x₂ = −7·0.9·0.9 = −5.67.
    let csv = ok(&[
        "trajectory",
        "--function",
        "elongated",
        "--optimizer",
        "sgd(lr=1, schedule=constant)",
        "--start=-7,2",
        "--steps",
        "2",
        "--schedule",
        "exp:0.5",
    ]);
    let row: Vec<f64> = csv
        .lines()
        .nth(3)
        .unwrap()
        .split(',')
        .map(|c| c.parse().unwrap())
        .collect();
    assert!(close(row[1], -5.67), "{row:?}");

    // Without --schedule the output names none, as before.
    let plain = ok(&words(
        "trajectory --function elongated --optimizer sgd --format json",
    ));
    assert!(!plain.contains("schedule"), "{plain}");
}

/// The trajectory's JSON rows of a run, with `extra` flags.
fn rows(optimizer: &str, extra: &[&str]) -> Vec<Value> {
    let mut args = vec![
        "trajectory",
        "--function",
        "elongated",
        "--optimizer",
        optimizer,
        "--start=-7,2",
        "--steps",
        "12",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    json(&args)["points"].as_array().unwrap().clone()
}

#[test]
fn the_explained_update_is_the_trajectorys_own() {
    for optimizer in words("sgd(lr=0.95) momentum(lr=0.1) nesterov(lr=0.05) adagrad(lr=1.5) rmsprop(lr=0.1,decay-rate=0.9) adam(lr=0.3)") {
        for extra in [
            &[][..],
            &["--schedule", "cos:8"][..],
            &["--noise", "0.5", "--seed", "3"][..],
        ] {
            let points = rows(optimizer, extra);
            for step in [0usize, 4, 11] {
                let k = step.to_string();
                let mut args = vec![
                    "explain",
                    "--function",
                    "elongated",
                    "--optimizer",
                    optimizer,
                    "--start=-7,2",
                    "--step",
                    &k,
                    "--format",
                    "json",
                ];
                args.extend_from_slice(extra);
                let e = json(&args);
                let at = |k: usize, a: &str, b: &str| {
                    [
                        points[k][a].as_f64().unwrap(),
                        points[k][b].as_f64().unwrap(),
                    ]
                };
                let what = format!("{optimizer} {extra:?} step {step}");
                // The same bits: the point, the next point, and the gradient the update used.
                assert_eq!(pair(&e["point"]), at(step, "x", "y"), "{what}");
                assert_eq!(pair(&e["next"]), at(step + 1, "x", "y"), "{what}");
                if extra.contains(&"--noise") {
                    assert_eq!(pair(&e["gradient"]), at(step, "ngx", "ngy"), "{what}");
                    assert_eq!(pair(&e["noise"]["exact"]), at(step, "gx", "gy"), "{what}");
                    assert_eq!(e["noise"]["sigma"], 0.5, "{what}");
                } else {
                    assert_eq!(pair(&e["gradient"]), at(step, "gx", "gy"), "{what}");
                    assert!(e.get("noise").is_none(), "{what}");
                }
            }
        }
    }
}

#[test]
fn no_noise_is_the_plain_run_byte_for_byte() {
    for format in ["csv", "json"] {
        let base = [
            "trajectory",
            "--function",
            "rosenbrock",
            "--optimizer",
            "adam",
            "--lr",
            "0.1",
            "--steps",
            "50",
            "--format",
            format,
        ];
        let plain = gradscape(&base);
        let mut with = base.to_vec();
        with.extend_from_slice(&["--noise", "0", "--seed", "5"]);
        let zero = gradscape(&with);
        assert!(plain.status.success() && zero.status.success());
        assert_eq!(plain.stdout, zero.stdout, "{format}");
    }
}

/// The CSV rows of a noisy run as numbers (an empty cell as NaN).
fn noisy_csv(optimizer: &str, seed: &str) -> Vec<Vec<f64>> {
    let text = ok(&[
        "trajectory",
        "--function",
        "elongated",
        "--optimizer",
        optimizer,
        "--start=-7,2",
        "--steps",
        "10",
        "--noise",
        "0.5",
        "--seed",
        seed,
    ]);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("step,x,y,f,gx,gy,ngx,ngy"));
    lines
        .map(|l| {
            l.split(',')
                .map(|c| {
                    if c.is_empty() {
                        f64::NAN
                    } else {
                        c.parse().unwrap()
                    }
                })
                .collect()
        })
        .collect()
}

#[test]
fn noise_columns_hold_the_used_gradient_and_share_epsilon_between_optimizers() {
    let sgd = noisy_csv("sgd(lr=0.95)", "7");
    let adam = noisy_csv("adam(lr=0.3)", "7");
    assert_eq!(sgd.len(), 11);
    // The last point has no update leaving it: its two cells are empty.
    let last = &sgd[10];
    assert_eq!(last.len(), 8);
    assert!(last[6].is_nan() && last[7].is_nan() && last[1].is_finite());
    // ngx − gx = 0.5·ε: the same ε for both optimizers at the same row, though their
    // gradients differ after the first update.
    for k in 0..10 {
        for c in [0, 1] {
            let e_sgd = (sgd[k][6 + c] - sgd[k][4 + c]) / 0.5;
            let e_adam = (adam[k][6 + c] - adam[k][4 + c]) / 0.5;
            assert!(
                (e_sgd - e_adam).abs() < 1e-9,
                "row {k}: {e_sgd} vs {e_adam}"
            );
            assert!(e_sgd != 0.0);
        }
    }
    assert_ne!(sgd[1][4], adam[1][4]);
    // SGD moved by its noisy gradient: x₁ = x₀ − 0.95·ngx₀.
    assert_eq!(sgd[1][1], sgd[0][1] - 0.95 * sgd[0][6]);
    // Another seed, other draws.
    let other = noisy_csv("sgd(lr=0.95)", "8");
    assert_ne!(other[0][6], sgd[0][6]);

    // The JSON has the same names; the last point's are null.
    let points = rows("sgd(lr=0.95)", &["--noise", "0.5", "--seed", "7"]);
    assert_eq!(points[0]["ngx"].as_f64().unwrap(), sgd[0][6]);
    assert!(points[12]["ngx"].is_null() && points[12]["ngy"].is_null());
    assert!(rows("sgd(lr=0.95)", &[])[0].get("ngx").is_none());
}

#[test]
fn text_and_latex_show_the_books_numbers() {
    let base =
        words("explain --function elongated --optimizer sgd --lr 0.95 --start=-7,2 --step 0");
    let text = ok(&base);
    for words in [
        "SGD (lr=0.95), schedule constant",
        "step 0",
        "η = 0.95",
        "(-7, 2)",
        "(-0.7, 4)",
        "W_x ← W_x − η·∂f/∂x = -7 − 0.95 × (-0.7) = -6.335",
        "W_y ← W_y − η·∂f/∂y = 2 − 0.95 × 4 = -1.8",
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
    let mut latex_args = base.to_vec();
    latex_args.extend_from_slice(&["--format", "latex"]);
    let latex = ok(&latex_args);
    for words in [
        "\\begin{align*}",
        "W_x &\\leftarrow W_x - \\eta \\frac{\\partial L}{\\partial W_x} = -7 - 0.95 \\times (-0.7) = -6.335 \\\\",
        "= 2 - 0.95 \\times 4 = -1.8",
        "\\end{align*}",
    ] {
        assert!(latex.contains(words), "{words}: {latex}");
    }
    // Every line outside the block is a LaTeX comment, so the output pastes as it is.
    for line in latex.lines().take_while(|l| !l.starts_with("\\begin")) {
        assert!(line.starts_with('%'), "{line}");
    }

    // AdaGrad at step 0: h = 0.49 and 16, W = −7 − 1.5·(−0.7)/√0.49 = −5.5; the 1e-7 does not
    // change what is shown, so it is left out.
    let adagrad = words("explain --function elongated --optimizer adagrad --lr 1.5 --start=-7,2 --step 0 --format latex");
    let latex = ok(&adagrad);
    assert!(
        latex.contains("= 0 + (-0.7) \\times (-0.7) = 0.49"),
        "{latex}"
    );
    assert!(latex.contains("\\odot"), "{latex}");
    assert!(
        latex.contains("\\frac{-0.7}{\\sqrt{0.49}} = -5.5"),
        "{latex}"
    );
    assert!(!latex.contains("10^{-7}"), "{latex}");

    // Where √h is as small as 1e-7 it matters: on x² + y² from (5e-8, 1), g_x = 1e-7, h = 1e-14,
    // x = 5e-8 − 0.1·1e-7/(1e-7 + 1e-7) = −0.04999995, shown as −0.05.
    let tiny =
        words("explain --function sphere --optimizer adagrad --lr 0.1 --start=5e-8,1 --step 0");
    let text = ok(&tiny);
    assert!(
        text.contains("= 5e-8 − 0.1 × 1e-7 / (√(1e-14) + 1e-7) = -0.05"),
        "{text}"
    );
    assert!(text.contains("/ √4 = 0.9"), "{text}");
    let mut tiny_latex = tiny.to_vec();
    tiny_latex.extend_from_slice(&["--format", "latex"]);
    let latex = ok(&tiny_latex);
    assert!(
        latex.contains("\\frac{10^{-7}}{\\sqrt{10^{-14}} + 10^{-7}} = -0.05"),
        "{latex}"
    );
}

#[test]
fn schedules_reach_figures_and_networks() {
    let dir = std::env::temp_dir().join(format!("gradscape-schedule-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let svg = dir.join("fig.svg");
    ok(&[
        "figure",
        "--preset",
        "book-6-8",
        "--schedule",
        "inv:0.1",
        "--out",
        svg.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains("SGD, inv:0.1") && text.contains("Adam, inv:0.1"));
    std::fs::remove_dir_all(&dir).unwrap();

    let train = json(&words("train --dataset spiral --hidden 8 --iterations 5 --optimizer sgd --schedule cos:2 --format json"));
    assert_eq!(train["schedule"], "cos:2");

    // The member that names its own schedule keeps it; the other takes --schedule, and the two
    // columns get distinct names.
    let race = json(&words("compare --dataset spiral --hidden 8 --iterations 5 --optimizers sgd(lr=0.1),sgd(lr=0.1,schedule=constant) --schedule exp:0.5 --format json"));
    let members = race["optimizers"].as_array().unwrap();
    assert_eq!(members[0]["schedule"], "exp:0.5");
    assert!(members[1].get("schedule").is_none());
    assert_ne!(members[0]["name"], members[1]["name"]);
    // Same weights, same first batch, same first rate: the first losses agree, later ones not.
    assert_eq!(members[0]["loss"][0], members[1]["loss"][0]);
    assert_ne!(members[0]["loss"][4], members[1]["loss"][4]);
}

#[test]
fn bad_schedules_noise_and_steps_are_named() {
    let mut cases: Vec<(Vec<&str>, &str)> = Vec::new();
    for schedule in ["inv:-1", "step:0:0.5", "exp:NaN", "cos:0", ""] {
        for command in [
            &["trajectory", "--function", "sphere", "--optimizer", "sgd"][..],
            &["figure", "--out", "never.svg"][..],
            &words("train --dataset spiral --hidden 8 --optimizer sgd")[..],
            &["compare", "--dataset", "spiral", "--hidden", "8"][..],
            &words("explain --function sphere --optimizer sgd --step 0")[..],
        ] {
            let mut args = command.to_vec();
            args.extend_from_slice(&["--schedule", schedule]);
            cases.push((args, "--schedule"));
        }
    }
    cases.push((
        words("trajectory --function sphere --optimizer sgd --noise 1 --seed -1"),
        "--seed",
    ));
    cases.push((
        words("explain --function sphere --optimizer sgd(schedule=) --step 0"),
        "schedule",
    ));
    for noise in ["-1", "1e400", "nan"] {
        cases.push((
            vec![
                "trajectory",
                "--function",
                "sphere",
                "--optimizer",
                "sgd",
                "--noise",
                noise,
            ],
            "--noise",
        ));
        cases.push((
            vec![
                "explain",
                "--function",
                "sphere",
                "--optimizer",
                "sgd",
                "--step",
                "0",
                "--noise",
                noise,
            ],
            "--noise",
        ));
    }
    cases.push((
        words("trajectory --function sphere --optimizer sgd(schedule=inv:-1)"),
        "inv's k = -1",
    ));
    // SGD with η = 1e6 on the bowl leaves the finite numbers at update 25.
    let diverging = words("explain --function elongated --optimizer sgd --lr 1e6 --start=-7,2");
    for step in ["24", "40"] {
        let mut args = diverging.to_vec();
        args.extend_from_slice(&["--step", step]);
        cases.push((args, "diverged at update 25, so steps 0 to 23"));
    }
    cases.push((
        words("explain --function sphere --optimizer sgd --step 1000000"),
        "--step must be between 0 and 999999",
    ));
    cases.push((
        words("explain --function sphere --optimizer sgd --step -1"),
        "--step",
    ));
    cases.push((
        vec!["explain", "--function", "sphere", "--optimizer", "sgd"],
        "--step",
    ));
    cases.push((
        words("explain --function sphere --optimizer sgd --step 0 --format pdf"),
        "--format",
    ));
    for (args, words) in cases {
        let out = gradscape(&args);
        let err = stderr(&out);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(words), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    // The last step before the divergence is still explained.
    let mut args = diverging.to_vec();
    args.extend_from_slice(&["--step", "23"]);
    ok(&args);
}

#[test]
fn help_names_the_new_flags_and_command() {
    let top = ok(&["--help"]);
    assert!(top.contains("explain"), "{top}");
    let trajectory = ok(&["trajectory", "--help"]);
    for flag in ["--schedule", "--noise", "--seed", "inv:k", "ngx,ngy"] {
        assert!(trajectory.contains(flag), "{flag}: {trajectory}");
    }
    for command in ["figure", "train", "compare"] {
        let help = ok(&[command, "--help"]);
        assert!(help.contains("--schedule"), "{command}: {help}");
    }
    let explain = ok(&["explain", "--help"]);
    for flag in ["--step", "--format", "latex", "--noise", "--schedule"] {
        assert!(explain.contains(flag), "{flag}: {explain}");
    }
}
