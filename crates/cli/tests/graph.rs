//! `gradscape graph` as a user runs it: the computational graphs of the book's chapter 5, with
//! numbers a reader can check by hand, and a saved network's layers on one example.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed, and should say so loudly

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

mod common;

use common::{assert_well_formed, gradscape, json, ok, stderr, stdout, words};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

/// The node of the input with this name.
fn input<'a>(graph: &'a Value, name: &str) -> &'a Value {
    graph["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["op"] == "input" && n["label"] == name)
        .unwrap_or_else(|| panic!("no input {name}"))
}

/// f, the output node's value.
fn output_value(graph: &Value) -> f64 {
    let id = graph["output"].as_u64().unwrap();
    let node = graph["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"].as_u64() == Some(id))
        .unwrap();
    node["value"].as_f64().unwrap()
}

fn apple(format: &str) -> Vec<&str> {
    vec![
        "graph",
        "--function",
        "apple*apple_num*tax",
        "--inputs",
        "apple=100,apple_num=2,tax=1.1",
        "--format",
        format,
    ]
}

/// Figure 5-3 and 5-16: 2 apples of 100 with a tax of 1.1 cost 220; backward, ∂f/∂apple =
/// apple_num·tax = 2.2, ∂f/∂apple_num = apple·tax = 110, ∂f/∂tax = apple·apple_num = 200.
#[test]
fn the_apple_graph_has_the_books_numbers() {
    let g = json(&apple("json"));
    assert!(close(output_value(&g), 220.0, 1e-9), "{g}");
    for (name, value, grad) in [
        ("apple", 100.0, 2.2),
        ("apple_num", 2.0, 110.0),
        ("tax", 1.1, 200.0),
    ] {
        let node = input(&g, name);
        assert_eq!(node["value"].as_f64().unwrap(), value, "{name}");
        assert!(
            close(node["grad"].as_f64().unwrap(), grad, 1e-9),
            "{name}: {node}"
        );
        assert!(
            close(node["numerical"].as_f64().unwrap(), grad, 1e-6),
            "{name}: {node}"
        );
    }
    // The contract: every node has id, op, label, inputs (ids), value and grad.
    let nodes = g["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 5);
    for node in nodes {
        for key in ["id", "op", "label", "inputs", "value", "grad"] {
            assert!(node.get(key).is_some(), "{key} missing in {node}");
        }
        for id in node["inputs"].as_array().unwrap() {
            assert!(id.as_u64().unwrap() < nodes.len() as u64);
        }
    }
    let muls = nodes.iter().filter(|n| n["op"] == "mul").count();
    assert_eq!(muls, 2);
    // --book gives the same graph.
    let book = json(&words("graph --book apple --format json"));
    assert_eq!(book["nodes"], g["nodes"]);
}

/// Figure 5-17: (100·2 + 150·3)·1.1 = 715; backward 2.2, 110, 3.3, 165 and 650 for the tax.
#[test]
fn the_apple_and_orange_graph_has_the_books_numbers() {
    let g = json(&[
        "graph",
        "--function",
        "(apple*apple_num + orange*orange_num)*tax",
        "--inputs",
        "apple=100,apple_num=2,orange=150,orange_num=3,tax=1.1",
        "--format",
        "json",
    ]);
    assert!(close(output_value(&g), 715.0, 1e-9), "{g}");
    for (name, grad) in [
        ("apple", 2.2),
        ("apple_num", 110.0),
        ("orange", 3.3),
        ("orange_num", 165.0),
        ("tax", 650.0),
    ] {
        let got = input(&g, name)["grad"].as_f64().unwrap();
        assert!(close(got, grad, 1e-9), "{name}: {got}");
    }
    let book = json(&words("graph --book apple-orange --format json"));
    assert_eq!(book["nodes"], g["nodes"]);
    // --inputs changes a book value: 3 apples cost (300 + 450)·1.1 = 825.
    let more = json(&words(
        "graph --book apple-orange --inputs apple_num=3 --format json",
    ));
    assert!(close(output_value(&more), 825.0, 1e-9));
    assert!(close(
        input(&more, "apple")["grad"].as_f64().unwrap(),
        3.3,
        1e-9
    ));
}

/// f = x²/20 + y² at (−7, 2): the inputs' gradients are the book's df = (x/10, 2y) = (−0.7, 4),
/// exactly, the same bits as the gradient the optimizers take.
#[test]
fn a_surfaces_graph_gives_its_gradient_on_x_and_y() {
    let g = json(&words("graph --function elongated --at=-7,2 --format json"));
    assert_eq!(g["formula"], "x^2/20 + y^2");
    assert_eq!(input(&g, "x")["grad"].as_f64().unwrap(), -0.7);
    assert_eq!(input(&g, "y")["grad"].as_f64().unwrap(), 4.0);
    assert_eq!(input(&g, "x")["value"].as_f64().unwrap(), -7.0);
    assert!(close(output_value(&g), 6.45, 1e-12));
    // Written --at -7,2, the same.
    let spaced = json(&[
        "graph",
        "--function",
        "elongated",
        "--at",
        "-7,2",
        "--format",
        "json",
    ]);
    assert_eq!(spaced, g);
}

/// Figure 5-19: σ(x) = 1/(1 + exp(−x)); at x = 0.5, y = σ(0.5) and dy/dx = y(1 − y).
#[test]
fn the_sigmoid_graph_gives_y_times_one_minus_y() {
    let g = json(&words("graph --book sigmoid --format json"));
    let y = 1.0 / (1.0 + (-0.5f64).exp());
    assert!(close(output_value(&g), y, 1e-15));
    let dx = input(&g, "x")["grad"].as_f64().unwrap();
    assert!(close(dx, y * (1.0 - y), 1e-15), "{dx}");
    // --at moves the book's x.
    let g = json(&words("graph --book sigmoid --at=2,0 --format json"));
    assert_eq!(input(&g, "x")["value"].as_f64().unwrap(), 2.0);
}

#[test]
fn the_table_rounds_as_the_page_does() {
    let text = ok(&apple("text"));
    let first = text.lines().next().unwrap();
    assert!(first.contains("220"), "{text}");
    assert!(!text.contains("220.0000"), "{text}");
    let header = text
        .lines()
        .find(|l| l.starts_with("id "))
        .unwrap_or_else(|| panic!("no header row in\n{text}"));
    for column in ["op", "label", "inputs", "value", "grad", "numerical"] {
        assert!(header.contains(column), "{header}");
    }
    // One row per node; the row of tax shows its gradient 200 and its numerical check.
    let tax = text
        .lines()
        .find(|l| l.contains(" input ") && l.contains(" tax "))
        .unwrap_or_else(|| panic!("no tax row in\n{text}"));
    let cells: Vec<&str> = tax.split_whitespace().collect();
    assert_eq!(cells[1..], ["input", "tax", "-", "1.1", "200", "200"]);
    // Columns are aligned: each value ends where the header's "value" does.
    let end = header.find("value").unwrap() + "value".len();
    for line in text.lines().filter(|l| l.contains(" input ")) {
        let before = &line[..line.char_indices().nth(end).map_or(line.len(), |(i, _)| i)];
        assert!(before.ends_with(|c: char| c.is_ascii_digit()), "{line:?}");
    }
}

/// The DOT is read by Graphviz itself. Graphviz is required (Debian: `apt-get install graphviz`);
/// set GRADSCAPE_SKIP_GRAPHVIZ=1 to skip this test where it cannot be installed.
#[test]
fn dot_output_is_accepted_by_graphviz() {
    let dot = ok(&apple("dot"));
    assert!(dot.starts_with("digraph"), "{dot}");
    assert!(dot.contains("rankdir=LR"));
    assert!(dot.contains("shape=circle") && dot.contains("label=\"×\""));
    assert!(dot.contains("n0 [shape=box, label=\"apple\"]"), "{dot}");
    // The edge from apple carries 100 forward and 2.2 backward; f's arrow 220 and 1.
    assert!(
        dot.contains("n0 -> n2 [label=<100<br/><font color=\"#c0392b\">2.2</font>>]"),
        "{dot}"
    );
    assert!(
        dot.contains("<220<br/>") && dot.contains(">1</font>"),
        "{dot}"
    );
    // Unicode labels: the minus sign of a negative constant, π.
    let unicode = ok(&words(
        "graph --function -1*sin(pi*x) --at=-0.5,0 --format dot",
    ));
    assert!(
        unicode.contains("label=\"π\"") && unicode.contains("label=\"−1\""),
        "{unicode}"
    );

    if std::env::var("GRADSCAPE_SKIP_GRAPHVIZ").as_deref() == Ok("1") {
        eprintln!("GRADSCAPE_SKIP_GRAPHVIZ=1: not running dot");
        return;
    }
    for text in [dot, unicode] {
        let child = Command::new("dot")
            .arg("-Tsvg")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match child {
            Ok(child) => child,
            Err(e) => panic!(
                "could not run Graphviz's `dot` ({e}): install graphviz (e.g. `apt-get install \
                 graphviz`), or set GRADSCAPE_SKIP_GRAPHVIZ=1 to skip this test"
            ),
        };
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let svg = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "dot failed: {}\n{text}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(svg.contains("<svg"), "{svg}");
    }
}

#[test]
fn svg_draws_every_node() {
    for (args, nodes) in [
        (apple("svg"), 5),
        (words("graph --book apple-orange --format svg"), 9),
        (
            words("graph --function rosenbrock --at=-1,2 --format svg"),
            0,
        ),
    ] {
        let svg = ok(&args);
        assert_well_formed(&svg);
        let mut json_args = args.clone();
        *json_args.last_mut().unwrap() = "json";
        let g = json(&json_args);
        let count = g["nodes"].as_array().unwrap().len();
        if nodes > 0 {
            assert_eq!(count, nodes);
        }
        assert_eq!(svg.matches("<g class=\"node ").count(), count, "{args:?}");
    }
}

#[test]
fn bad_input_gets_one_clear_line_and_a_failure_status() {
    let f = "apple*apple_num*tax";
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "graph",
                "--function",
                f,
                "--inputs",
                "apple=100,apple_num=2,tax=1.1,pear=3",
            ],
            "no input named 'pear'",
        ),
        (
            vec!["graph", "--function", f, "--inputs", "apple=100"],
            "'apple_num' has no value",
        ),
        (
            vec![
                "graph",
                "--function",
                f,
                "--inputs",
                "apple=abc,apple_num=2,tax=1",
            ],
            "'apple' must be a finite number, not 'abc'",
        ),
        (
            vec!["graph", "--function", f, "--inputs", "apple"],
            "--inputs",
        ),
        (words("graph --function elongated --at=nan,1"), "--at"),
        (words("graph --function elongated --at=1e999,1"), "--at"),
        (words("graph --function elongated --at=1"), "--at"),
        (words("graph --function elongated"), "--at"),
        (
            vec!["graph", "--function", "(apple*2", "--inputs", "apple=1"],
            "unclosed '('",
        ),
        (words("graph --function 2x --at=1,2"), "write 2*x"),
        (
            words("graph --function elongated --at=1,2 --inputs x=3"),
            "--at",
        ),
        (words("graph --book banana"), "--book"),
        (words("graph --example apple"), "--book apple"),
        (words("graph"), "--function"),
        (
            words("graph --function sphere --weights w.json --data d.csv"),
            "--weights",
        ),
        (words("graph --weights w.json"), "--data"),
        (
            words("graph --weights /no/such/w.json --data /no/such/d.csv"),
            "/no/such/w.json: could not be read",
        ),
    ];
    for (args, want) in cases {
        let out = gradscape(&args);
        let err = stderr(&out);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(stdout(&out).is_empty(), "{args:?}");
    }
}

