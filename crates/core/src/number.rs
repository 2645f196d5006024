//! Numbers in decimal text, both ways.
//!
//! Reading (`2.5`, `-1e-3`, `.5`, `Infinity`) is as Rust's `f64::from_str` reads: the same
//! grammar, checked here, and the same value, the f64 nearest the decimal. The conversion itself
//! is Rust's, or, with the feature `host-decimal`, a reader the host supplies with
//! [`set_reader`]: the page passes the browser's, which rounds correctly too, so every text reads
//! as the same f64, and the page's module is without Rust's reader and its 10 KB table of powers
//! of five.
//!
//! Writing starts from one conversion, [`shortest_digits`]: the shortest decimal that reads back
//! as the value (Rust's `{:e}`, or with `host-decimal` the host's writer, given by
//! [`set_writer`]: the page passes JavaScript's `String(v)`, which gives as many digits, reading
//! back as the same value; only where two texts are equally near the value may its last digit
//! differ from Rust's). Every other form is laid out from those digits here: [`general`] (as
//! Rust's `{:?}` without `.0`), [`fixed`] and [`scientific`] (as `{:.2}` and `{:.1e}`). The
//! page's modules are then without Rust's float formatting (about 10 KB gzipped with what it
//! brings). Rounding to fewer places works on the shortest digits, half up: it differs from
//! Rust's, which rounds the exact binary value half to even, only where the shortest digits end
//! in a 5 just past the cut (`0.125` to two places: `0.13`, Rust `0.12`), and where more places
//! are asked than the shortest digits have, zeros follow them (Rust goes on with the binary
//! value's own digits).

#[cfg(feature = "host-decimal")]
static READER: std::sync::OnceLock<fn(&str) -> f64> = std::sync::OnceLock::new();

/// Supplies the reader of decimal text that [`read`] uses (once; later calls are ignored). It is
/// given text of Rust's grammar only (an optional sign, digits with at most one point, an
/// optional exponent) and must give the nearest f64, as JavaScript's `parseFloat` does.
#[cfg(feature = "host-decimal")]
pub fn set_reader(reader: fn(&str) -> f64) {
    let _ = READER.set(reader);
}

#[cfg(feature = "host-decimal")]
static WRITER: std::sync::OnceLock<fn(f64) -> String> = std::sync::OnceLock::new();

