//! Typed-in formulas: values, gradients and error messages, each worked out by hand.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed, and should say so loudly

use gradscape_core::expr::{Expr, ParseError, MAX_DEPTH, MAX_LEN};

fn parse(src: &str) -> Expr {
    match Expr::parse(src) {
        Ok(e) => e,
        Err(err) => panic!("{src:?} should parse: {err}"),
    }
}

fn value(src: &str) -> f64 {
    parse(src).value(0.0, 0.0)
}

fn error(src: &str) -> ParseError {
    match Expr::parse(src) {
        Ok(e) => panic!("{src:?} should not parse, but gave {e}"),
        Err(err) => err,
    }
}

/// Asserts the error's full text (`message at column N[: hint]`) contains `text`, and its column.
fn assert_error(src: &str, text: &str, column: usize) {
    let err = error(src);
    let shown = err.to_string();
    assert!(
        shown.contains(text),
        "{src:?}: {shown:?} should contain {text:?}"
    );
    assert_eq!(err.column, column, "{src:?}: {shown}");
}

#[test]
fn precedence_and_associativity() {
    assert_eq!(parse("-x^2").value(3.0, 0.0), -9.0);
    assert_eq!(value("2^3^2"), 512.0);
    assert_eq!(value("2**3"), 8.0);
    assert_eq!(value("2^-1"), 0.5);
    assert_eq!(value("-2^2"), -4.0);
    assert_eq!(value("(-2)^2"), 4.0);
    assert_eq!(value("1+2*3"), 7.0);
    assert_eq!(value("(1+2)*3"), 9.0);
    assert_eq!(value("8/4/2"), 1.0);
    assert_eq!(value("2-3-4"), -5.0);
    assert_eq!(value("2 * -3"), -6.0);
    assert_eq!(value("--2"), 2.0);
    assert_eq!(value("+2"), 2.0);
    // x^-y^2 is x^(-(y^2)): 2^(-(1^2)) = 0.5
    assert_eq!(parse("x^-y^2").value(2.0, 1.0), 0.5);
}

#[test]
fn numbers_constants_and_functions() {
    assert_eq!(value("1e-3*1000"), 1.0);
    assert_eq!(value("1E+4"), 10_000.0);
    assert_eq!(value(".5 + 3."), 3.5);
    assert_eq!(value("pi"), std::f64::consts::PI);
    assert_eq!(value("e"), std::f64::consts::E);
    assert_eq!(value("log(e)"), 1.0);
    assert_eq!(value("ln(1)"), 0.0);
    assert_eq!(value("sqrt(16)"), 4.0);
    assert_eq!(value("abs(-3)"), 3.0);
    assert_eq!(value("exp(0) + cos(0) + sin(0) + tan(0) + tanh(0)"), 2.0);
    assert_eq!(value(" \t2\n*\r\nx + 1 "), 1.0);
}

#[test]
fn source_and_display() {
    let f = parse("-x^2 +  log(e)");
    assert_eq!(f.source(), "-x^2 +  log(e)");
    assert_eq!(f.to_string(), "((-(x ^ 2)) + ln(e))");
    assert_eq!(parse("2**3^y").to_string(), "(2 ^ (3 ^ y))");
    assert_eq!(parse("x^-y^2").to_string(), "(x ^ (-(y ^ 2)))");
    assert_eq!(parse("1e300 * 2.5").to_string(), "(1e300 * 2.5)");
}

#[test]
fn gradients_worked_by_hand() {
    // d/dx x^2/20 = 2x/20 = -0.7 at x = -7; d/dy y^2 = 2y = 4 at y = 2.
    let (v, g) = parse("x^2/20+y^2").value_and_gradient(-7.0, 2.0);
    assert_eq!(v, 49.0 / 20.0 + 4.0);
    assert_eq!(g, [-7.0 / 10.0, 2.0 * 2.0]);
    // x*y: (y, x)
    assert_eq!(
        parse("x*y").value_and_gradient(3.0, 4.0),
        (12.0, [4.0, 3.0])
    );
    // x^2 at a negative x: exactly 2x
    assert_eq!(
        parse("x^2").value_and_gradient(-3.0, 0.0),
        (9.0, [-6.0, 0.0])
    );
    // x^y at (2, 3): value 8, d/dx = y x^(y-1) = 12, d/dy = x^y ln x = 8 ln 2.
    let (v, g) = parse("x^y").value_and_gradient(2.0, 3.0);
    assert_eq!((v, g[0]), (8.0, 12.0));
    assert!((g[1] - 8.0 * std::f64::consts::LN_2).abs() < 1e-14);
    // abs(x): slope 0 at the kink, -1 left of it
    assert_eq!(
        parse("abs(x)").value_and_gradient(0.0, 0.0),
        (0.0, [0.0, 0.0])
    );
    assert_eq!(
        parse("abs(x)").value_and_gradient(-2.0, 0.0),
        (2.0, [-1.0, 0.0])
    );
    // a constant subexpression contributes no NaN: sqrt(0) has an infinite slope, but no x in it
    assert_eq!(
        parse("sqrt(0) + x").value_and_gradient(1.0, 0.0),
        (1.0, [1.0, 0.0])
    );
}

