//! Numerical gradients by central differences, as in the book's chapter 4.
//!
//! The analytic gradients of the surfaces and the backward pass of a network are checked against
//! these, and the page shows both side by side so a student can see how close they are.

/// The book's step for central differences (`h = 1e-4`): small enough for a good approximation,
/// large enough that rounding in `f(x + h) - f(x - h)` does not swamp it.
pub const H: f64 = 1e-4;

/// The gradient of `f` at `x` by central differences with step [`H`], one coordinate at a time,
/// exactly as the book's `numerical_gradient`: `(f(x + h·eᵢ) − f(x − h·eᵢ)) / (2h)`.
///
/// `x` is borrowed mutably because each coordinate is nudged in place and restored afterwards, as
/// the book does (it lets a network evaluate its loss with its own weights nudged, without copying
/// them). On return `x` holds its original values.
pub fn numerical_gradient(mut f: impl FnMut(&[f64]) -> f64, x: &mut [f64]) -> Vec<f64> {
    let mut grad = vec![0.0; x.len()];
    for i in 0..x.len() {
        let saved = x[i];
        x[i] = saved + H;
        let above = f(x);
        x[i] = saved - H;
        let below = f(x);
        grad[i] = (above - below) / (2.0 * H);
        x[i] = saved;
    }
    grad
}

/// [`numerical_gradient`] for a function of two variables, at the point `p = (x, y)`.
pub fn numerical_gradient_2d(f: impl Fn(f64, f64) -> f64, p: [f64; 2]) -> [f64; 2] {
    let mut xy = p;
    let g = numerical_gradient(|v| f(v[0], v[1]), &mut xy);
    [g[0], g[1]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn book_chapter_4_examples() {
        // The book's function_2 (x0² + x1²) at (3, 4), (0, 2) and (3, 0): gradients (6, 8), (0, 4), (6, 0).
        let f = |x: f64, y: f64| x * x + y * y;
        for (p, want) in [
            ([3.0, 4.0], [6.0, 8.0]),
            ([0.0, 2.0], [0.0, 4.0]),
            ([3.0, 0.0], [6.0, 0.0]),
        ] {
            let g = numerical_gradient_2d(f, p);
            assert!(
                (g[0] - want[0]).abs() < 1e-9 && (g[1] - want[1]).abs() < 1e-9,
                "{g:?}"
            );
        }
    }

    #[test]
    fn restores_the_point() {
        let mut x = vec![0.1, -2.5, 7.0];
        let before = x.clone();
        let g = numerical_gradient(|v| v.iter().map(|a| a * a * a).sum(), &mut x);
        assert_eq!(x, before);
        // d/da a³ = 3a²; central differences are exact up to h² for a cubic: error h² = 1e-8.
        for (gi, a) in g.iter().zip(&before) {
            assert!((gi - 3.0 * a * a).abs() < 2e-8, "{gi} vs {}", 3.0 * a * a);
        }
    }
}
