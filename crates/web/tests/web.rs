//! The wasm glue in a real browser: a `Viz` on real canvases gives the book's numbers, paints
//! pixels and reports bad settings by name.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed, and should say so loudly

use gradscape_web::{catalog, Viz};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

wasm_bindgen_test_configure!(run_in_browser);

fn canvas() -> HtmlCanvasElement {
    let document = web_sys::window().unwrap().document().unwrap();
    document
        .create_element("canvas")
        .unwrap()
        .dyn_into::<HtmlCanvasElement>()
        .unwrap()
}

fn viz(query: &[(&str, &str)]) -> (Viz, HtmlCanvasElement) {
    let surface = canvas();
    let keys = query.iter().map(|(k, _)| k.to_string()).collect();
    let values = query.iter().map(|(_, v)| v.to_string()).collect();
    let viz = Viz::new(surface.clone(), canvas(), canvas(), canvas(), keys, values).unwrap();
    (viz, surface)
}

#[wasm_bindgen_test]
fn book_figure_numbers_in_the_browser() {
    let (viz, _) = viz(&[("preset", "book-6-8")]);
    let runs: serde_json::Value = serde_json::from_str(&viz.trajectories()).unwrap();
    // Figure 6-8: SGD (lr 0.95) after 30 updates from (−7, 2), as the book's Python computes it.
    assert_eq!(runs[0]["points"][30][0], -0.3503929957523197);
    assert_eq!(runs[0]["points"][30][1], 0.0847823165504322);
    // Adam (lr 0.3): the same bits as natively, through the correctly rounded βᵗ.
    assert_eq!(runs[3]["points"][30][0], 0.13600685239498186);
    assert_eq!(runs[3]["points"][30][1], 0.31824537553721943);
}

#[wasm_bindgen_test]
fn paints_the_surface_and_maps_pointer_positions() {
    let (mut viz, surface) = viz(&[("f", "sphere")]);
    viz.resize(400.0, 300.0, 2.0, 400.0, 150.0);
    assert_eq!((surface.width(), surface.height()), (800, 600));
    viz.render_surface().unwrap();
    viz.render_overlay(30, true).unwrap();
    viz.render_loss(30, false, true).unwrap();
    let ctx = surface
        .get_context("2d")
        .unwrap()
        .unwrap()
        .dyn_into::<CanvasRenderingContext2d>()
        .unwrap();
    // The world origin is sphere's minimum: viridis' dark end (#440154) there.
    let c = viz.world_to_css(0.0, 0.0);
    let px = ctx
        .get_image_data(c[0] * 2.0, c[1] * 2.0, 1.0, 1.0)
        .unwrap()
        .data();
    assert!(
        px[0] < 0x50 && px[1] < 0x10 && px[2] > 0x40 && px[2] < 0x60,
        "{px:?}"
    );
    let w = viz.css_to_world(c[0], c[1]);
    assert!(w[0].abs() < 1e-9 && w[1].abs() < 1e-9);
}

