//! Classification data sets: five 2-D sets generated from a seed, the 8×8 handwritten digits, and
//! CSV files (a header, feature columns, then an integer `label` column).

use crate::matrix::Matrix;
use crate::message::{Message, ToMessage};
use crate::rng::Rng;
use std::f64::consts::PI;
use std::fmt;
#[cfg(feature = "embedded-digits")]
use std::io::Read;

/// Examples and their labels.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Split {
    /// One example per row.
    pub x: Matrix,
    pub t: Vec<usize>,
}

impl Split {
    /// Number of examples.
    pub fn len(&self) -> usize {
        self.t.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.t.is_empty()
    }
}

/// A data set: training examples, held-out examples if it has them, and what they mean.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub name: String,
    pub features: Vec<String>,
    pub classes: usize,
    pub train: Split,
    pub test: Option<Split>,
}

/// The names [`Dataset::generate`] knows.
pub const NAMES: [&str; 6] = ["spiral", "circles", "xor", "moons", "blobs", "digits"];

/// Examples per 2-D set (before the split), and the fraction held out.
pub const POINTS_2D: usize = 300;
pub const HELD_OUT: f64 = 0.2;

/// A data set or file that cannot be used: where (row and column, counted from 1, the header
/// being row 1 of a file) and what, as data (see [`crate::message`]); its `Display` is the
/// English sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct DataError {
    pub row: Option<usize>,
    pub column: Option<usize>,
    pub message: Message,
}

impl DataError {
    fn new(message: Message) -> Self {
        DataError {
            row: None,
            column: None,
            message,
        }
    }

    fn at(row: usize, column: Option<usize>, message: Message) -> Self {
        DataError {
            row: Some(row),
            column,
            message,
        }
    }
}

/// `row R, column C: message`, `row R: message` or the message alone.
impl ToMessage for DataError {
    fn to_message(&self) -> Message {
        let message = self.message.clone();
        match (self.row, self.column) {
            (Some(r), Some(c)) => Message::new("data.at-cell")
                .with("row", r)
                .with("column", c)
                .with("message", message),
            (Some(r), None) => Message::new("data.at-row")
                .with("row", r)
                .with("message", message),
            _ => message,
        }
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_message().english())
    }
}

impl std::error::Error for DataError {}

impl Dataset {
    /// The named set; the 2-D ones are drawn from `seed`, and every set's held-out split is the
    /// last fifth after a shuffle by `seed`.
    pub fn generate(name: &str, seed: u64) -> Result<Dataset, DataError> {
        let name = name.trim().to_ascii_lowercase();
        let mut rng = Rng::new(seed, 0);
        let (rows, classes, features): (Examples, usize, Vec<String>) = match name.as_str() {
            "spiral" => (spiral(&mut rng), 3, xy()),
            "circles" => (circles(&mut rng), 2, xy()),
            "xor" => (xor(&mut rng), 2, xy()),
            "moons" => (moons(&mut rng), 2, xy()),
            "blobs" => (blobs(&mut rng), 3, xy()),
            "digits" => (
                digits()?,
                10,
                (0..64).map(|i| format!("pixel{i}")).collect(),
            ),
            other => {
                return Err(DataError::new(
                    Message::new("data.unknown")
                        .with("name", other)
                        .with("names", NAMES.join(", ")),
                ))
            }
        };
        let mut order: Vec<usize> = (0..rows.len()).collect();
        rng.shuffle(&mut order);
        let test_len = (rows.len() as f64 * HELD_OUT).round() as usize;
        let (train, test) = order.split_at(rows.len() - test_len);
        let pick = |idx: &[usize]| {
            let mut split = Split {
                x: Matrix::zeros(idx.len(), features.len()),
                t: Vec::with_capacity(idx.len()),
            };
            for (r, &i) in idx.iter().enumerate() {
                split.x.data[r * features.len()..(r + 1) * features.len()]
                    .copy_from_slice(&rows[i].0);
                split.t.push(rows[i].1);
            }
            split
        };
        Ok(Dataset {
            train: pick(train),
            test: Some(pick(test)),
            name,
            features,
            classes,
        })
    }