#[test]
fn gradients_of_functions_worked_by_hand() {
    let close = |a: f64, b: f64| (a - b).abs() < 1e-14;
    // sin(x)cos(y): (cos x cos y, -sin x sin y); at (0, 0) that is (1, 0)
    assert_eq!(
        parse("sin(x)*cos(y)").value_and_gradient(0.0, 0.0),
        (0.0, [1.0, 0.0])
    );
    let (_, g) = parse("sin(x)*cos(y)").value_and_gradient(1.0, 2.0);
    assert!(
        close(g[0], 1.0f64.cos() * 2.0f64.cos()) && close(g[1], -(1.0f64.sin() * 2.0f64.sin()))
    );
    // exp(xy): (y e^xy, x e^xy); at (1, 2) that is (2e^2, e^2)
    let (v, g) = parse("exp(x*y)").value_and_gradient(1.0, 2.0);
    let e2 = std::f64::consts::E * std::f64::consts::E;
    assert!(close(v, e2) && close(g[0], 2.0 * e2) && close(g[1], e2));
    // ln(x): 1/x; sqrt(x): 1/(2 sqrt x); tanh(x) at 0: 1; tan(x) at 0: 1
    assert_eq!(parse("ln(x)").value_and_gradient(4.0, 0.0).1, [0.25, 0.0]);
    assert_eq!(
        parse("sqrt(x)").value_and_gradient(16.0, 0.0),
        (4.0, [0.125, 0.0])
    );
    assert_eq!(
        parse("tanh(x) + tan(y)").value_and_gradient(0.0, 0.0).1,
        [1.0, 1.0]
    );
    // x/y: (1/y, -x/y^2) at (3, 2) is (0.5, -0.75)
    assert_eq!(
        parse("x/y").value_and_gradient(3.0, 2.0),
        (1.5, [0.5, -0.75])
    );
}

#[test]
fn errors_say_what_and_where() {
    assert_error(
        "2x",
        "missing operator between '2' and 'x' at column 2: write 2*x",
        2,
    );
    assert_error("2(x+1)", "missing operator between '2' and '('", 2);
    assert_error("(x)(y)", "missing operator between ')' and '('", 4);
    assert_error("x y", "write x*y", 3);
    assert_error("2pi", "write 2*pi", 2);
    assert_error("sin x", "the function 'sin' needs parentheses", 1);
    assert_error("(x+1", "unclosed '(' opened at column 1", 1);
    assert_error("x*(x+1", "unclosed '(' opened at column 3", 3);
    assert_error("x+)", "unexpected ')' at column 3", 3);
    assert_error("x)", "unexpected ')' at column 2", 2);
    assert_error("foo(x)", "unknown function 'foo'", 1);
    assert_error("z", "unknown name 'z' at column 1: use x, y, pi, e", 1);
    assert_error("Sin(x)", "case-sensitive", 1);
    assert_error("x @ y", "unexpected character '@' at column 3", 3);
    assert_error(
        "x^",
        "unexpected end of input at column 3: expected a number",
        3,
    );
    assert_error("x ^ ", "unexpected end of input at column 5", 5);
    assert_error("*x", "unexpected '*' at column 1", 1);
    assert_error("", "the function is empty", 1);
    assert_error(" \t\n ", "the function is empty", 1);
    assert_error("1e", "the number '1e' has no digits after its 'e'", 1);
    assert_error("x+1.2.3", "the number '1.2.3' has more than one '.'", 3);
    assert_error("1e999", "number out of range '1e999' at column 1", 1);
    // columns count characters, not bytes
    assert_error("x²", "unexpected character '²' at column 2: write ^2", 2);
    assert_error("ππ", "unexpected character 'π' at column 1", 1);
}

#[test]
fn limits_are_errors_not_crashes() {
    let long = format!("x{}", " ".repeat(MAX_LEN));
    assert_error(
        &long,
        "the function is too long (10001 characters; the limit is 10000)",
        10_001,
    );
    assert!(Expr::parse(&long[..MAX_LEN]).is_ok());

    let deep = "(".repeat(10_000);
    assert_error(
        &deep,
        "nested too deeply (more than 256 levels)",
        MAX_DEPTH + 1,
    );
    let minuses = format!("{}x", "-".repeat(9_999));
    assert_error(&minuses, "nested too deeply", MAX_DEPTH + 1);
    let calls = format!("{}x", "sin(".repeat(2_000));
    assert_error(&calls, "nested too deeply", 4 * (MAX_DEPTH + 1));
    // 2^2^2^...: the 257th '^' is at column 514
    let tower = vec!["2"; 5_000].join("^");
    assert_error(&tower, "nested too deeply", 2 * (MAX_DEPTH + 1));
}
