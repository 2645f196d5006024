//! Elementary functions, the same bits on every target.
//!
//! `f64::sin`, `f64::exp` and friends call the platform's libm natively (glibc, say) and a different
//! implementation in WebAssembly, which may round differently in the last bit. Every transcendental
//! function in the core goes through the pure-Rust `libm` crate instead, so a run in the CLI and the
//! same run in the browser give identical numbers. (`sqrt` and the arithmetic operators are exactly
//! rounded by IEEE 754 everywhere, so they need no wrapper.)

/// `v` limited to [lo, hi], as `f64::clamp` (NaN stays NaN) but without its check that
/// lo ≤ hi, whose panic message writes the bounds with Rust's float formatting (about 14 KB in a
/// WebAssembly module that otherwise leaves it out; see `number`). Where lo > hi, values below
/// lo give lo.
pub fn clamp(v: f64, lo: f64, hi: f64) -> f64 {
    if v < lo {
        lo
    } else if v > hi {
        hi
    } else {
        v
    }
}

/// x raised to the power y (C's `pow`, which Python's `**` on floats also calls).
///
/// `libm::pow` returns `x * x` for y = 2 and x for y = 1 after its checks for special values
/// (which give the same for NaN, infinite and ±1 x); answered here first, as the surfaces'
/// formulas and their power rule's slopes (`2 * pow(x, 1)`) ask them most.
#[inline]
pub fn pow(x: f64, y: f64) -> f64 {
    if y == 2.0 {
        return x * x;
    }
    if y == 1.0 {
        return x;
    }
    libm::pow(x, y)
}

/// `base` raised to the whole power `n`, correctly rounded (for results above about 1e-290).
///
/// Adam's bias correction needs β₁ᵗ and β₂ᵗ. The book computes them with Python's `**`, which calls
/// glibc's `pow`; the `libm` crate's `pow` is off by one unit in the last place for some of them
/// (0.9⁴, 0.999¹⁶), enough to move Figure 6-8's Adam path in its last digits. Exponentiation by
/// squaring in double-double arithmetic (about 106 bits) and one final rounding gives the
/// correctly rounded power, which is what glibc returns for every t up to a few hundred with the
/// usual betas, and it is the same on every target because it uses only + − ×.
///
/// Powers are remembered, for a few bases and n up to [`REMEMBERED`]: a start dragged on the
/// surface re-runs Adam's thousands of updates on every move, and its β₁ᵗ and β₂ᵗ do not change.
pub fn powi(base: f64, n: u32) -> f64 {
    let Ok(at) = usize::try_from(n) else {
        return powi_computed(base, n);
    };
    if at > REMEMBERED {
        return powi_computed(base, n);
    }
    POWERS.with(|powers| {
        let mut powers = powers.borrow_mut();
        let key = base.to_bits();
        let index = match powers.iter().position(|(b, _)| *b == key) {
            Some(i) => i,
            None => {
                if powers.len() == BASES {
                    powers.remove(0);
                }
                powers.push((key, Vec::new()));
                powers.len() - 1
            }
        };
        let table = &mut powers[index].1;
        if table.len() <= at {
            table.resize(at + 1, f64::NAN);
        }
        // NaN marks a power not yet computed (a finite base's powers are never NaN; a NaN base's
        // are recomputed, which is cheap).
        if table[at].is_nan() {
            table[at] = powi_computed(base, n);
        }
        table[at]
    })
}

/// The largest n whose powers [`powi`] remembers (a table of 8 bytes per n for each base).
pub const REMEMBERED: usize = 1 << 16;

/// How many bases [`powi`] remembers powers of (Adam's two betas, a schedule's gamma, and a
/// change of one of them), the oldest forgotten first.
const BASES: usize = 6;

