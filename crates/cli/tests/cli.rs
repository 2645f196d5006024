//! The `gradscape` command as a user runs it: its output for the book's Figure 6-8 and the
//! messages it gives for bad input.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed, and should say so loudly

use std::process::Output;

mod common;

use common::{assert_well_formed, gradscape, stderr, stdout, words};

#[test]
fn csv_has_the_book_numbers() {
    let out = gradscape(&words(
        "trajectory --function elongated --optimizer momentum --lr 0.1 --start=-7,2 --steps 30",
    ));
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "step,x,y,f,gx,gy");
    assert_eq!(lines.len(), 32);
    // Step 0 is the start: f(−7, 2) = 49/20 + 4 = 6.45, ∇f = (−0.7, 4).
    assert_eq!(lines[1], "0,-7,2,6.45,-0.7,4");
    let last: Vec<f64> = lines[31].split(',').map(|c| c.parse().unwrap()).collect();
    assert_eq!(last[0], 30.0);
    assert_eq!(last[1], 0.896413858493733);
    assert_eq!(last[2], 0.08808560171506971);
}

#[test]
fn json_carries_the_run_and_its_settings() {
    let out = gradscape(&[
        "trajectory",
        "--function",
        "x^2/20 + y^2",
        "--optimizer",
        "adagrad",
        "--lr",
        "1.5",
        "--start",
        "-7,2",
        "--steps",
        "30",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["optimizer"], "adagrad");
    assert_eq!(json["hyperparameters"]["lr"], 1.5);
    assert_eq!(json["diverged_at"], serde_json::Value::Null);
    let points = json["points"].as_array().unwrap();
    assert_eq!(points.len(), 31);
    assert_eq!(points[30]["x"], -0.12016232231416045);
    // The typed-in form's exact gradient (2x/20 = x/10, 2y) follows the book to the last bit.
    assert_eq!(points[30]["y"], 2.486389893984459e-17);
}

#[test]
fn divergence_keeps_the_finite_rows_and_says_where() {
    // SGD with lr 1.5 on the bowl doubles |y| each step; f = y² overflows at step 511.
    let out = gradscape(&words(
        "trajectory --function elongated --optimizer sgd --lr 1.5 --start=0,2 --steps 1000",
    ));
    assert!(out.status.success());
    assert_eq!(stdout(&out).lines().count(), 1 + 511);
    assert!(
        stderr(&out).contains("diverged at step 511"),
        "{}",
        stderr(&out)
    );
    assert!(!stdout(&out).contains("inf") && !stdout(&out).contains("NaN"));
}

#[test]
fn functions_lists_every_surface() {
    let out = gradscape(&["functions", "--format", "json"]);
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    for id in words("sphere elongated rosenbrock beale himmelblau saddle monkey-saddle booth three-hump-camel rastrigin ackley goldstein-price") {
        assert!(ids.contains(&id), "{id} missing");
    }
    assert!(stdout(&gradscape(&["functions"])).contains("rosenbrock"));
}

#[test]
fn figure_writes_svg_and_png() {
    let dir = std::env::temp_dir().join(format!("gradscape-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let svg = dir.join("fig.svg");
    let out = gradscape(&[
        "figure",
        "--preset",
        "book-6-8",
        "--out",
        svg.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&svg).unwrap();
    for title in ["SGD", "Momentum", "AdaGrad", "Adam"] {
        assert!(
            text.contains(&format!("\n{title}\n")),
            "{title} panel title missing"
        );
    }
    // Each panel's path: 30 red circles (the book's 'o-').
    assert_eq!(text.matches("<circle").count(), 4 * 30);

    let png = dir.join("slide.png");
    let out = gradscape(&[
        "figure",
        "--function",
        "himmelblau",
        "--optimizers",
        "sgd(lr=0.01),adam(lr=0.1)",
        "--start",
        "0,0;-1,-1",
        "--steps",
        "100",
        "--out",
        png.to_str().unwrap(),
        "--width",
        "800",
        "--height",
        "400",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    // IHDR: width and height as big-endian u32 at bytes 16..24.
    assert_eq!(&bytes[16..24], &[0, 0, 3, 32, 0, 0, 1, 144]);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_input_gets_one_clear_line_and_a_failure_status() {
    // Each command line is split at spaces; none of these arguments contains one.
    let cases = [
        ("trajectory --function 2x --optimizer sgd", "write 2*x"),
        ("trajectory --function sin(x --optimizer sgd", "column"),
        (
            "trajectory --function sphere --optimizer newton",
            "unknown optimizer",
        ),
        (
            "trajectory --function sphere --optimizer sgd --lr 0",
            "above 0",
        ),
        (
            "trajectory --function sphere --optimizer sgd --lr nan",
            "above 0",
        ),
        (
            "trajectory --function sphere --optimizer sgd --lr abc",
            "--lr",
        ),
        (
            "trajectory --function sphere --optimizer adam --beta1 1",
            "below 1",
        ),
        (
            "trajectory --function sphere --optimizer sgd --momentum 0.9",
            "no hyperparameter",
        ),
        (
            "trajectory --function sphere --optimizer sgd --steps 0",
            "between 1 and 1000000",
        ),
        (
            "trajectory --function sphere --optimizer sgd --steps 1000001",
            "between 1 and 1000000",
        ),
        (
            "trajectory --function sphere --optimizer sgd --steps -5",
            "--steps",
        ),
        (
            "trajectory --function sphere --optimizer sgd --start=1,nan",
            "finite",
        ),
        (
            "trajectory --function sphere --optimizer sgd --start=1e999,0",
            "finite",
        ),
        (
            "trajectory --function ln(x) --optimizer sgd --start=-1,0",
            "not a finite number",
        ),
        ("trajectory --nope", "--nope"),
        ("figure --out fig.txt", ".svg or .png"),
        ("figure --out /no/such/folder/fig.svg", "does not exist"),
        ("figure --out f.svg --view 1,0,0,1", "xmin < xmax"),
        (
            "figure --out f.svg --view=-1e308,1e308,-1,1",
            "x range, -1e308 to 1e308, is wider than",
        ),
        ("figure --out f.svg --width 0", "--width"),
        ("figure --out f.svg --optimizers sgd(lr=1", "closing ')'"),
        ("wibble", "wibble"),
        (
            "train --dataset spiral --hidden 5x --optimizer sgd",
            "'5x' is not a number",
        ),
        (
            "train --dataset spiral --hidden 8,0 --optimizer sgd",
            "at least 1 unit",
        ),
        (
            "train --dataset spiral --hidden 4000,4000,4000 --optimizer sgd",
            "more than 16000000 weights",
        ),
        (
            "train --dataset spiral --hidden 123456789 --optimizer sgd",
            "at most 100000 units",
        ),
        (
            "train --dataset spiral --hidden 8 --optimizer sgd --batch 0",
            "--batch must be between 1 and 100000",
        ),
        (
            "train --dataset spiral --hidden 8 --optimizer sgd --iterations 0",
            "--iterations must be between 1 and 1000000",
        ),
        (
            "train --dataset spiral --hidden 8 --optimizer sgd --iterations -3",
            "--iterations",
        ),
        (
            "train --dataset spiral --data d.csv --hidden 8 --optimizer sgd",
            "cannot be used with",
        ),
        (
            "train --hidden 8 --optimizer sgd",
            "--dataset <NAME>|--data",
        ),
        ("train --dataset spiral --optimizer sgd", "--hidden"),
        (
            "train --dataset spirals --hidden 8 --optimizer sgd",
            "unknown dataset 'spirals'",
        ),
        (
            "train --dataset spiral --hidden 8 --optimizer sgd --init std:-1",
            "--init",
        ),
        (
            "train --dataset spiral --hidden 8 --optimizer sgd --activation tanh",
            "relu, sigmoid",
        ),
        (
            "train --dataset spiral --hidden 8 --optimizer adam --lr 0",
            "above 0",
        ),
        (
            "train --dataset spiral --hidden 8 --optimizer sgd --save-weights /no/such/w.json",
            "does not exist",
        ),
        (
            "compare --dataset spiral --hidden 8 --optimizers sgd,newton",
            "unknown optimizer 'newton'",
        ),
        (
            "compare --dataset spiral --hidden 8 --out loss.pdf",
            ".svg or .png",
        ),
        ("loss --weights w.json", "--data"),
        (
            "gradcheck --weights /no/such/w.json --data /no/such/d.csv",
            "/no/such/w.json: could not be read",
        ),
    ];
    for (line, words) in cases {
        let args: Vec<&str> = line.split_whitespace().collect();
        let out = gradscape(&args);
        let err = stderr(&out);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(words), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

/// A fresh folder for one test's files.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("gradscape-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn path_str(p: &std::path::Path) -> &str {
    p.to_str().unwrap()
}

fn json(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "{}", stderr(o));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn numbers(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// 2 inputs → 2 ReLU → 2 classes, W1 = [[1, −1], [0.5, 2]], b1 = [0, −1], W2 = [[1, 0], [−1, 1]],
/// b2 = [0.5, 0], and the examples (1, 2) → 1 and (−1, 1) → 0.
///
/// By hand: the hidden layer gives (2, 2) and (0, 2) (the second example's first unit is −0.5,
/// cut by ReLU), the scores (0.5, 2) and (−1.5, 2), so the right classes have probabilities
/// σ(1.5) = 1 − a and 1 − c, with a = σ(−1.5) = 1/(1 + e^1.5) and c = σ(3.5) = 1/(1 + e^−3.5).
const HAND_WEIGHTS: &str = r#"{"layers": [
  {"W": [[1, -1], [0.5, 2]], "b": [0, -1], "activation": "relu"},
  {"W": [[1, 0], [-1, 1]], "b": [0.5, 0], "activation": "none"}
]}"#;
const HAND_DATA: &str = "x1,x2,label\n1,2,1\n-1,1,0\n";

fn hand_files(dir: &std::path::Path) -> (String, String) {
    let w = dir.join("hand.json");
    let d = dir.join("hand.csv");
    std::fs::write(&w, HAND_WEIGHTS).unwrap();
    std::fs::write(&d, HAND_DATA).unwrap();
    (path_str(&w).to_string(), path_str(&d).to_string())
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn loss_and_gradients_of_a_hand_worked_network() {
    let dir = scratch("hand");
    let (w, d) = hand_files(&dir);
    let a = 1.0 / (1.0 + 1.5f64.exp());
    let c = 1.0 / (1.0 + (-3.5f64).exp());
    // The book's cross-entropy, −ln(y + 1e-7), averaged over the two examples.
    let loss = (-(1.0 / (1.0 + (-1.5f64).exp()) + 1e-7).ln()
        - (1.0 / (1.0 + 3.5f64.exp()) + 1e-7).ln())
        / 2.0;
    assert!(close(loss, 1.865580081201494, 1e-15));

    let out = json(&gradscape(&[
        "loss",
        "--weights",
        &w,
        "--data",
        &d,
        "--gradients",
    ]));
    assert_eq!(out["examples"], 2);
    assert!(close(out["loss"].as_f64().unwrap(), loss, 1e-14));
    // Backward by hand: softmax-with-loss gives (y − t)/2 per example, d1 = (a, −a)/2 and
    // d2 = (−c, c)/2; dW2 = h1ᵀd1 + h2ᵀd2 with h1 = (2, 2), h2 = (0, 2); back through W2 and the
    // ReLU mask, dh1 = (a/2, −a), dh2 = (0, c); dW1 = x1ᵀdh1 + x2ᵀdh2.
    let g = &out["gradients"];
    let expect = [
        (&g[0]["W"][0], vec![a / 2.0, -a - c]),
        (&g[0]["W"][1], vec![a, c - 2.0 * a]),
        (&g[0]["b"], vec![a / 2.0, c - a]),
        (&g[1]["W"][0], vec![a, -a]),
        (&g[1]["W"][1], vec![a - c, c - a]),
        (&g[1]["b"], vec![(a - c) / 2.0, (c - a) / 2.0]),
    ];
    for (got, want) in expect {
        let got = numbers(got);
        assert_eq!(got.len(), want.len());
        for (x, y) in got.iter().zip(&want) {
            assert!(close(*x, *y, 1e-15), "{got:?} against {want:?}");
        }
    }
    let db2 = numbers(&g[1]["b"]);
    assert!(close(db2[0], -0.39413112272114365, 1e-15));
    assert!(close(db2[1], 0.39413112272114365, 1e-15));

    // Without --gradients there are none; CSV gives one number per row.
    let plain = json(&gradscape(&["loss", "--weights", &w, "--data", &d]));
    assert!(plain.get("gradients").is_none());
    let out = gradscape(&[
        "loss",
        "--weights",
        &w,
        "--data",
        &d,
        "--gradients",
        "--format",
        "csv",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "name,row,column,value");
    assert!(lines[1].starts_with("loss,,,"));
    assert_eq!(lines.len(), 2 + 2 * (4 + 2));
    let value = |prefix: &str| -> f64 {
        let line = lines.iter().find(|l| l.starts_with(prefix)).unwrap();
        line.rsplit(',').next().unwrap().parse().unwrap()
    };
    assert!(close(value("loss,"), loss, 1e-14));
    assert!(close(value("dW1,1,2,"), -a - c, 1e-15));
    assert!(close(value("db2,,1,"), (a - c) / 2.0, 1e-15));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn gradcheck_sees_the_books_log_epsilon() {
    // Backpropagation differentiates −ln(y), the numerical gradient −ln(y + 1e-7): for the bias of
    // the last layer they differ by (δ − p)·ε/(p_t + ε) per example. Here p_t is 1 − a and 1 − c,
    // so the mean |difference| over b2's two entries is |c·ε/(1 − c + ε) − a·ε/(1 − a + ε)| / 2,
    // about 1.6e-6; central differences with h = 1e-4 add errors near 1e-9.
    let dir = scratch("check");
    let (w, d) = hand_files(&dir);
    let (a, c, eps) = (
        1.0 / (1.0 + 1.5f64.exp()),
        1.0 / (1.0 + (-3.5f64).exp()),
        1e-7,
    );
    let b2 = (c * eps / (1.0 - c + eps) - a * eps / (1.0 - a + eps)).abs() / 2.0;
    let out = json(&gradscape(&[
        "gradcheck",
        "--weights",
        &w,
        "--data",
        &d,
        "--format",
        "json",
    ]));
    assert_eq!(out["examples"], 2);
    let arrays = out["arrays"].as_array().unwrap();
    let names: Vec<&str> = arrays.iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["W1", "b1", "W2", "b2"]);
    assert_eq!(arrays[0]["shape"], serde_json::json!([2, 2]));
    assert_eq!(arrays[1]["shape"], serde_json::json!([2]));
    let got = arrays[3]["mean_abs_difference"].as_f64().unwrap();
    assert!(close(got, b2, 1e-8), "{got} against {b2}");

    let out = gradscape(&["gradcheck", "--weights", &w, "--data", &d]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for name in ["W1", "b1", "W2", "b2"] {
        assert!(
            text.lines().any(|l| l.starts_with(&format!("{name} "))),
            "{text}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// Two classes split by the sign of x1 · x2, four points each.
const TINY_DATA: &str = "\
x1,x2,label
1,1,1
2,0.5,1
-1,-1,1
-0.5,-2,1
1,-1,0
2,-0.5,0
-1,1,0
-0.5,2,0
";

#[test]
fn train_on_a_csv_then_read_the_weights_back() {
    let dir = scratch("tiny");
    let data = dir.join("tiny.csv");
    std::fs::write(&data, TINY_DATA).unwrap();
    let weights = dir.join("net.json");
    let args = [
        "train",
        "--data",
        path_str(&data),
        "--hidden",
        "6",
        "--activation",
        "sigmoid",
        "--init",
        "std:0.01",
        "--optimizer",
        "adam",
        "--lr",
        "0.05",
        "--batch",
        "8",
        "--iterations",
        "300",
        // The labels are XOR's: from some starts the net settles on a plateau that gets six of
        // the eight right (seeds 0, 3 and 7 here); from this one it finds all eight.
        "--seed",
        "2",
        "--save-weights",
        path_str(&weights),
    ];
    let out = gradscape(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "iteration,loss");
    assert_eq!(lines.len(), 1 + 300);
    assert!(lines[1].starts_with("0,") && lines[300].starts_with("299,"));
    // With weights of σ = 0.01 every score starts near 0: the loss of guessing, ln 2. The two
    // scores differ by d (σ_d = 0.01·√(6·2)·½ ≈ 0.017, the hidden units near ½), the same for
    // every example, and the batch is drawn with replacement (as the book's
    // np.random.choice), so its labels need not balance: the loss is ln 2 ± d/2, within 0.02.
    let first: f64 = lines[1].split(',').nth(1).unwrap().parse().unwrap();
    assert!(close(first, 2f64.ln(), 0.02), "{first}");
    assert!(stderr(&out).contains("train accuracy"));

    let mut with_json = args.to_vec();
    with_json.extend(["--format", "json"]);
    let run = json(&gradscape(&with_json));
    assert_eq!(run["dataset"], path_str(&data));
    assert_eq!(run["train_examples"], 8);
    assert_eq!(run["test_examples"], serde_json::Value::Null);
    assert_eq!(run["test_accuracy"], serde_json::Value::Null);
    assert_eq!(run["train_accuracy"], 1.0);
    assert_eq!(run["hidden"], serde_json::json!([6]));
    assert_eq!(run["hyperparameters"]["lr"], 0.05);
    assert_eq!(numbers(&run["loss"]).len(), 300);

    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&weights).unwrap()).unwrap();
    let layers = saved["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 2);
    assert_eq!(layers[0]["activation"], "sigmoid");
    assert_eq!(layers[1]["activation"], "none");
    assert_eq!(layers[0]["W"].as_array().unwrap().len(), 2);
    assert_eq!(layers[1]["b"].as_array().unwrap().len(), 2);

    let w = path_str(&weights);
    let d = path_str(&data);
    let loss = json(&gradscape(&["loss", "--weights", w, "--data", d]));
    let loss = loss["loss"].as_f64().unwrap();
    assert!(loss < 0.5 * 2f64.ln(), "{loss}");
    let check = json(&gradscape(&[
        "gradcheck",
        "--weights",
        w,
        "--data",
        d,
        "--format",
        "json",
    ]));
    for array in check["arrays"].as_array().unwrap() {
        let diff = array["mean_abs_difference"].as_f64().unwrap();
        assert!(diff < 1e-6, "{array}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_seed_repeats_a_run() {
    let run = |seed: &str| {
        let out = json(&gradscape(&[
            "train",
            "--dataset",
            "moons",
            "--hidden",
            "8,8",
            "--optimizer",
            "momentum",
            "--batch",
            "20",
            "--iterations",
            "40",
            "--seed",
            seed,
            "--format",
            "json",
        ]));
        numbers(&out["loss"])
    };
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    let a = run("7");
    assert_eq!(a.len(), 40);
    assert_eq!(bits(&a), bits(&run("7")));
    assert_ne!(bits(&a), bits(&run("8")));
}

#[test]
fn adam_learns_the_spiral() {
    let out = json(&gradscape(&words("train --dataset spiral --hidden 32,32 --optimizer adam --lr 0.01 --batch 50 --iterations 2000 --format json")));
    let train = out["train_accuracy"].as_f64().unwrap();
    assert!(train >= 0.95, "{train}");
    // A fifth of the 300 points is held out.
    assert_eq!(out["train_examples"], 240);
    assert_eq!(out["test_examples"], 60);
    assert!(out["test_accuracy"].as_f64().is_some());
    assert_eq!(out["diverged_at"], serde_json::Value::Null);
}

#[test]
fn a_diverging_run_keeps_its_finite_losses() {
    let out = json(&gradscape(&words(
        "train --dataset blobs --hidden 8 --optimizer sgd --lr 1e300 --iterations 50 --format json",
    )));
    let at = out["diverged_at"].as_u64().unwrap() as usize;
    // One loss per iteration before the one that stopped being finite.
    assert_eq!(numbers(&out["loss"]).len(), at);
    assert!(at < 50);
}

#[test]
fn compare_races_the_books_four_optimizers() {
    let dir = scratch("compare");
    let base = words("compare --dataset xor --hidden 10 --batch 30 --iterations 60");
    let out = gradscape(&base);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "iteration,SGD,Momentum,AdaGrad,Adam");
    assert_eq!(lines.len(), 1 + 60);
    // Same initial weights and the same first batch: every optimizer's first loss is the same.
    let first: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(first[0], "0");
    assert!(first[1..].iter().all(|l| *l == first[1]), "{}", lines[1]);

    let mut with_json = base.to_vec();
    with_json.extend(["--format", "json"]);
    let race = json(&gradscape(&with_json));
    let members = race["optimizers"].as_array().unwrap();
    // The book's default learning rates (optimizer_compare_mnist.py).
    let rates: Vec<(&str, f64)> = members
        .iter()
        .map(|m| {
            (
                m["name"].as_str().unwrap(),
                m["hyperparameters"]["lr"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rates,
        [
            ("SGD", 0.01),
            ("Momentum", 0.01),
            ("AdaGrad", 0.01),
            ("Adam", 0.001)
        ]
    );
    for m in members {
        assert_eq!(numbers(&m["loss"]).len(), 60);
        assert!(m["train_accuracy"].as_f64().is_some());
        assert!(m["test_accuracy"].as_f64().is_some());
        assert_eq!(m["diverged_at"], serde_json::Value::Null);
    }

    let svg = dir.join("loss.svg");
    let mut args = base.to_vec();
    args.extend(["--out", path_str(&svg)]);
    let out = gradscape(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "--out alone prints no data");
    let text = std::fs::read_to_string(&svg).unwrap();
    assert_well_formed(&text);
    for label in ["SGD", "Momentum", "AdaGrad", "Adam", "iterations", "loss"] {
        assert!(text.contains(&format!("\n{label}\n")), "{label} missing");
    }

    let png = dir.join("loss.png");
    let mut args = base.to_vec();
    args.extend([
        "--optimizers",
        "sgd(lr=0.1),adam(lr=0.01)",
        "--out",
        path_str(&png),
        "--width",
        "640",
        "--height",
        "480",
        "--format",
        "csv",
    ]);
    let out = gradscape(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("iteration,SGD,Adam\n"));
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    // IHDR: width and height as big-endian u32 at bytes 16..24: 640 = 2·256 + 128, 480 = 256 + 224.
    assert_eq!(&bytes[16..24], &[0, 0, 2, 128, 0, 0, 1, 224]);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_files_name_the_file_row_and_column() {
    let dir = scratch("bad");
    let (hand_w, hand_d) = hand_files(&dir);
    let file = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        path_str(&p).to_string()
    };
    let not_a_number = file("nan-cell.csv", "a,b,label\n1,2,0\n1,x,1\n");
    let short_row = file("short.csv", "a,b,label\n1,2,0\n3,4\n");
    let no_label = file("no-label.csv", "a,b\n1,2\n");
    let nan = file("nan.csv", "a,b,label\n1,NaN,0\n");
    let empty = file("empty.csv", "");
    let header_only = file("header.csv", "a,b,label\n");
    let bad_label = file("label.csv", "a,b,label\n1,2,1.5\n");
    let three_features = file("three.csv", "a,b,c,label\n1,2,3,0\n");
    let class_2 = file("class2.csv", "x1,x2,label\n1,2,1\n\n-1,1,2\n");
    let bad_json = file("cut.json", "{\"layers\": [\n  {\"W\": [[1, 2]");
    let nan_json = file("nan.json", "{\"layers\": [{\"W\": [[NaN]], \"b\": [0]}]}");
    let ragged = file(
        "ragged.json",
        r#"{"layers": [{"W": [[1, 2], [3]], "b": [0, 0], "activation": "none"}]}"#,
    );
    let chained = file(
        "chain.json",
        r#"{"layers": [{"W": [[1], [2]], "b": [0], "activation": "relu"},
                       {"W": [[1, 2], [3, 4]], "b": [0, 0], "activation": "none"}]}"#,
    );
    let missing = dir.join("missing.csv");
    let missing = path_str(&missing).to_string();

    let train = |data: &str| -> Vec<String> {
        [
            "train",
            "--data",
            data,
            "--hidden",
            "4",
            "--optimizer",
            "sgd",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let loss = |w: &str, d: &str| -> Vec<String> {
        ["loss", "--weights", w, "--data", d]
            .iter()
            .map(|s| s.to_string())
            .collect()
    };
    let cases: Vec<(Vec<String>, &str, &str)> = vec![
        (
            train(&not_a_number),
            &not_a_number,
            "row 3, column 2: 'x' (b) is not a number",
        ),
        (
            train(&short_row),
            &short_row,
            "row 3, column 3: 2 values where the header has 3 columns",
        ),
        (train(&no_label), &no_label, "row 1, column 2"),
        (train(&nan), &nan, "row 2, column 2: b is NaN"),
        (train(&empty), &empty, "empty"),
        (train(&header_only), &header_only, "no examples"),
        (
            train(&bad_label),
            &bad_label,
            "row 2, column 3: label '1.5'",
        ),
        (train(&missing), &missing, "could not be read"),
        (
            loss(&hand_w, &three_features),
            &three_features,
            "row 1, column 3: the data has 3 feature columns but the network",
        ),
        (
            loss(&hand_w, &class_2),
            &class_2,
            "row 4, column 3: label 2 is not one of the 2 classes",
        ),
        (loss(&hand_w, &nan), &nan, "row 2, column 2"),
        // The file stops after the 15th character of its second line.
        (
            loss(&bad_json, &hand_d),
            &bad_json,
            "line 2, column 15: EOF while parsing",
        ),
        // JSON has no NaN: the N is the 21st character.
        (
            loss(&nan_json, &hand_d),
            &nan_json,
            "line 1, column 21: expected value",
        ),
        (
            loss(&ragged, &hand_d),
            &ragged,
            "layer 1: W row 2 has 1 numbers but b has 2",
        ),
        (
            loss(&chained, &hand_d),
            &chained,
            "layer 2: W has 2 rows but the layer before has 1 outputs",
        ),
        (loss(&missing, &hand_d), &missing, "could not be read"),
    ];
    for (args, name, words) in cases {
        let out = gradscape(&args.iter().map(String::as_str).collect::<Vec<_>>());
        let err = stderr(&out);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(&format!("{name}: ")), "{args:?}: {err}");
        assert!(err.contains(words), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    std::fs::remove_dir_all(&dir).ok();
}