#[wasm_bindgen_test]
fn bad_settings_are_reported_by_name() {
    let (mut viz, _) = viz(&[]);
    let warnings = viz.apply(
        vec!["steps".into(), "f".into()],
        vec!["0".into(), "2x".into()],
    );
    let warnings: serde_json::Value = serde_json::from_str(&warnings).unwrap();
    assert_eq!(warnings[0]["param"], "f");
    // As data, which the page words from its catalogs (the module carries no English).
    assert_eq!(warnings[0]["kind"], "warning");
    assert!(warnings[0]["values"]
        .to_string()
        .contains(r#""kind":"expr."#));
    assert_eq!(warnings[1]["param"], "steps");
    assert!(viz.set_start(5, 0.0, 0.0).is_err());
    assert!(catalog().contains("rosenbrock"));
}

/// The page's matrix product (WebAssembly SIMD) gives matrixmultiply's bits, in every layout,
/// at the edges of its blocks (rows in fours, columns in fours, twos and ones, depth in 256s)
/// and with β = 0, 1 and ½: the CLI trains bit for bit as the page does.
#[wasm_bindgen_test]
fn the_simd_product_gives_matrixmultiplys_bits() {
    use gradscape_core::matrix::{gemm, gemm_matrixmultiply, Op};
    let mut rng = gradscape_core::rng::Rng::new(7, 0);
    for (m, k, n) in [
        (1, 1, 1),
        (3, 7, 5),
        (4, 64, 100),
        (5, 100, 10),
        (13, 256, 3),
        (9, 257, 6),
        (6, 600, 4),
        (100, 10, 100),
    ] {
        let a: Vec<f64> = (0..m * k).map(|_| rng.normal()).collect();
        let b: Vec<f64> = (0..k * n).map(|_| rng.normal()).collect();
        let c0: Vec<f64> = (0..m * n).map(|_| rng.normal()).collect();
        for op_a in [Op::N, Op::T] {
            for op_b in [Op::N, Op::T] {
                for beta in [0.0, 1.0, 0.5] {
                    let (mut c1, mut c2) = (c0.clone(), c0.clone());
                    gemm(m, k, n, &a, op_a, &b, op_b, beta, &mut c1);
                    gemm_matrixmultiply(m, k, n, &a, op_a, &b, op_b, beta, &mut c2);
                    let bits = |c: &[f64]| c.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                    assert_eq!(
                        bits(&c1),
                        bits(&c2),
                        "{m}×{k}×{n} {op_a:?} {op_b:?} β={beta}"
                    );
                }
            }
        }
    }
}

/// The painter's SIMD kernels (the page's build) give the pixels of its portable scalar code:
/// surfaces smooth and steep, with holes where f has no value, linear and log scales, contour
/// lines, odd and even sizes, a row narrower than a SIMD block.
#[wasm_bindgen_test]
fn the_simd_painter_gives_the_scalar_painters_pixels() {
    use gradscape_core::paint::{Layout, Painter, Scale};
    use gradscape_core::surface::{Function, ViewBox};
    let cases = [
        ("(1 - x)^2 + 100 * (y - x^2)^2", (-2.0, 2.0, -1.0, 3.0)),
        ("(x^2 + y - 11)^2 + (x + y^2 - 7)^2", (-5.0, 5.0, -5.0, 5.0)),
        ("sqrt(x) + ln(y)", (-1.0, 3.0, -1.0, 3.0)),
        ("x^2/20 + y^2", (-10.0, 10.0, -5.0, 5.0)),
    ];
    for (formula, (xmin, xmax, ymin, ymax)) in cases {
        let function = Function::parse(formula).unwrap();
        let view = ViewBox::new(xmin, xmax, ymin, ymax).unwrap();
        for (w, h) in [
            (1.0, 1.0),
            (9.0, 5.0),
            (90.0, 61.0),
            (161.0, 100.0),
            (300.0, 201.0),
        ] {
            // Margins of 72 × 54 CSS pixels come off the canvas: the plots are 1…300 wide.
            let layout = Layout::new(w + 72.0, h + 54.0, 1.0, view);
            for scale in [Scale::Linear, Scale::Log] {
                for contours in [0, 14, 200] {
                    let (mut simd, mut scalar) = (Painter::new(), Painter::scalar());
                    let a = simd.paint(&function, &layout, scale, contours);
                    let b = scalar.paint(&function, &layout, scale, contours);
                    let what = format!("{formula} {w}×{h} {scale:?} {contours} bands");
                    assert!(!simd.rgba().is_empty(), "{what}");
                    assert!(simd.rgba() == scalar.rgba(), "{what}: the pixels differ");
                    assert_eq!(a.undefined_pixels, b.undefined_pixels, "{what}");
                }
            }
        }
    }
}

/// The page's modules read numbers in text with the browser's `parseFloat` (feature
/// `host-decimal`): it must give the f64 Rust's reader gives, for every text of Rust's grammar.
/// Texts that are hard to round (halfway between two doubles, long, subnormal, overflowing) and
/// 20,000 made up from a seeded generator.
#[wasm_bindgen_test]
fn the_browser_reads_decimal_text_as_rust_does() {
    let mut texts: Vec<String> = [
        "0.1",
        "2.5",
        "-0",
        ".5",
        "5.",
        "1e400",
        "1e-400",
        "9007199254740993",
        "2.4703282292062327e-324",
        "2.4703282292062328e-324",
        "4.9406564584124654e-324",
        "2.2250738585072011e-308",
        "2.2250738585072014e-308",
        "1.7976931348623157e308",
        "1.7976931348623158e308",
        "1.7976931348623159e308",
        "0.30000000000000004",
        "123456789012345678901234567890e-10",
        "7.038531e-26",
        "8.98846567431158e307",
    ]
    .iter()
    .map(|t| t.to_string())
    .collect();
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..20_000 {
        let digits = 1 + next() % 25;
        let mantissa: String = (0..digits)
            .map(|_| char::from(b'0' + (next() % 10) as u8))
            .collect();
        let exponent = (next() % 700) as i64 - 350;
        texts.push(format!("{mantissa}e{exponent}"));
        // A double's shortest text, and the halfway point above it (more digits than it needs).
        let v = f64::from_bits(next() >> 1);
        if v.is_finite() {
            texts.push(format!("{v:e}"));
            texts.push(format!("{v:.30e}"));
        }
    }
    for text in &texts {
        let rust: f64 = text.parse().unwrap();
        let browser = js_sys::parse_float(text);
        assert_eq!(
            browser.to_bits(),
            rust.to_bits(),
            "{text}: {browser} but Rust reads {rust}"
        );
    }
}

/// The page's modules write numbers from the shortest digits the browser's `String(v)` gives
/// (feature `host-decimal`): as many as Rust's (`{:e}`), from the same power of ten, reading back
/// as the same double, and Rust's digit for digit except where two texts are equally near the
/// double (965190524549925.25: the browser writes …25.2, Rust …25.3). Hard cases
/// (powers of two and ten, subnormals, the ends of the range, 0.1 + 0.2) and 20,000 doubles from
/// a seeded generator, their bits drawn at random.
#[wasm_bindgen_test]
fn the_browser_writes_the_shortest_digits_rust_writes() {
    use gradscape_core::number::digits_of;
    let mut values = vec![
        0.1 + 0.2,
        1e21,
        1e-7,
        123.5,
        0.00015,
        f64::MAX,
        f64::MIN_POSITIVE,
        f64::from_bits(1),
        2f64.powi(-1074),
        2f64.powi(1023),
        9_007_199_254_740_993.0,
        5e-324,
        1.7976931348623157e308,
    ];
    let mut ties = 0;
    let mut state = 0x2545_F491_4F6C_DD1D_u64;
    while values.len() < 20_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let v = f64::from_bits(state >> 1);
        if v.is_finite() && v != 0.0 {
            values.push(v);
        }
    }
    for v in values {
        let text = js_sys::Number::from(v)
            .to_string_with_radix(10)
            .map(String::from)
            .unwrap();
        let (browser, b) = digits_of(&text);
        let (rust, r) = digits_of(&format!("{v:e}"));
        assert_eq!(
            text.parse::<f64>().map(f64::to_bits),
            Ok(v.to_bits()),
            "{text}"
        );
        assert_eq!(
            (browser.len(), b),
            (rust.len(), r),
            "{v:e}: the browser writes {text}"
        );
        let n = browser.len();
        let tie = browser[..n - 1] == rust[..n - 1] && browser[n - 1].abs_diff(rust[n - 1]) == 1;
        assert!(browser == rust || tie, "{v:e}: the browser writes {text}");
        if browser != rust {
            ties += 1;
        }
    }
    // Ties are rare: at most one double in a thousand.
    assert!(ties <= 20, "{ties} ties");
}
