//! The text forms shared by the command line and the page's URL: start points, views and lists
//! of optimizers.
//!
//! `start=-7,2;3,4`, `view=-10,10,-5,5`, `opt=sgd(lr=0.95),momentum(lr=0.1,momentum=0.9)`: one parser
//! for each, so a figure made in a terminal and the page read the same strings the same way.

use crate::message::{Message, ToMessage};
use crate::optim::OptimizerConfig;
use crate::surface::ViewBox;

/// At most this many start points or optimizers in one list: more would not be readable, and a
/// pasted URL should not make the page run millions of trajectories.
pub const MAX_LIST: usize = 32;

fn number(text: &str, what: &'static str) -> Result<f64, Message> {
    let value: f64 = crate::number::read(text.trim()).ok_or_else(|| {
        Message::new("param.not-a-number")
            .with("name", what)
            .with("text", text.trim())
    })?;
    if value.is_finite() {
        Ok(value)
    } else {
        Err(Message::new("param.not-finite")
            .with("name", what)
            .with("text", text.trim()))
    }
}

/// A point `x,y`, both finite.
pub fn parse_point(text: &str) -> Result<[f64; 2], Message> {
    let parts: Vec<&str> = text.split(',').collect();
    if parts.len() != 2 {
        return Err(Message::new("param.bad-point").with("text", text.trim()));
    }
    Ok([number(parts[0], "x")?, number(parts[1], "y")?])
}

/// Points separated by `;`: `-7,2;3,4`.
pub fn parse_points(text: &str) -> Result<Vec<[f64; 2]>, Message> {
    let points = text
        .split(';')
        .filter(|p| !p.trim().is_empty())
        .map(parse_point)
        .collect::<Result<Vec<_>, _>>()?;
    if points.is_empty() {
        return Err(Message::new("param.no-points"));
    }
    if points.len() > MAX_LIST {
        return Err(Message::new("param.too-many-points")
            .with("max", MAX_LIST)
            .with("count", points.len()));
    }
    Ok(points)
}

/// A view `xmin,xmax,ymin,ymax`.
pub fn parse_view(text: &str) -> Result<ViewBox, Message> {
    let parts: Vec<&str> = text.split(',').collect();
    if parts.len() != 4 {
        return Err(Message::new("param.bad-view").with("text", text.trim()));
    }
    let mut v = [0.0; 4];
    for (slot, (part, name)) in v
        .iter_mut()
        .zip(parts.iter().zip(["xmin", "xmax", "ymin", "ymax"]))
    {
        *slot = number(part, name)?;
    }
    ViewBox::new(v[0], v[1], v[2], v[3])
}

/// The items of a list separated by commas outside parentheses, empty ones left out:
/// `sgd(lr=0.95),momentum(lr=0.1,momentum=0.9)` → `sgd(lr=0.95)`, `momentum(lr=0.1,momentum=0.9)`.
pub fn split_list(text: &str) -> Result<Vec<&str>, Message> {
    let mut items = Vec::new();
    let mut depth = 0i32;
    let mut begin = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                items.push(text.get(begin..i).unwrap_or_default());
                begin = i + 1;
            }
            _ => {}
        }
        if depth < 0 {
            return Err(Message::new("param.unmatched-close").with("text", text.trim()));
        }
    }
    items.push(text.get(begin..).unwrap_or_default());
    items.retain(|s| !s.trim().is_empty());
    Ok(items)
}

/// Optimizers separated by commas outside parentheses:
/// `sgd(lr=0.95),momentum(lr=0.1,momentum=0.9),adagrad`.
pub fn parse_optimizers(text: &str) -> Result<Vec<OptimizerConfig>, Message> {
    let items = split_list(text)?;
    let configs = items
        .into_iter()
        .map(|s| s.parse::<OptimizerConfig>().map_err(|e| e.to_message()))
        .collect::<Result<Vec<_>, _>>()?;
    if configs.is_empty() {
        return Err(Message::new("param.no-optimizers"));
    }
    if configs.len() > MAX_LIST {
        return Err(Message::new("param.too-many-optimizers")
            .with("max", MAX_LIST)
            .with("count", configs.len()));
    }
    Ok(configs)
}

