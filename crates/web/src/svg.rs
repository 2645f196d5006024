//! The plot as SVG (plotters' SVG backend), in a module of its own that the page loads only when
//! an SVG is asked for: the page's module stays as small as it is.
//!
//! The scene is rebuilt from the page's settings (the URL keys), so the figure is the one the
//! page shows. The surface, a pixel image, comes from the page as a PNG data URL and is embedded
//! as an `<image>`; the axes, paths, markers and arrows are vectors drawn by the same functions
//! that draw them on the page's canvases.
//!
//! It also holds [`baseline_draw_pixel`], the naive way to draw the surface (plotters'
//! `draw_pixel` for every pixel), which `npm run bench` times beside the page's own redraw. It is
//! here so that the page's module does not carry it.

use crate::{draw_axes, draw_overlay, js_error, pairs};
use gradscape_core::paint::Layout;
use gradscape_core::params::format_number;
use gradscape_core::render::viridis;
use gradscape_core::scene::Scene;
use gradscape_core::surface::{Function, ViewBox};
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

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

/// The most pixels [`baseline_draw_pixel`] draws: a 4096 × 4096 canvas.
const BASELINE_MAX_PIXELS: u64 = 4096 * 4096;

/// The comparison for `npm run bench`: `function` (a surface id or an expression in x and y)
/// over `[xmin, xmax] × [ymin, ymax]` drawn on `canvas`, resized to `width` × `height`, the
/// naive way: f at every pixel's centre, then plotters' `CanvasBackend::draw_pixel` for every
/// pixel with its viridis colour (on the log scale `t = ln(1 + f − min) / ln(1 + max − min)` if
/// `log`, else linear; grey where f has no finite value). No contour lines and no axes: the page's
/// redraw does more. Returns the number of pixels drawn; the caller times the call.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn baseline_draw_pixel(
    canvas: &HtmlCanvasElement,
    function: &str,
    xmin: f64,
    xmax: f64,
    ymin: f64,
    ymax: f64,
    width: u32,
    height: u32,
    log: bool,
) -> Result<f64, JsError> {
    let function = Function::parse(function).map_err(js_error)?;
    let view = ViewBox::new(xmin, xmax, ymin, ymax).map_err(js_error)?;
    let pixels = u64::from(width) * u64::from(height);
    if pixels == 0 || pixels > BASELINE_MAX_PIXELS {
        return Err(JsError::new(&format!(
            "the baseline's size must be 1×1 to 4096×4096 pixels, not {width}×{height}"
        )));
    }
    let (w, h) = (width as usize, height as usize);
    let (dx, dy) = (
        (view.xmax - view.xmin) / w as f64,
        (view.ymax - view.ymin) / h as f64,
    );
    // Row 0 is the top (ymax), each pixel sampled at its centre, as the page paints.
    let values: Vec<f64> = (0..h)
        .flat_map(|j| {
            let y = view.ymax - (j as f64 + 0.5) * dy;
            let function = &function;
            (0..w).map(move |i| function.value(view.xmin + (i as f64 + 0.5) * dx, y))
        })
        .collect();
    let (lo, hi) = values
        .iter()
        .filter(|f| f.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &f| {
            (lo.min(f), hi.max(f))
        });
    let range = hi - lo;
    let t_of = |f: f64| {
        if !(range > 0.0 && range.is_finite()) {
            0.5
        } else if log {
            (f - lo).ln_1p() / range.ln_1p()
        } else {
            (f - lo) / range
        }
    };
    canvas.set_width(width);
    canvas.set_height(height);
    let backend = CanvasBackend::with_canvas_object(canvas.clone())
        .ok_or_else(|| JsError::new("the baseline's canvas cannot be drawn on"))?;
    let root = backend.into_drawing_area();
    let grey = RGBColor(112, 112, 112);
    for (k, &f) in values.iter().enumerate() {
        let colour = if f.is_finite() {
            let [r, g, b] = viridis(t_of(f));
            RGBColor(r, g, b)
        } else {
            grey
        };
        // At most 4096 × 4096 pixels: the coordinates fit an i32.
        let (i, j) = ((k % w) as i32, (k / w) as i32);
        root.draw_pixel((i, j), &colour).map_err(js_error)?;
    }
    root.present().map_err(js_error)?;
    Ok(pixels as f64)
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
