//! The plot as SVG (plotters' SVG backend), in a module of its own that the page loads only when
//! an SVG is asked for: the page's module stays as small as it is.
//!
//! The scene is rebuilt from the page's settings (the URL keys), so the figure is the one the
//! page shows. The surface, a pixel image, comes from the page as a PNG data URL and is embedded
//! as an `<image>`; the axes, paths, markers and arrows are vectors drawn by the same functions
//! that draw them on the page's canvases.

use crate::{draw_axes, draw_overlay, js_error, pairs};
use gradscape_core::paint::Layout;
use gradscape_core::params::format_number;
use gradscape_core::scene::Scene;
use plotters::prelude::*;
use wasm_bindgen::prelude::*;

/// The plot for the settings `keys`/`values` (as the page's `state()`), `width` × `height` CSS
/// pixels drawn at `scale` (1, or the projector theme's larger type and lines), at animation
/// `step`, with the step's arrows if `arrows`. `surface` is the heatmap as an image URL (a PNG
/// data URL), stretched over the plot rectangle; empty for none.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn export_svg(
    keys: Vec<String>,
    values: Vec<String>,
    width: f64,
    height: f64,
    scale: f64,
    step: usize,
    arrows: bool,
    surface: &str,
) -> Result<String, JsError> {
    let (scene, _) = Scene::from_params(&pairs(&keys, &values));
    let options = Figure {
        width,
        height,
        scale,
        step,
        arrows,
        surface,
    };
    figure(&scene, &options).map_err(js_error)
}

/// How to draw the figure; see [`export_svg`].
#[derive(Debug, Clone, Copy)]
pub struct Figure<'a> {
    /// Size in CSS pixels.
    pub width: f64,
    pub height: f64,
    /// 1, or the projector theme's larger type and lines.
    pub scale: f64,
    /// The animation step drawn.
    pub step: usize,
    /// Whether the step's arrows are drawn.
    pub arrows: bool,
    /// The heatmap as an image data URL; empty for none.
    pub surface: &'a str,
}

/// The SVG text of `scene`; see [`export_svg`].
pub fn figure(scene: &Scene, options: &Figure<'_>) -> Result<String, String> {
    let (width, height, scale, surface) = (
        options.width,
        options.height,
        options.scale,
        options.surface,
    );
    if !(width.is_finite() && height.is_finite() && width >= 1.0 && height >= 1.0) {
        return Err(format!(
            "the figure's size must be at least 1×1, not {}×{}",
            format_number(width),
            format_number(height)
        ));
    }
    if !(scale.is_finite() && (0.25..=8.0).contains(&scale)) {
        return Err(format!(
            "the figure's scale must be 0.25 to 8, not {}",
            format_number(scale)
        ));
    }
    if !(surface.is_empty() || surface.starts_with("data:image/")) {
        return Err("the surface must be an image data URL".into());
    }
    let layout = Layout::new(width, height, scale, scene.view());
    let size = (layout.device_width(), layout.device_height());
    let mut axes = String::new();
    {
        let root = SVGBackend::with_string(&mut axes, size).into_drawing_area();
        draw_axes(&root, &layout, ["x", "y"])?;
        root.present().map_err(|e| e.to_string())?;
    }
    let mut overlay = String::new();
    {
        let root = SVGBackend::with_string(&mut overlay, size).into_drawing_area();
        draw_overlay(&root, scene, &layout, options.step, options.arrows)?;
        root.present().map_err(|e| e.to_string())?;
    }
    let (w, h) = size;
    let (x, y, pw, ph) = (
        layout.plot_left,
        layout.plot_top,
        layout.plot_width,
        layout.plot_height,
    );
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" \
         width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\">\n\
         <rect width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\n"
    );
    if !surface.is_empty() {
        // A data URL holds no quote, angle bracket or ampersand that could break out of the
        // attribute; escape them anyway.
        let href = surface
            .replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('<', "&lt;");
        out.push_str(&format!(
            "<image x=\"{x}\" y=\"{y}\" width=\"{pw}\" height=\"{ph}\" preserveAspectRatio=\"none\" \
             href=\"{href}\"/>\n"
        ));
    }
    out.push_str(inner(&axes));
    out.push_str(&format!(
        "<clipPath id=\"gradscape-plot\"><rect x=\"{x}\" y=\"{y}\" width=\"{pw}\" height=\"{ph}\"/></clipPath>\n\
         <g clip-path=\"url(#gradscape-plot)\">\n"
    ));
    out.push_str(inner(&overlay));
    out.push_str("</g>\n</svg>\n");
    Ok(out)
}