    /// A data set from CSV text: a header, feature columns, then an integer `label` column (0,
    /// 1, …). Every example goes to training; there is no held-out split.
    pub fn from_csv(name: &str, text: &str) -> Result<Dataset, DataError> {
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
            .filter(|(_, l)| !l.trim().is_empty());
        let (header_row, header) = lines
            .next()
            .ok_or_else(|| DataError::new(Message::new("data.empty-file")))?;
        let names: Vec<String> = header.split(',').map(|s| s.trim().to_string()).collect();
        let label_col = names.len();
        if names.last().map(String::as_str) != Some("label") {
            let found = names.last().map(String::as_str).unwrap_or("");
            return Err(DataError::at(
                header_row,
                Some(label_col),
                Message::new("data.no-label").with("found", found),
            ));
        }
        if names.len() < 2 {
            return Err(DataError::at(
                header_row,
                None,
                Message::new("data.no-features"),
            ));
        }
        let d = names.len() - 1;
        let mut x = Vec::new();
        let mut t = Vec::new();
        for (row, line) in lines {
            let cells: Vec<&str> = line.split(',').collect();
            if cells.len() != names.len() {
                return Err(DataError::at(
                    row,
                    Some(cells.len().min(names.len()) + 1),
                    Message::new("data.wrong-count")
                        .with("count", cells.len())
                        .with("columns", names.len()),
                ));
            }
            for (c, cell) in cells[..d].iter().enumerate() {
                let cell = cell.trim();
                let v: f64 = crate::number::read(cell).ok_or_else(|| {
                    DataError::at(
                        row,
                        Some(c + 1),
                        Message::new("data.not-a-number")
                            .with("text", short(cell))
                            .with("feature", &names[c]),
                    )
                })?;
                if !v.is_finite() {
                    return Err(DataError::at(
                        row,
                        Some(c + 1),
                        Message::new("data.not-finite")
                            .with("feature", &names[c])
                            .with("text", cell),
                    ));
                }
                x.push(v);
            }
            let cell = cells[d].trim();
            let label: usize = cell.parse().ok().filter(|&l| l < 1000).ok_or_else(|| {
                DataError::at(
                    row,
                    Some(label_col),
                    Message::new("data.bad-label").with("text", short(cell)),
                )
            })?;
            t.push(label);
        }
        if t.is_empty() {
            return Err(DataError::new(Message::new("data.no-examples")));
        }
        let classes = t.iter().max().map_or(0, |m| m + 1).max(2);
        Ok(Dataset {
            name: name.to_string(),
            features: names[..d].to_vec(),
            classes,
            train: Split {
                x: Matrix {
                    rows: t.len(),
                    cols: d,
                    data: x,
                },
                t,
            },
            test: None,
        })
    }

    /// The examples as CSV, in the format [`Dataset::from_csv`] reads.
    pub fn to_csv(split: &Split, features: &[String]) -> String {
        let mut out = features.join(",");
        out.push_str(",label\n");
        for i in 0..split.len() {
            for v in split.x.row(i) {
                out.push_str(&format!("{v},"));
            }
            out.push_str(&format!("{}\n", split.t[i]));
        }
        out
    }
}

/// At most 20 characters of a cell, for messages.
fn short(s: &str) -> String {
    let mut out: String = s.chars().take(20).collect();
    if s.chars().count() > 20 {
        out.push('…');
    }
    out
}

/// Examples as (features, label) pairs, before they are split.
type Examples = Vec<(Vec<f64>, usize)>;

fn xy() -> Vec<String> {
    vec!["x".into(), "y".into()]
}