thread_local! {
    static POWERS: std::cell::RefCell<Vec<(u64, Vec<f64>)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// [`powi`] computed: exponentiation by squaring in double-double arithmetic.
fn powi_computed(base: f64, n: u32) -> f64 {
    if !base.is_finite() || base.abs() > 1e150 {
        return pow(base, f64::from(n));
    }
    let mut result = (1.0, 0.0);
    let mut square = (base, 0.0);
    let mut n = n;
    while n > 0 {
        if n & 1 == 1 {
            result = dd_mul(result, square);
        }
        square = dd_mul(square, square);
        n >>= 1;
    }
    result.0 + result.1
}

/// Splits a into a high part with 26 significant bits and the rest (Dekker), so products of
/// halves are exact.
fn split(a: f64) -> (f64, f64) {
    let c = 134_217_729.0 * a; // 2^27 + 1
    let hi = c - (c - a);
    (hi, a - hi)
}

/// a·b as an unevaluated sum p + e, exactly (Dekker's two-product, no fused multiply-add needed).
fn two_product(a: f64, b: f64) -> (f64, f64) {
    let p = a * b;
    let (ah, al) = split(a);
    let (bh, bl) = split(b);
    (p, ((ah * bh - p) + ah * bl + al * bh) + al * bl)
}

/// The product of two double-double numbers (hi, lo), renormalised.
fn dd_mul(x: (f64, f64), y: (f64, f64)) -> (f64, f64) {
    let (p, e) = two_product(x.0, y.0);
    let e = e + (x.0 * y.1 + x.1 * y.0);
    let s = p + e;
    (s, e - (s - p))
}

/// e raised to the power x.
#[inline]
pub fn exp(x: f64) -> f64 {
    libm::exp(x)
}

/// The natural logarithm.
#[inline]
pub fn ln(x: f64) -> f64 {
    libm::log(x)
}

/// Sine of x (radians).
#[inline]
pub fn sin(x: f64) -> f64 {
    libm::sin(x)
}

/// Cosine of x (radians).
#[inline]
pub fn cos(x: f64) -> f64 {
    libm::cos(x)
}

/// Tangent of x (radians).
#[inline]
pub fn tan(x: f64) -> f64 {
    libm::tan(x)
}

/// Hyperbolic tangent.
#[inline]
pub fn tanh(x: f64) -> f64 {
    libm::tanh(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_powers_are_the_powers_computed() {
        // Asked in any order, twice, for more bases than are remembered: each answer is the
        // power computed afresh, bit for bit.
        let bases = [0.9, 0.999, 0.95, 0.5, 0.99, 0.8, 0.7, 1.1];
        for round in 0..2 {
            for (k, &b) in bases.iter().enumerate() {
                for n in [
                    0,
                    1,
                    2,
                    7,
                    16,
                    300,
                    4999,
                    5000,
                    1000,
                    REMEMBERED as u32,
                    REMEMBERED as u32 + 1,
                ] {
                    assert_eq!(
                        powi(b, n).to_bits(),
                        powi_computed(b, n).to_bits(),
                        "{b}^{n}, round {round}, base {k}"
                    );
                }
            }
        }
        assert!(powi(f64::NAN, 3).is_nan());
        assert_eq!(powi(f64::INFINITY, 2), f64::INFINITY);
    }

    #[test]
    fn pow_of_two_is_the_square_and_of_one_the_number() {
        for x in [
            0.1,
            -3.7,
            1e200,
            -0.0,
            1.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            assert_eq!(pow(x, 2.0).to_bits(), (x * x).to_bits(), "{x}");
            assert_eq!(pow(x, 2.0).to_bits(), libm::pow(x, 2.0).to_bits(), "{x}");
            assert_eq!(pow(x, 1.0).to_bits(), x.to_bits(), "{x}");
            assert_eq!(pow(x, 1.0).to_bits(), libm::pow(x, 1.0).to_bits(), "{x}");
        }
        assert!(pow(f64::NAN, 2.0).is_nan());
        assert!(pow(f64::NAN, 1.0).is_nan());
    }

    #[test]
    fn powi_is_correctly_rounded() {
        // 0.9⁴ = 0.6561 exactly in decimal; the nearest double to 0.9⁴ (0.9 itself rounded) is the
        // double nearest 0.6561, which is also what `0.9 * 0.9 * 0.9 * 0.9` gives here.
        assert_eq!(powi(0.9, 4), 0.6561);
        assert_eq!(powi(0.999, 1), 0.999);
        assert_eq!(powi(0.999, 2), 0.998001);
        assert_eq!(powi(0.5, 10), 1.0 / 1024.0);
        assert_eq!(powi(3.0, 0), 1.0);
        assert_eq!(powi(-2.0, 3), -8.0);
        // b² must equal the correctly rounded product b·b, which IEEE multiplication gives.
        for b in [0.109_138_542_222_293_58, 0.474_091_468_489_2, 0.999, 0.9] {
            assert_eq!(powi(b, 2), b * b);
        }
    }

    #[test]
    fn agrees_with_known_values() {
        assert_eq!(pow(2.0, 10.0), 1024.0);
        assert_eq!(pow(0.9, 2.0), 0.9 * 0.9);
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(ln(1.0), 0.0);
        assert!((exp(1.0) - std::f64::consts::E).abs() < 1e-15);
        assert!((sin(std::f64::consts::FRAC_PI_2) - 1.0).abs() < 1e-16);
        assert!((cos(std::f64::consts::PI) + 1.0).abs() < 1e-16);
        assert!((tan(std::f64::consts::FRAC_PI_4) - 1.0).abs() < 1e-15);
        assert!((tanh(1.0) - 0.761_594_155_955_764_9).abs() < 1e-15);
    }
}