/// `value` rounded at a precision of about 1/10,000 of `span` (to a power of ten): positions that
/// come from a pointer carry no more digits than the pointer can mean, and URLs stay short.
pub fn tidy(value: f64, span: f64) -> f64 {
    if !value.is_finite() || !span.is_finite() || span <= 0.0 {
        return value;
    }
    let exponent = (span / 10_000.0).log10().floor();
    let step = crate::math::pow(10.0, exponent);
    let rounded = (value / step).round() * step;
    // Printing with the step's number of decimals and reading back removes the binary noise of
    // the multiplication (0.30000000000000004).
    let decimals = (-exponent).clamp(0.0, 300.0) as usize;
    crate::number::read(&crate::number::fixed(rounded, decimals)).unwrap_or(rounded)
}

/// `v` as the URL, the CLI and messages show it: the shortest text that reads back as `v`, with
/// an exponent for very large or very small magnitudes (`1e300`, not three hundred digits), and
/// no `.0` on whole numbers (`-7`). Only messages show a value that is not finite: `Infinity`,
/// `-Infinity` and `NaN`, as a URL or JavaScript writes them (and they read back too).
pub fn format_number(v: f64) -> String {
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    crate::number::general(v)
}

/// The form [`parse_optimizers`] reads.
pub fn format_optimizers(configs: &[OptimizerConfig]) -> String {
    configs
        .iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_back_and_stay_short() {
        for (v, text) in [
            (-7.0, "-7"),
            (0.95, "0.95"),
            (2.5e-3, "0.0025"),
            (1e300, "1e300"),
            (-1.5e-300, "-1.5e-300"),
            (123456.0, "123456"),
        ] {
            assert_eq!(format_number(v), text);
            assert_eq!(text.parse::<f64>(), Ok(v));
        }
        assert_eq!(format_number(f64::INFINITY), "Infinity");
        assert_eq!(format_number(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(format_number(f64::NAN), "NaN");
        assert_eq!("-Infinity".parse::<f64>(), Ok(f64::NEG_INFINITY));
    }

    #[test]
    fn points() {
        assert_eq!(parse_point("-7,2"), Ok([-7.0, 2.0]));
        assert_eq!(parse_point(" 1e-3 , -0.5 "), Ok([0.001, -0.5]));
        assert_eq!(parse_points("-7,2;3,4;"), Ok(vec![[-7.0, 2.0], [3.0, 4.0]]));
        for bad in ["", "1", "1,2,3", "a,1", "nan,1", "1,inf", "1e999,0"] {
            assert!(parse_point(bad).is_err(), "{bad}");
        }
        assert!(parse_points(";").is_err());
        assert!(parse_points(&"1,1;".repeat(33)).is_err());
    }

    #[test]
    fn tidy_rounds_to_the_view() {
        assert_eq!(tidy(-6.123_456_789, 20.0), -6.123);
        assert_eq!(tidy(0.1 + 0.2, 1.0), 0.3);
        assert_eq!(tidy(1234.5678, 1e6), 1200.0);
        assert!(tidy(f64::NAN, 1.0).is_nan());
        assert_eq!(tidy(2.5, 0.0), 2.5);
    }

    #[test]
    fn views() {
        let v = parse_view("-10,10,-5,5").unwrap();
        assert_eq!((v.xmin, v.xmax, v.ymin, v.ymax), (-10.0, 10.0, -5.0, 5.0));
        for bad in ["1,2,3", "2,1,0,1", "0,1,1,1", "0,1,x,2", "0,1,0,inf"] {
            assert!(parse_view(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn optimizer_lists() {
        let list =
            parse_optimizers("sgd(lr=0.95),momentum(lr=0.1,momentum=0.9),adagrad(lr=1.5)").unwrap();
        assert_eq!(
            list.iter().map(|c| c.id()).collect::<Vec<_>>(),
            ["sgd", "momentum", "adagrad"]
        );
        assert_eq!(list[1].hyperparameters(), [("lr", 0.1), ("momentum", 0.9)]);
        assert_eq!(parse_optimizers(&format_optimizers(&list)).unwrap(), list);
        for bad in ["", "sgd(lr=0.1))", "sgd,newton", "sgd(lr=-1)"] {
            assert!(parse_optimizers(bad).is_err(), "{bad}");
        }
    }
}