/// Three arms of a spiral, 100 points each (the CS231n set): r from 0 to 1, angle 4 radians per
/// arm with N(0, 0.2²) noise.
fn spiral(rng: &mut Rng) -> Examples {
    let per = POINTS_2D / 3;
    let mut out = Vec::with_capacity(POINTS_2D);
    for class in 0..3 {
        for i in 0..per {
            let r = i as f64 / (per - 1) as f64;
            let t = class as f64 * 4.0 + 4.0 * r + 0.2 * rng.normal();
            out.push((
                vec![r * crate::math::sin(t), r * crate::math::cos(t)],
                class,
            ));
        }
    }
    out
}

/// Two concentric circles, radius 1 (class 0) and 0.5 (class 1), N(0, 0.1²) noise per coordinate
/// (scikit-learn's `make_circles(noise=0.1, factor=0.5)`).
fn circles(rng: &mut Rng) -> Examples {
    (0..POINTS_2D)
        .map(|i| {
            let class = i % 2;
            let r = if class == 0 { 1.0 } else { 0.5 };
            let a = 2.0 * PI * rng.uniform();
            (
                vec![
                    r * crate::math::cos(a) + 0.1 * rng.normal(),
                    r * crate::math::sin(a) + 0.1 * rng.normal(),
                ],
                class,
            )
        })
        .collect()
}

/// Points uniform in [−1, 1]², class 1 where x and y have the same sign, kept 0.05 away from the
/// axes so the classes are separable.
fn xor(rng: &mut Rng) -> Examples {
    (0..POINTS_2D)
        .map(|_| {
            let away = |v: f64| v + 0.05 * v.signum();
            let x = away(1.9 * rng.uniform() - 0.95);
            let y = away(1.9 * rng.uniform() - 0.95);
            (vec![x, y], usize::from(x * y > 0.0))
        })
        .collect()
}

/// Two interleaved half-moons with N(0, 0.1²) noise (scikit-learn's `make_moons(noise=0.1)`),
/// centred on the origin.
fn moons(rng: &mut Rng) -> Examples {
    (0..POINTS_2D)
        .map(|i| {
            let class = i % 2;
            let a = PI * rng.uniform();
            let (x, y) = if class == 0 {
                (crate::math::cos(a), crate::math::sin(a))
            } else {
                (1.0 - crate::math::cos(a), 0.5 - crate::math::sin(a))
            };
            (
                vec![x - 0.5 + 0.1 * rng.normal(), y - 0.25 + 0.1 * rng.normal()],
                class,
            )
        })
        .collect()
}

/// Three Gaussian blobs (σ = 0.3) centred on a triangle of radius 1.
fn blobs(rng: &mut Rng) -> Examples {
    (0..POINTS_2D)
        .map(|i| {
            let class = i % 3;
            let a = PI / 2.0 + class as f64 * 2.0 * PI / 3.0;
            (
                vec![
                    crate::math::cos(a) + 0.3 * rng.normal(),
                    crate::math::sin(a) + 0.3 * rng.normal(),
                ],
                class,
            )
        })
        .collect()
}

/// The digits CSV a host gave with [`provide_digits`] (a build without the embedded data).
static PROVIDED_DIGITS: std::sync::OnceLock<Examples> = std::sync::OnceLock::new();

/// Gives the digits data (the text of `data/digits.csv.gz`, decompressed) to a build without the
/// embedded copy; the page fetches it when the digits are first chosen. Checks every row.
pub fn provide_digits(csv: &str) -> Result<(), DataError> {
    let examples = parse_digits(csv)?;
    // A second call gives the same data; keeping the first is right.
    let _ = PROVIDED_DIGITS.set(examples);
    Ok(())
}

/// Whether the digits can be used now.
pub fn digits_available() -> bool {
    cfg!(feature = "embedded-digits") || PROVIDED_DIGITS.get().is_some()
}