/// A fresh folder for one test's files.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("gradscape-graph-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// 2 inputs → 2 ReLU → 2 classes: W1 = [[1, −1], [0.5, 2]], b1 = [0, −1], W2 = [[1, 0], [−1, 1]],
/// b2 = [0.5, 0]. Example 0 is (1, 2) of class 1: the hidden layer gives (1 + 1, −1 + 4 − 1) =
/// (2, 2), ReLU keeps both, and the scores are (2 − 2 + 0.5, 2) = (0.5, 2). Softmax gives
/// y = (a, 1 − a) with a = 1/(1 + e^1.5), so Softmax-with-Loss hands back y − t = (a, −a), and the
/// loss is −ln(1 − a + 1e-7).
const WEIGHTS: &str = r#"{"layers": [
  {"W": [[1, -1], [0.5, 2]], "b": [0, -1], "activation": "relu"},
  {"W": [[1, 0], [-1, 1]], "b": [0.5, 0], "activation": "none"}
]}"#;
const DATA: &str = "x1,x2,label\n1,2,1\n";

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn a_networks_layer_graph_on_one_example() {
    let dir = scratch("layers");
    let w = dir.join("net.json");
    let d = dir.join("one.csv");
    std::fs::write(&w, WEIGHTS).unwrap();
    std::fs::write(&d, DATA).unwrap();
    let (w, d) = (w.to_str().unwrap(), d.to_str().unwrap());
    let g = json(&[
        "graph",
        "--weights",
        w,
        "--data",
        d,
        "--example",
        "0",
        "--format",
        "json",
    ]);
    assert_eq!(g["example"], 0);
    assert_eq!(g["label"], 1);
    assert_eq!(g["predicted"], 1);
    let layers = g["layers"].as_array().unwrap();
    let shapes: Vec<(String, Value, Value)> = layers
        .iter()
        .map(|l| {
            (
                l["name"].as_str().unwrap().to_string(),
                l["input_shape"].clone(),
                l["output_shape"].clone(),
            )
        })
        .collect();
    let shape = |s: &[u64]| serde_json::json!(s);
    assert_eq!(
        shapes,
        [
            ("Affine1".to_string(), shape(&[1, 2]), shape(&[1, 2])),
            ("ReLU1".to_string(), shape(&[1, 2]), shape(&[1, 2])),
            ("Affine2".to_string(), shape(&[1, 2]), shape(&[1, 2])),
            ("SoftmaxWithLoss".to_string(), shape(&[1, 2]), shape(&[])),
        ]
    );
    assert_eq!(numbers(&layers[0]["forward"]), [2.0, 2.0]);
    assert_eq!(numbers(&layers[1]["forward"]), [2.0, 2.0]);
    assert_eq!(numbers(&layers[2]["forward"]), [0.5, 2.0]);
    let a = 1.0 / (1.0 + 1.5f64.exp());
    let back = numbers(&layers[3]["backward"]);
    assert!(
        close(back[0], a, 1e-9) && close(back[1], -a, 1e-9),
        "{back:?}"
    );
    let loss = -(1.0 - a + 1e-7).ln();
    assert!(close(g["loss"].as_f64().unwrap(), loss, 1e-9));
    // Affine2's backward is (y − t)·W2ᵀ = (a, −a)·[[1, −1], [0, 1]] = (a, −2a).
    let back = numbers(&layers[2]["backward"]);
    assert!(
        close(back[0], a, 1e-9) && close(back[1], -2.0 * a, 1e-9),
        "{back:?}"
    );

    // The table names the layers and shapes.
    let text = ok(&["graph", "--weights", w, "--data", d, "--format", "text"]);
    assert!(
        text.starts_with("example 0: label 1, predicted 1"),
        "{text}"
    );
    for name in [
        "Affine1",
        "ReLU1",
        "Affine2",
        "SoftmaxWithLoss",
        "1×2",
        "scalar",
    ] {
        assert!(text.contains(name), "{name}: {text}");
    }

    // Bad requests name the flag.
    for (args, want) in [
        (
            vec!["graph", "--weights", w, "--data", d, "--example", "1"],
            "--example 1: ",
        ),
        (
            vec!["graph", "--weights", w, "--data", d, "--format", "dot"],
            "--format dot",
        ),
        (vec!["graph", "--weights", w], "--data"),
        (
            vec!["graph", "--weights", w, "--data", d, "--book", "apple"],
            "--weights",
        ),
    ] {
        let out = gradscape(&args);
        let err = stderr(&out);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
    }
    std::fs::remove_dir_all(&dir).ok();
}
