//! The `gradscape` command as a user runs it: its output for the book's Figure 6-8 and the
//! messages it gives for bad input.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed, and should say so loudly

use std::process::{Command, Output};

fn gradscape(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gradscape"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn csv_has_the_book_numbers() {
    let out = gradscape(&[
        "trajectory",
        "--function",
        "elongated",
        "--optimizer",
        "momentum",
        "--lr",
        "0.1",
        "--start=-7,2",
        "--steps",
        "30",
    ]);
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
    let out = gradscape(&[
        "trajectory",
        "--function",
        "elongated",
        "--optimizer",
        "sgd",
        "--lr",
        "1.5",
        "--start=0,2",
        "--steps",
        "1000",
    ]);
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
    for id in [
        "sphere",
        "elongated",
        "rosenbrock",
        "beale",
        "himmelblau",
        "saddle",
        "monkey-saddle",
        "booth",
        "three-hump-camel",
        "rastrigin",
        "ackley",
        "goldstein-price",
    ] {
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
        ("figure --out f.svg --width 0", "--width"),
        ("figure --out f.svg --optimizers sgd(lr=1", "closing ')'"),
        ("wibble", "wibble"),
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