/// Supplies the writer that [`shortest_digits`] uses (once; later calls are ignored). It is given
/// finite positive values and must give the shortest decimal text that reads back as the value,
/// plain or with an exponent (`0.00015`, `123.5`, `1.5e-7`, `1e+21`), as JavaScript's `String(v)`
/// does.
#[cfg(feature = "host-decimal")]
pub fn set_writer(writer: fn(f64) -> String) {
    let _ = WRITER.set(writer);
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

#[cfg(not(feature = "host-decimal"))]
fn write_shortest(v: f64) -> String {
    format!("{v:e}")
}

#[cfg(feature = "host-decimal")]
fn write_shortest(v: f64) -> String {
    WRITER.get().map(|writer| writer(v)).unwrap_or_default()
}

/// The shortest decimal that reads back as `|v|` (finite and not zero): its significant digits
/// as ASCII, without leading or trailing zeros, and the power of ten of the first.
/// `1.5e-7` gives (`15`, -7), `120` gives (`12`, 2).
pub fn shortest_digits(v: f64) -> (Vec<u8>, i32) {
    digits_of(&write_shortest(v.abs()))
}

/// The significant digits and the first one's power of ten, as [`shortest_digits`] gives them,
/// of a decimal written plain or with an exponent (`0.00015`, `1.5e-7`, `1e+21`); `(0, 0)` where
/// there are none.
pub fn digits_of(text: &str) -> (Vec<u8>, i32) {
    let (mantissa, exponent) = text.split_once(['e', 'E']).unwrap_or((text, "0"));
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut exponent = exponent.parse::<i32>().unwrap_or(0) + whole.len() as i32 - 1;
    let all = whole.bytes().chain(fraction.bytes());
    let mut digits: Vec<u8> = all
        .filter(u8::is_ascii_digit)
        .skip_while(|&d| {
            let zero = d == b'0';
            exponent -= i32::from(zero);
            zero
        })
        .collect();
    while digits.last() == Some(&b'0') {
        digits.pop();
    }
    if digits.is_empty() {
        return (vec![b'0'], 0);
    }
    (digits, exponent)
}

/// `digits` (the first at power `exponent`) rounded half up to `keep` digits (at least one),
/// without trailing zeros; a carry past the first digit raises the exponent (`996` to two: `1`,
/// one power higher).
pub fn round_digits(mut digits: Vec<u8>, mut exponent: i32, keep: usize) -> (Vec<u8>, i32) {
    let keep = keep.max(1);
    if digits.len() > keep {
        let up = digits[keep] >= b'5';
        digits.truncate(keep);
        if up {
            let mut i = keep;
            loop {
                if i == 0 {
                    digits.insert(0, b'1');
                    digits.truncate(keep);
                    exponent += 1;
                    break;
                }
                i -= 1;
                if digits[i] == b'9' {
                    digits[i] = b'0';
                } else {
                    digits[i] += 1;
                    break;
                }
            }
        }
    }
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    (digits, exponent)
}

/// `digits` (the first at power `exponent`) written without an exponent, with at least
/// `decimals` digits after the point (zeros added), and none where there are none to show.
pub fn plain(digits: &[u8], exponent: i32, decimals: usize) -> String {
    let mut out = String::new();
    let mut fraction = Vec::new();
    if exponent < 0 {
        out.push('0');
        fraction.resize((-exponent - 1) as usize, b'0');
        fraction.extend_from_slice(digits);
    } else {
        let units = exponent as usize + 1;
        let (whole, rest) = digits.split_at(units.min(digits.len()));
        out.extend(whole.iter().map(|&d| char::from(d)));
        out.extend(std::iter::repeat_n('0', units - whole.len()));
        fraction.extend_from_slice(rest);
    }
    if fraction.len() < decimals {
        fraction.resize(decimals, b'0');
    }
    if !fraction.is_empty() {
        out.push('.');
        out.extend(fraction.iter().map(|&d| char::from(d)));
    }
    out
}

fn sign(v: f64) -> &'static str {
    if v.is_sign_negative() {
        "-"
    } else {
        ""
    }
}

/// `v` as Rust's `{:?}` writes it, less a `.0` on whole numbers: the shortest text that reads
/// back as `v`, plain from 1e-4 up to 1e16 and with an exponent beyond (`1e16`, `1.5e-7`);
/// `inf`, `-inf`, `NaN` as Rust writes them.
pub fn general(v: f64) -> String {
    if !v.is_finite() {
        return if v.is_nan() {
            "NaN"
        } else if v > 0.0 {
            "inf"
        } else {
            "-inf"
        }
        .into();
    }
    if v == 0.0 {
        return format!("{}0", sign(v));
    }
    let (digits, exponent) = shortest_digits(v);
    if (1e-4..1e16).contains(&v.abs()) {
        format!("{}{}", sign(v), plain(&digits, exponent, 0))
    } else {
        format!("{}{}e{exponent}", sign(v), plain(&digits, 0, 0))
    }
}

/// `v` with exactly `decimals` digits after the point, as `{:.N}` writes it (but rounded from
/// the shortest digits: see the module's note). Not finite: as [`general`].
pub fn fixed(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return general(v);
    }
    let (mut digits, mut exponent) = if v == 0.0 {
        (vec![b'0'], 0)
    } else {
        shortest_digits(v)
    };
    let keep = exponent + 1 + decimals as i32;
    if keep > 0 {
        (digits, exponent) = round_digits(digits, exponent, keep as usize);
    } else if keep == 0 && digits[0] >= b'5' {
        (digits, exponent) = (vec![b'1'], exponent + 1);
    } else {
        (digits, exponent) = (vec![b'0'], 0);
    }
    format!("{}{}", sign(v), plain(&digits, exponent, decimals))
}

