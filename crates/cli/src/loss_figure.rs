//! `gradscape compare --out`: the loss against the iteration, one curve per optimizer, as the
//! book's Figure 6-9. The raw loss on each mini-batch is drawn faintly and the book's smoothed
//! curve (`common/util.py`'s `smooth_curve`) over it, with the book's markers.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::figure::{self, Kind};

/// One optimizer's losses, first iteration first.
#[derive(Debug)]
pub struct Curve<'a> {
    pub label: &'a str,
    pub loss: &'a [f64],
}

/// Matplotlib's default colours (tab10), which the book's figures use.
const PALETTE: [RGBColor; 10] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0xe3, 0x77, 0xc2),
    RGBColor(0x7f, 0x7f, 0x7f),
    RGBColor(0xbc, 0xbd, 0x22),
    RGBColor(0x17, 0xbe, 0xcf),
];

/// The modified Bessel function I₀(x) = Σ (x/2)^(2m) / (m!)², summed until the terms stop
/// changing the total (a few dozen terms for the small x of a Kaiser window).
fn bessel_i0(x: f64) -> f64 {
    let q = x * x / 4.0;
    let mut term = 1.0;
    let mut sum = 1.0;
    for m in 1..500 {
        term *= q / (m * m) as f64;
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    sum
}

/// NumPy's `np.kaiser(len, beta)`: I₀(β·√(1 − ((n − α)/α)²)) / I₀(β), α = (len − 1)/2.
fn kaiser(len: usize, beta: f64) -> Vec<f64> {
    let alpha = (len - 1) as f64 / 2.0;
    (0..len)
        .map(|n| {
            let r = (n as f64 - alpha) / alpha;
            bessel_i0(beta * (1.0 - r * r).max(0.0).sqrt()) / bessel_i0(beta)
        })
        .collect()
}

/// The book's `smooth_curve`: a Kaiser window of 11 points (β = 2), normalised, slid along the
/// curve, which is mirrored at both ends first (without the first point at the start, with the
/// last point at the end, as the book's slices do). Curves shorter than the window mirror what
/// they have.
pub fn smooth_curve(x: &[f64]) -> Vec<f64> {
    const WINDOW: usize = 11;
    let n = x.len();
    if n < 2 {
        return x.to_vec();
    }
    let w = kaiser(WINDOW, 2.0);
    let total: f64 = w.iter().sum();
    let half = (WINDOW / 2) as isize;
    let last = n as isize - 1;
    let at = |j: isize| -> f64 {
        let k = if j < 0 {
            -j
        } else if j > last {
            2 * last + 1 - j
        } else {
            j
        };
        x[k.clamp(0, last) as usize]
    };
    (0..n as isize)
        .map(|i| {
            w.iter()
                .enumerate()
                .map(|(k, wk)| wk / total * at(i + k as isize - half))
                .sum()
        })
        .collect()
}

/// Writes the figure to `path`.
pub fn write(
    path: &Path,
    kind: Kind,
    size: (u32, u32),
    iterations: usize,
    curves: &[Curve<'_>],
) -> Result<(), String> {
    figure::register_font()?;
    let failed = |e: String| format!("could not write '{}': {e}", path.display());
    match kind {
        Kind::Svg => {
            let root = SVGBackend::new(path, size).into_drawing_area();
            draw(&root, iterations, curves).map_err(failed)?;
            root.present().map_err(|e| failed(e.to_string()))?;
        }
        Kind::Png => {
            let root = BitMapBackend::new(path, size).into_drawing_area();
            draw(&root, iterations, curves).map_err(failed)?;
            root.present().map_err(|e| failed(e.to_string()))?;
        }
    }
    Ok(())
}

/// The outline of the book's markers, in its order (SGD o, Momentum x, AdaGrad s, Adam D; a
/// triangle after), in pixels around (0, 0). All are one path, so every marker is the same type of
/// element: the circle a 16-gon, the cross one stroke out and back through its centre.
fn marker_path(k: usize, dx: i32) -> Vec<(i32, i32)> {
    let r = 4;
    let mut path = match k % 5 {
        0 => (0..=16)
            .map(|i| {
                let a = std::f64::consts::PI * f64::from(i) / 8.0;
                (
                    (f64::from(r) * a.cos()).round() as i32,
                    (f64::from(r) * a.sin()).round() as i32,
                )
            })
            .collect(),
        1 => vec![(-r, -r), (r, r), (0, 0), (-r, r), (r, -r)],
        2 => vec![(-r, -r), (r, -r), (r, r), (-r, r), (-r, -r)],
        3 => vec![
            (0, -r - 1),
            (r + 1, 0),
            (0, r + 1),
            (-r - 1, 0),
            (0, -r - 1),
        ],
        _ => vec![(0, -r - 1), (r + 1, r), (-r - 1, r), (0, -r - 1)],
    };
    for p in &mut path {
        p.0 += dx;
    }
    path
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    iterations: usize,
    curves: &[Curve<'_>],
) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(err)?;
    let smoothed: Vec<Vec<f64>> = curves.iter().map(|c| smooth_curve(c.loss)).collect();
    // The book fixes the loss axis at 0 to 1 for MNIST; other data start elsewhere (ln 3 for three
    // classes), so the axis reaches just past the highest smoothed loss. Raw spikes above it are
    // clipped.
    let highest = smoothed.iter().flatten().copied().fold(0.0, f64::max);
    let top = if highest > 0.0 { highest * 1.05 } else { 1.0 };
    let right = iterations.saturating_sub(1).max(1) as f64;

    let mut chart = ChartBuilder::on(root)
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..right, 0.0..top)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("iterations")
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_desc("loss")
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 17))
        .draw()
        .map_err(err)?;

    let points = |values: &[f64]| -> Vec<(f64, f64)> {
        values
            .iter()
            .enumerate()
            .map(|(i, &v)| (i as f64, v))
            .collect()
    };
    // Every raw curve first, so none covers another optimizer's smoothed line.
    for (k, curve) in curves.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        chart
            .draw_series(LineSeries::new(
                points(curve.loss),
                colour.mix(0.25).stroke_width(1),
            ))
            .map_err(err)?;
    }
    // The book marks every 100th of 2000 iterations: 20 marks per curve.
    let every = (iterations / 20).max(1);
    for (k, (curve, smooth)) in curves.iter().zip(&smoothed).enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let line = colour.stroke_width(2);
        chart
            .draw_series(LineSeries::new(points(smooth), line))
            .map_err(err)?
            .label(curve.label)
            .legend(move |(x, y)| {
                EmptyElement::at((x, y))
                    + PathElement::new(vec![(0, 0), (24, 0)], line)
                    + PathElement::new(marker_path(k, 12), line)
            });
        chart
            .draw_series(
                points(smooth)
                    .into_iter()
                    .step_by(every)
                    .map(|p| EmptyElement::at(p) + PathElement::new(marker_path(k, 0), line)),
            )
            .map_err(err)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .margin(12)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.4))
        .label_font(("sans-serif", 16))
        .draw()
        .map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bessel_and_kaiser_match_the_tables() {
        // Abramowitz & Stegun, table 9.8: I₀(1.2) = 1.393725584, I₀(2) = 2.279585302.
        assert!((bessel_i0(2.0) - 2.279_585_302).abs() < 1e-9);
        assert!((bessel_i0(1.2) - 1.393_725_584).abs() < 1e-9);
        assert_eq!(bessel_i0(0.0), 1.0);
        // np.kaiser(11, 2): the ends are 1/I₀(2), the centre 1, the second point
        // I₀(2·√(1 − 0.8²)) / I₀(2) = I₀(1.2) / I₀(2).
        let w = kaiser(11, 2.0);
        assert!((w[0] - 1.0 / 2.279_585_302).abs() < 1e-9);
        assert!((w[1] - 1.393_725_584 / 2.279_585_302).abs() < 1e-9);
        assert!((w[5] - 1.0).abs() < 1e-15);
        for k in 0..11 {
            assert_eq!(w[k], w[10 - k]);
        }
    }

    #[test]
    fn smoothing_keeps_constants_and_straight_lines() {
        let flat = smooth_curve(&[0.5; 30]);
        assert!(flat.iter().all(|v| (v - 0.5).abs() < 1e-15));
        // A symmetric window that sums to 1 leaves a straight line alone away from the ends.
        let line: Vec<f64> = (0..30).map(|i| 2.0 + 0.25 * i as f64).collect();
        let smooth = smooth_curve(&line);
        assert_eq!(smooth.len(), 30);
        for i in 5..25 {
            assert!((smooth[i] - line[i]).abs() < 1e-12, "{i}");
        }
        // At the start the mirror of i ↦ i is i ↦ |i|, which pulls the first point up.
        assert!(smooth[0] > line[0]);
        assert_eq!(smooth_curve(&[1.0, 3.0]).len(), 2);
        assert_eq!(smooth_curve(&[]), Vec::<f64>::new());
    }
}
