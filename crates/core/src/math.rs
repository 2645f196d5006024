//! Elementary functions, the same bits on every target.
//!
//! `f64::sin`, `f64::exp` and friends call the platform's libm natively (glibc, say) and a different
//! implementation in WebAssembly, which may round differently in the last bit. Every transcendental
//! function in the core goes through the pure-Rust `libm` crate instead, so a run in the CLI and the
//! same run in the browser give identical numbers. (`sqrt` and the arithmetic operators are exactly
//! rounded by IEEE 754 everywhere, so they need no wrapper.)

/// x raised to the power y (C's `pow`, which Python's `**` on floats also calls).
#[inline]
pub fn pow(x: f64, y: f64) -> f64 {
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
pub fn powi(base: f64, n: u32) -> f64 {
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