/// `v` with an exponent and exactly `decimals` digits after the mantissa's point, as `{:.Ne}`
/// writes it (`1.5e-7`, `2.0e6`; rounded as [`fixed`]). Not finite: as [`general`].
pub fn scientific(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return general(v);
    }
    let (digits, exponent) = if v == 0.0 {
        (vec![b'0'], 0)
    } else {
        let (digits, exponent) = shortest_digits(v);
        round_digits(digits, exponent, decimals + 1)
    };
    format!("{}{}e{exponent}", sign(v), plain(&digits, 0, decimals))
}

// Against Rust's own reader and writer, which the host's stand in for.
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

    #[test]
    fn digits_of_plain_and_exponent_forms_as_javascript_and_rust_write_them() {
        let d = |t: &str| {
            let (digits, e) = digits_of(t);
            (String::from_utf8(digits).unwrap(), e)
        };
        assert_eq!(d("1.5e-7"), ("15".into(), -7));
        assert_eq!(d("0.00015"), ("15".into(), -4));
        assert_eq!(d("123.5"), ("1235".into(), 2));
        assert_eq!(d("120"), ("12".into(), 2));
        assert_eq!(d("1e+21"), ("1".into(), 21));
        assert_eq!(d("1e21"), ("1".into(), 21));
        assert_eq!(d("5e-324"), ("5".into(), -324));
        assert_eq!(d(""), ("0".into(), 0));
    }

    #[test]
    fn hand_worked_layouts() {
        assert_eq!(fixed(0.125, 2), "0.13", "half up on the shortest digits");
        assert_eq!(fixed(2.5, 0), "3");
        assert_eq!(fixed(0.006, 2), "0.01");
        assert_eq!(fixed(0.004, 2), "0.00");
        assert_eq!(fixed(-0.004, 2), "-0.00", "as Rust keeps the sign");
        assert_eq!(fixed(9.999, 2), "10.00");
        assert_eq!(fixed(1234.0, 1), "1234.0");
        assert_eq!(fixed(0.0, 3), "0.000");
        assert_eq!(scientific(1.0e6, 1), "1.0e6");
        assert_eq!(scientific(-2.54e-7, 1), "-2.5e-7");
        assert_eq!(scientific(9.96e-7, 1), "1.0e-6");
        assert_eq!(general(1e16), "1e16");
        assert_eq!(general(1.5e-7), "1.5e-7");
        assert_eq!(general(0.0001), "0.0001");
        assert_eq!(general(-7.0), "-7");
        assert_eq!(general(-0.0), "-0");
        assert_eq!(general(0.1 + 0.2), "0.30000000000000004");
    }

    proptest::proptest! {
        // Rust's `{:?}` for any f64 (its bits drawn at random), less a `.0`.
        #[test]
        fn general_is_rusts_debug(bits in proptest::num::u64::ANY) {
            let v = f64::from_bits(bits);
            let rust = format!("{v:?}");
            let rust = rust.strip_suffix(".0").unwrap_or(&rust);
            proptest::prop_assert_eq!(general(v), rust);
        }

        // Where the shortest digits reach past the cut, and do not end in a 5 just past it,
        // Rust's exact rounding and ours agree; where they stop before it, ours shows them
        // (and zeros), which read back as v, where Rust goes on into the binary value's digits.
        #[test]
        fn fixed_and_scientific_are_rusts_away_from_ties(
            v in -1e9f64..1e9,
            scale in -12i32..12,
            decimals in 0usize..8,
        ) {
            let v = v * 10f64.powi(scale);
            let (digits, exponent) = shortest_digits(v);
            let cut = exponent + 1 + decimals as i32;
            let tie = digits.len() as i32 == cut + 1 && digits.last() == Some(&b'5');
            if digits.len() as i32 <= cut {
                proptest::prop_assert_eq!(fixed(v, decimals).parse::<f64>(), Ok(v));
            } else if !tie {
                proptest::prop_assert_eq!(fixed(v, decimals), format!("{v:.decimals$}"));
            }
            let cut = decimals + 1;
            let tie = digits.len() == cut + 1 && digits.last() == Some(&b'5');
            if digits.len() <= cut {
                proptest::prop_assert_eq!(scientific(v, decimals).parse::<f64>(), Ok(v));
            } else if !tie {
                proptest::prop_assert_eq!(scientific(v, decimals), format!("{v:.decimals$e}"));
            }
        }
    }
}
