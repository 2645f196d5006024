//! The computational graph against the book's chapter 5 numbers, the optimizers' gradient (the
//! same bits) and central differences.

use gradscape_core::expr::Expr;
use gradscape_core::graph::{self, format_value, parse_inputs, Graph, GraphError, Op};
use gradscape_core::graph_layout::layout;
use gradscape_core::surface::SURFACES;
use proptest::prelude::*;

fn example(id: &str) -> Graph {
    let ex = graph::example(id).expect("example");
    let values: Vec<(String, f64)> = ex.inputs.iter().map(|&(n, v)| (n.to_string(), v)).collect();
    Graph::build(ex.formula, [0.0, 0.0], &values).expect("builds")
}

fn grad(g: &Graph, name: &str) -> f64 {
    g.input(name).map_or(f64::NAN, |n| n.grad)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

#[test]
fn apples_as_in_figure_5_16() {
    // 2 apples at 100 yen, 10% tax: 100 × 2 × 1.1 = 220; backward ∂/∂apple = 2 × 1.1 = 2.2,
    // ∂/∂apple_num = 100 × 1.1 = 110, ∂/∂tax = 100 × 2 = 200.
    let g = example("apple");
    assert!(close(g.value(), 220.0));
    assert_eq!(format_value(g.value()), "220");
    assert!(close(grad(&g, "apple"), 2.2));
    assert!(close(grad(&g, "apple_num"), 110.0));
    assert!(close(grad(&g, "tax"), 200.0));
    assert_eq!(format_value(grad(&g, "apple_num")), "110");
    // Two multiply nodes, three inputs, no constants.
    let ops: Vec<&str> = g.nodes.iter().map(|n| n.op.name()).collect();
    assert_eq!(ops, ["input", "input", "mul", "input", "mul"]);
    // The multiply node swaps its inputs: its local derivatives are the other operand.
    let first = &g.nodes[2];
    assert_eq!(first.local, vec![2.0, 100.0]);
}

#[test]
fn apples_and_oranges_as_in_figure_5_17() {
    // (100 × 2 + 150 × 3) × 1.1 = 650 × 1.1 = 715.
    let g = example("apple-orange");
    assert!(close(g.value(), 715.0));
    assert_eq!(format_value(g.value()), "715");
    for (name, want) in [
        ("apple", 2.2),
        ("apple_num", 110.0),
        ("orange", 3.3),
        ("orange_num", 165.0),
        ("tax", 650.0),
    ] {
        assert!(close(grad(&g, name), want), "{name}: {}", grad(&g, name));
        assert_eq!(format_value(grad(&g, name)), format_value(want), "{name}");
    }
    // The add node passes the gradient on: both its operands receive 1.1.
    let add = g
        .nodes
        .iter()
        .find(|n| n.op == Op::Add)
        .expect("an add node");
    assert_eq!(add.local, vec![1.0, 1.0]);
    assert!(close(add.grad, 1.1));
}

#[test]
fn sigmoid_node_by_node_as_in_figure_5_19() {
    let g = example("sigmoid");
    let ops: Vec<&str> = g
        .nodes
        .iter()
        .filter(|n| n.op.is_operation())
        .map(|n| n.op.name())
        .collect();
    assert_eq!(ops, ["mul", "exp", "add", "div"]);
    // ×(−1): the constant is −1, not a negation node.
    let mul = g.nodes.iter().find(|n| n.op == Op::Mul).expect("mul");
    assert_eq!(g.nodes[mul.inputs[0]].op, Op::Const);
    assert_eq!(g.nodes[mul.inputs[0]].value, -1.0);
    for x in [-3.0, -0.5, 0.0, 0.5, 2.0] {
        let g = Graph::build("1/(1 + exp(-1*x))", [x, 0.0], &[]).expect("builds");
        let y = 1.0 / (1.0 + (-x).exp());
        assert!((g.value() - y).abs() < 1e-15);
        // dy/dx = y(1 − y).
        assert!((grad(&g, "x") - y * (1.0 - y)).abs() < 1e-15, "at {x}");
    }
}

#[test]
fn a_fanned_out_input_sums_its_contributions() {
    // f = x·y + x at (3, 4): the add node hands x 1, the multiply node hands it y = 4; 1 + 4 = 5.
    let g = Graph::build("x*y + x", [3.0, 4.0], &[]).expect("builds");
    let x = g.input("x").expect("x").id;
    let to_x: Vec<_> = g.edges.iter().filter(|e| e.from == x).collect();
    assert_eq!(to_x.len(), 2);
    assert_eq!(to_x[0].contribution, 1.0);
    assert_eq!(to_x[0].running, 1.0);
    assert!(!to_x[0].last);
    assert_eq!(to_x[1].contribution, 4.0);
    assert_eq!(to_x[1].running, 5.0);
    assert!(to_x[1].last);
    assert_eq!(grad(&g, "x"), 5.0);
    assert_eq!(grad(&g, "y"), 3.0);
    // x*x: one node with two edges into the same multiply node, 2x in all.
    let g = Graph::build("x*x", [1.5, 0.0], &[]).expect("builds");
    assert_eq!(g.nodes.len(), 2);
    assert_eq!(g.nodes[1].inputs, vec![0, 0]);
    assert_eq!(grad(&g, "x"), 3.0);
}

#[test]
fn every_named_surface_gives_the_optimizers_gradient_bits() {
    for s in SURFACES.iter() {
        let expr = Expr::parse(s.formula).expect("parses");
        let v = s.view;
        for i in 0..40 {
            for j in 0..40 {
                let x = v.xmin + (v.xmax - v.xmin) * (i as f64 + 0.37) / 40.0;
                let y = v.ymin + (v.ymax - v.ymin) * (j as f64 + 0.61) / 40.0;
                let g = Graph::of_expr(&expr, [x, y], &[]).expect("builds");
                let (value, gradient) = expr.value_and_gradient(x, y);
                assert_eq!(
                    g.value().to_bits(),
                    value.to_bits(),
                    "{} at ({x}, {y})",
                    s.id
                );
                assert_eq!(
                    grad(&g, "x").to_bits(),
                    gradient[0].to_bits(),
                    "{} ∂x at ({x}, {y})",
                    s.id
                );
                assert_eq!(
                    grad(&g, "y").to_bits(),
                    gradient[1].to_bits(),
                    "{} ∂y at ({x}, {y})",
                    s.id
                );
                if i % 8 == 0 && j % 8 == 0 {
                    check_numerically(&g, s.id);
                }
            }
        }
    }
}

/// Each node's gradient against its central difference, where the difference can be trusted
/// (h = 1e-4 has an error of about h²·f''' and f·1e-16/h).
fn check_numerically(g: &Graph, what: &str) {
    let scale = g.value().abs().max(1.0);
    for n in &g.nodes {
        if !n.grad.is_finite() || !n.numerical.is_finite() {
            continue;
        }
        let tolerance = 1e-4 * n.grad.abs().max(1.0) + 1e-9 * scale / 1e-4;
        assert!(
            (n.grad - n.numerical).abs() <= tolerance,
            "{what}: node {} ({}) gradient {} vs numerical {}",
            n.id,
            n.label,
            n.grad,
            n.numerical
        );
    }
}

#[test]
fn contributions_sum_to_each_nodes_gradient() {
    for s in SURFACES.iter() {
        let c = s.start;
        let g = Graph::build(s.formula, c, &[]).expect("builds");
        for n in &g.nodes {
            let into: Vec<_> = g.edges.iter().filter(|e| e.from == n.id).collect();
            if let Some(last) = into.last() {
                assert!(last.last);
                if !n.grad.is_finite() {
                    // ∂f/∂2 of x^2 at x < 0 is x²·ln(x): undefined, and shown so.
                    continue;
                }
                let sum: f64 = into.iter().map(|e| e.contribution).sum();
                assert!(
                    (sum - n.grad).abs() <= 1e-9 * n.grad.abs().max(1.0),
                    "{} node {}: {} vs {}",
                    s.id,
                    n.id,
                    sum,
                    n.grad
                );
                assert_eq!(last.running, sum);
            }
        }
    }
}

#[test]
fn bad_inputs_are_named() {
    let apple = "apple*apple_num*tax";
    let v = |list: &str| parse_inputs(list).expect("a list");
    match Graph::build(apple, [0.0, 0.0], &v("apple:100,apple_num:2")) {
        Err(GraphError::MissingInput { name }) => assert_eq!(name, "tax"),
        other => panic!("{other:?}"),
    }
    match Graph::build(
        apple,
        [0.0, 0.0],
        &v("apple:100,apple_num:2,tax:1.1,pear:3"),
    ) {
        Err(e @ GraphError::UnknownInput { .. }) => assert!(e.to_string().contains("'pear'")),
        other => panic!("{other:?}"),
    }
    match parse_inputs("apple:abc") {
        Err(e @ GraphError::BadValue { .. }) => {
            assert_eq!(
                e.to_string(),
                "the input 'apple' must be a finite number, not 'abc'"
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        parse_inputs("apple:NaN"),
        Err(GraphError::BadValue { .. })
    ));
    assert!(matches!(
        parse_inputs("apple:1e400"),
        Err(GraphError::BadValue { .. })
    ));
    assert!(matches!(
        parse_inputs("apple"),
        Err(GraphError::BadList { .. })
    ));
    assert_eq!(
        v("apple=1, tax:2"),
        vec![("apple".to_string(), 1.0), ("tax".to_string(), 2.0)]
    );
    assert!(matches!(
        Graph::build("apple*(", [0.0, 0.0], &[]),
        Err(GraphError::Parse(_))
    ));
    // A surface's formula does not take names: only the graph's does.
    assert!(Expr::parse(apple).is_err());
    // 10,000 characters of distinct terms: too many nodes to draw, said so.
    let big: Vec<String> = (0..1700).map(|k| format!("{k}*x")).collect();
    let big = big.join("+");
    let big = &big[..big[..10_000].rfind('+').unwrap_or(0)];
    match Graph::build(big, [1.0, 1.0], &[]) {
        Err(GraphError::TooBig { nodes, limit }) => assert!(nodes > limit),
        other => panic!("{:?}", other.map(|g| g.nodes.len())),
    }
}

#[test]
fn repeated_subtrees_collapse_with_a_count() {
    // 40 copies of sin(x)*y: 160 nodes as written; drawn once with a count of 40.
    let src = vec!["sin(x)*y"; 40].join(" + ");
    let g = Graph::build(&src, [0.3, 2.0], &[]).expect("builds");
    assert!(g.collapsed);
    assert!(g.nodes.len() <= graph::READABLE, "{}", g.nodes.len());
    let product = g.nodes.iter().find(|n| n.op == Op::Mul).expect("mul");
    assert_eq!(product.count, 40);
    // Gradients are unchanged: 40·cos(x)·y and 40·sin(x).
    assert!((grad(&g, "x") - 40.0 * 0.3f64.cos() * 2.0).abs() < 1e-12);
    assert!((grad(&g, "y") - 40.0 * 0.3f64.sin()).abs() < 1e-12);
}

#[test]
fn numbers_show_ten_significant_digits() {
    assert_eq!(format_value(220.00000000000003), "220");
    assert_eq!(format_value(0.1 + 0.2), "0.3");
    assert_eq!(format_value(2.2), "2.2");
    assert_eq!(format_value(-1.0), "−1");
    assert_eq!(format_value(1.0 / 3.0), "0.3333333333");
    assert_eq!(format_value(123456.789012345), "123456.789");
    assert_eq!(format_value(1e-7), "1e−7");
    assert_eq!(format_value(2.5e12), "2.5e12");
    assert_eq!(format_value(f64::NAN), "undefined");
}

#[test]
fn the_book_examples_lay_out_without_crossings_or_overlaps() {
    for id in ["apple", "apple-orange", "sigmoid"] {
        let g = example(id);
        let l = layout(&g);
        assert_eq!(l.crossings, 0, "{id}");
        for (a, p) in l.nodes.iter().enumerate() {
            for q in &l.nodes[a + 1..] {
                assert!(
                    (p.x - q.x).abs() > 1.0 || (p.y - q.y).abs() >= 60.0,
                    "{id}: {p:?} {q:?}"
                );
            }
        }
        // The output is rightmost, x-like inputs leftmost.
        let right = l.nodes.iter().map(|p| p.x).fold(0.0, f64::max);
        assert_eq!(l.nodes[g.output].x, right);
    }
}

proptest! {
    #[test]
    fn random_formulas_match_forward_mode_bits(
        a in 0usize..6, b in 0usize..6, c in 0usize..4, x in -2.0f64..2.0, y in -2.0f64..2.0
    ) {
        let parts = ["x*y", "sin(x)", "x^2/20", "exp(y/3)", "(x - y)^2", "sqrt(x^2 + 1)"];
        let joins = [" + ", " * ", " - ", " / "];
        let src = format!("{}{}{}{}{}", parts[a], joins[c], parts[b], joins[(c + 1) % 4], "tanh(x + y)");
        let expr = Expr::parse(&src).expect("parses");
        let g = Graph::of_expr(&expr, [x, y], &[]).expect("builds");
        let (v, gr) = expr.value_and_gradient(x, y);
        prop_assert_eq!(g.value().to_bits(), v.to_bits());
        prop_assert_eq!(grad(&g, "x").to_bits(), gr[0].to_bits(), "{}", src);
        prop_assert_eq!(grad(&g, "y").to_bits(), gr[1].to_bits(), "{}", src);
        // The gradient against a central difference with a step fitted to the point (the
        // nodes' own checks use the book's fixed h = 1e-4, too coarse near the poles of these
        // random formulas, so they are checked on the named surfaces' grids instead).
        let well_posed = v.abs() < 1e3 && x.abs() > 0.2 && (x - y).abs() > 0.25 && (x + y).abs() > 0.25;
        if well_posed {
            let h = 1e-6;
            let gx = (expr.value(x + h, y) - expr.value(x - h, y)) / (2.0 * h);
            let gy = (expr.value(x, y + h) - expr.value(x, y - h)) / (2.0 * h);
            let scale = 1.0 + v.abs();
            prop_assert!((gr[0] - gx).abs() <= 1e-5 * (scale + gr[0].abs()), "{}: {} vs {}", src, gr[0], gx);
            prop_assert!((gr[1] - gy).abs() <= 1e-5 * (scale + gr[1].abs()), "{}: {} vs {}", src, gr[1], gy);
        }
    }
}

#[test]
fn label_texts_are_the_drawings_labels_in_order() {
    use gradscape_core::graph_layout::{label_texts, svg};
    for (f, values) in [
        ("x*y + x", vec![]),
        (
            "(apple*apple_num + orange*orange_num)*tax",
            parse_inputs("apple:100,apple_num:2,orange:150,orange_num:3,tax:1.1").expect("list"),
        ),
    ] {
        let g = Graph::build(f, [3.0, 4.0], &values).expect("builds");
        let drawing = svg(&g, &layout(&g), false);
        // The text of every <text …data-f=… or data-b=…>, in document order.
        let drawn: Vec<String> = drawing
            .split("<text ")
            .skip(1)
            .filter(|t| t.contains("data-f=") || t.contains("data-b="))
            .map(|t| {
                t[t.find('>').map_or(0, |i| i + 1)..t.find("</text>").unwrap_or(0)].to_string()
            })
            .collect();
        assert_eq!(drawn, label_texts(&g), "{f}");
    }
}

#[test]
fn at_a_cones_tip_the_slope_is_taken_as_zero_as_the_optimizers_take_it() {
    // √(x² + y²) has no slope at (0, 0); 0 is taken, as for |x|, so the graph of Ackley at its
    // minimum shows the gradient the optimizers use there: (0, 0).
    let g = Graph::build("sqrt(x^2 + y^2)", [0.0, 0.0], &[]).expect("builds");
    assert_eq!((grad(&g, "x"), grad(&g, "y")), (0.0, 0.0));
    let ackley = SURFACES.iter().find(|s| s.id == "ackley").expect("ackley");
    let g = Graph::build(ackley.formula, [0.0, 0.0], &[]).expect("builds");
    let named = ackley.gradient(0.0, 0.0);
    assert_eq!(grad(&g, "x"), named[0]);
    assert_eq!(grad(&g, "y"), named[1]);
    assert_eq!(named[0].abs() + named[1].abs(), 0.0);
}