/// What lies between plotters' `<svg ...>` and `</svg>`.
fn inner(svg: &str) -> &str {
    let start = svg.find('>').map_or(0, |i| i + 1);
    let end = svg.rfind("</svg>").unwrap_or(svg.len()).max(start);
    &svg[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book() -> Scene {
        Scene::from_params(&[("preset".to_string(), "book-6-8".to_string())]).0
    }

    /// A 640×480 figure at scale 1, step 0, no arrows, no surface.
    const PLAIN: Figure<'static> = Figure {
        width: 640.0,
        height: 480.0,
        scale: 1.0,
        step: 0,
        arrows: false,
        surface: "",
    };

    #[test]
    fn each_path_is_a_polyline_through_the_worlds_pixels() {
        let scene = book();
        let whole = Figure {
            step: scene.steps(),
            ..PLAIN
        };
        let svg = figure(&scene, &whole).expect("svg");
        assert!(svg.starts_with("<svg "));
        assert!(svg.trim_end().ends_with("</svg>"));
        let layout = Layout::new(640.0, 480.0, 1.0, scene.view());
        let at = |p: [f64; 2]| {
            let d = layout.world_to_device(p);
            format!("{},{}", d[0].round(), d[1].round())
        };
        // Every optimizer of the book's Figure 6-8 starts at (−7, 2); its path is a polyline in
        // its colour from there.
        for i in 0..scene.optimizers().len() {
            let stroke = format!("stroke=\"{}\"", Scene::colour(i).to_uppercase());
            let begin = format!("points=\"{} ", at([-7.0, 2.0]));
            assert!(
                svg.lines().any(|l| l.starts_with("<polyline")
                    && l.contains(&stroke)
                    && l.contains(&begin)),
                "optimizer {i}: {svg}"
            );
        }
        // SGD (lr 0.95) on x²/20 + y², by hand: ∇f(−7, 2) = (−0.7, 4), so the first step goes to
        // (−7 + 0.665, 2 − 3.8) = (−6.335, −1.8).
        let sgd = format!("stroke=\"{}\"", Scene::colour(0).to_uppercase());
        let first = format!("points=\"{} {} ", at([-7.0, 2.0]), at([-6.335, -1.8]));
        assert!(
            svg.lines().any(|l| l.contains(&sgd) && l.contains(&first)),
            "{svg}"
        );
    }

    #[test]
    fn bad_sizes_and_surfaces_are_refused() {
        let scene = book();
        assert!(figure(&scene, &PLAIN).is_ok());
        let bad = [
            Figure {
                width: f64::NAN,
                ..PLAIN
            },
            Figure {
                width: 0.0,
                ..PLAIN
            },
            Figure {
                scale: 1e9,
                ..PLAIN
            },
            Figure {
                surface: "javascript:alert(1)",
                ..PLAIN
            },
        ];
        for options in bad {
            assert!(figure(&scene, &options).is_err(), "{options:?}");
        }
        // Numbers in the message as the address would hold them.
        let huge = Figure {
            scale: 1e300,
            ..PLAIN
        };
        assert_eq!(
            figure(&scene, &huge).unwrap_err(),
            "the figure's scale must be 0.25 to 8, not 1e300"
        );
    }
}
