//! Reading numbers written in decimal (`2.5`, `-1e-3`, `.5`, `Infinity`), as Rust's `f64::from_str`
//! reads them: the same grammar, checked here, and the same value, the f64 nearest the decimal.
//!
//! The conversion itself is Rust's, or, with the feature `host-decimal`, a reader the host
//! supplies with [`set_reader`]: the page passes the browser's, which rounds correctly too, so
//! every text reads as the same f64, and the page's module is without Rust's reader and its
//! 10 KB table of powers of five.

#[cfg(feature = "host-decimal")]
static READER: std::sync::OnceLock<fn(&str) -> f64> = std::sync::OnceLock::new();

/// Supplies the reader of decimal text that [`read`] uses (once; later calls are ignored). It is
/// given text of Rust's grammar only (an optional sign, digits with at most one point, an
/// optional exponent) and must give the nearest f64, as JavaScript's `parseFloat` does.
#[cfg(feature = "host-decimal")]
pub fn set_reader(reader: fn(&str) -> f64) {
    let _ = READER.set(reader);
}

/// The f64 `text` stands for, or None where `f64::from_str` would fail: an optional sign, then
/// `inf`, `infinity` or `nan` in any case, or digits with at most one point and at least one
/// digit, then optionally `e` or `E`, a sign and digits. No spaces.
pub fn read(text: &str) -> Option<f64> {
    let (negative, body) = match (text.strip_prefix('-'), text.strip_prefix('+')) {
        (Some(rest), _) => (true, rest),
        (_, Some(rest)) => (false, rest),
        _ => (false, text),
    };
    let special = if body.eq_ignore_ascii_case("inf") || body.eq_ignore_ascii_case("infinity") {
        Some(f64::INFINITY)
    } else if body.eq_ignore_ascii_case("nan") {
        Some(f64::NAN)
    } else {
        None
    };
    if let Some(v) = special {
        return Some(if negative { -v } else { v });
    }
    if !is_decimal(body.as_bytes()) {
        return None;
    }
    convert(text)
}

/// Digits with at most one point and at least one digit, then optionally an exponent.
fn is_decimal(body: &[u8]) -> bool {
    let digits = |s: &[u8]| s.iter().take_while(|b| b.is_ascii_digit()).count();
    let whole = digits(body);
    let mut at = whole;
    let mut fraction = 0;
    if body.get(at) == Some(&b'.') {
        fraction = digits(&body[at + 1..]);
        at += 1 + fraction;
    }
    if whole + fraction == 0 {
        return false;
    }
    if matches!(body.get(at), Some(b'e' | b'E')) {
        at += 1;
        if matches!(body.get(at), Some(b'+' | b'-')) {
            at += 1;
        }
        let exponent = digits(&body[at..]);
        if exponent == 0 {
            return false;
        }
        at += exponent;
    }
    at == body.len()
}

#[cfg(not(feature = "host-decimal"))]
fn convert(text: &str) -> Option<f64> {
    text.parse().ok()
}

#[cfg(feature = "host-decimal")]
fn convert(text: &str) -> Option<f64> {
    READER.get().map(|reader| reader(text))
}

// Against Rust's own reader, which the host's stands in for.
#[cfg(all(test, not(feature = "host-decimal")))]
mod tests {
    use super::*;

    #[test]
    fn reads_what_rust_reads_and_refuses_what_it_refuses() {
        let texts = [
            "0",
            "-0",
            "+1.5",
            "2.5",
            ".5",
            "5.",
            "1e3",
            "1E-3",
            "-1.25e+2",
            "007",
            "1e400",
            "-1e400",
            "1e-400",
            "0.1",
            "0.30000000000000004",
            "inf",
            "-Infinity",
            "INF",
            "nan",
            "NaN",
            "-nan",
            "123456789012345678901234567890",
            "2.2250738585072011e-308",
            "4.9406564584124654e-324",
            "",
            "-",
            "+",
            ".",
            "e5",
            "1e",
            "1e+",
            "1.2.3",
            "1 ",
            " 1",
            "0x10",
            "1_000",
            "Infinityx",
            "in",
            "1e5.5",
            "--1",
            "+-1",
            "١",
        ];
        for text in texts {
            let ours = read(text);
            let rust = text.parse::<f64>().ok();
            assert_eq!(
                ours.map(f64::to_bits),
                rust.map(f64::to_bits),
                "{text:?}: {ours:?} but Rust reads {rust:?}"
            );
        }
    }

    #[test]
    fn the_nearest_double_by_hand() {
        // 0.1 is 0x3FB999999999999A; one more digit past the halfway point of 2^-1075 rounds up
        // to the smallest subnormal.
        assert_eq!(read("0.1").map(f64::to_bits), Some(0x3FB9_9999_9999_999A));
        assert_eq!(read("2.4703282292062328e-324"), Some(f64::from_bits(1)));
        assert_eq!(read("9007199254740993"), Some(9_007_199_254_740_992.0));
    }
}