/// The 1797 handwritten digits shipped in `data/digits.csv.gz` (see `data/README.md`), pixels
/// 0…16 scaled to [0, 1].
fn digits() -> Result<Examples, DataError> {
    #[cfg(feature = "embedded-digits")]
    {
        static GZ: &[u8] = include_bytes!("../data/digits.csv.gz");
        let mut text = String::new();
        flate2::read::GzDecoder::new(GZ)
            .read_to_string(&mut text)
            .map_err(|e| {
                let reason = e.to_string();
                DataError::new(Message::new("data.digits-unreadable").with("reason", reason))
            })?;
        parse_digits(&text)
    }
    #[cfg(not(feature = "embedded-digits"))]
    {
        PROVIDED_DIGITS
            .get()
            .cloned()
            .ok_or_else(|| DataError::new(Message::new("data.digits-not-loaded")))
    }
}

/// Rows of 64 pixels 0…16 and a label 0…9, comma-separated.
fn parse_digits(text: &str) -> Result<Examples, DataError> {
    let mut out = Vec::with_capacity(1797);
    for (i, line) in text.lines().enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        let bad = || DataError::at(i + 1, None, Message::new("data.digits-damaged"));
        if cells.len() != 65 {
            return Err(bad());
        }
        let mut pixels = Vec::with_capacity(64);
        for c in &cells[..64] {
            pixels.push(crate::number::read(c.trim()).ok_or_else(bad)? / 16.0);
        }
        let label: usize = cells[64].trim().parse().map_err(|_| bad())?;
        if label > 9 {
            return Err(bad());
        }
        out.push((pixels, label));
    }
    if out.is_empty() {
        return Err(DataError::new(Message::new("data.digits-empty")));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_set_has_its_shape_and_all_its_classes() {
        for name in NAMES {
            let d = Dataset::generate(name, 1).unwrap();
            let test = d.test.as_ref().unwrap();
            let total = d.train.len() + test.len();
            assert_eq!(total, if name == "digits" { 1797 } else { POINTS_2D });
            assert_eq!(test.len(), (total as f64 * 0.2).round() as usize);
            assert_eq!(d.train.x.cols, d.features.len());
            for c in 0..d.classes {
                assert!(d.train.t.contains(&c), "{name} lacks class {c}");
            }
            assert!(d.train.x.data.iter().all(|v| v.is_finite()));
        }
        let digits = Dataset::generate("digits", 0).unwrap();
        let max = digits.train.x.data.iter().copied().fold(0.0, f64::max);
        assert_eq!(max, 1.0);
    }

    #[test]
    fn seeds_repeat_and_differ() {
        let a = Dataset::generate("spiral", 3).unwrap();
        assert_eq!(a, Dataset::generate("spiral", 3).unwrap());
        assert_ne!(a, Dataset::generate("spiral", 4).unwrap());
    }

    #[test]
    fn csv_round_trips_and_errors_say_where() {
        let d = Dataset::generate("moons", 2).unwrap();
        let text = Dataset::to_csv(&d.train, &d.features);
        let back = Dataset::from_csv("moons.csv", &text).unwrap();
        assert_eq!(back.train, d.train);
        let err = |t: &str| Dataset::from_csv("f", t).unwrap_err().to_string();
        assert_eq!(err(""), "the file is empty (expected a header line)");
        assert_eq!(
            err("a,b\n1,2\n"),
            "row 1, column 2: the last column must be 'label' (found 'b')"
        );
        assert_eq!(err("a,label\n"), "the file has a header but no examples");
        assert_eq!(
            err("a,b,label\n1,2,0\n1,x,1\n"),
            "row 3, column 2: 'x' (b) is not a number"
        );
        assert_eq!(
            err("a,b,label\n1,NaN,0\n"),
            "row 2, column 2: b is NaN; every value must be finite"
        );
        assert_eq!(
            err("a,b,label\n1,2\n"),
            "row 2, column 3: 2 values where the header has 3 columns"
        );
        assert_eq!(
            err("a,label\n1,-1\n"),
            "row 2, column 2: label '-1' is not a class number 0…999"
        );
        assert_eq!(
            err("a,label\n1,0.5\n"),
            "row 2, column 2: label '0.5' is not a class number 0…999"
        );
    }
}
