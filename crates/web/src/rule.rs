//! The update rule's module (feature `rule`), fetched once the page is ready: the core's account
//! of one update of a run ([`gradscape_core::explain`]), replayed along the run's path, which the
//! page copies here from the surfaces' module whenever its runs have been recomputed
//! (`Viz::rule_run`, `Viz::rule_path`). The surfaces' module itself is without the explanation
//! and its lines (about 7 KB gzipped of the page's first load).

use crate::{js_message, json};
use gradscape_core::explain::{Explanation, Line, Replayer};
use gradscape_core::optim::OptimizerConfig;
use gradscape_core::trajectory::{Noise, Trajectory};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// One run as held here: the runs' generation it was copied in, its path and noise, and the
/// replay of its optimizer along it (kept between calls, as a playing animation asks for one
/// step after another).
#[derive(Debug)]
struct Held {
    generation: f64,
    trajectory: Trajectory,
    noise: Option<Noise>,
    replayer: Replayer,
}

/// The runs whose updates have been asked for, by their index in the surfaces' module.
#[wasm_bindgen]
#[derive(Debug, Default)]
pub struct Rule {
    runs: Vec<Option<Held>>,
}

/// Points (or gradients) from `data[at..]`: `n` pairs, or None where `data` is too short.
fn pairs(data: &[f64], at: usize, n: usize) -> Option<Vec<[f64; 2]>> {
    let flat = data.get(at..at.checked_add(n.checked_mul(2)?)?)?;
    Some(flat.chunks_exact(2).map(|p| [p[0], p[1]]).collect())
}

/// A count from the path's header (a whole number ≥ 0), or None.
fn count(v: Option<&f64>) -> Option<usize> {
    v.filter(|v| v.fract() == 0.0 && **v >= 0.0 && **v < 1e9)
        .map(|&v| v as usize)
}

#[wasm_bindgen]
impl Rule {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Rule {
        Rule::default()
    }

    /// Whether run `run` is held as it was in the runs' generation `generation`.
    pub fn holds(&self, run: usize, generation: f64) -> bool {
        matches!(self.runs.get(run), Some(Some(h)) if h.generation == generation)
    }

    /// Holds run `run` of the runs' generation `generation`: its optimizer as the URL writes
    /// it, its path as `Viz::rule_path` gives it (a header of the update it diverged at or −1,
    /// the number of points n, of exact gradients and of noisy gradients m, then n points, n
    /// gradients and m noisy gradients as pairs), and the scene's noise (σ, 0 for none, its
    /// seed as text, and the number of steps).
    #[allow(clippy::too_many_arguments)]
    pub fn hold(
        &mut self,
        run: usize,
        generation: f64,
        config: &str,
        path: &[f64],
        sigma: f64,
        seed: &str,
        steps: usize,
    ) -> Result<(), JsValue> {
        let config: OptimizerConfig = config.parse().map_err(js_message)?;
        let bad = || JsError::new("the run's path is not as Viz::rule_path writes it");
        let diverged_at = match path.first() {
            Some(&-1.0) => None,
            d => Some(count(d).ok_or_else(bad)?),
        };
        let (n, g, m) = (count(path.get(1)), count(path.get(2)), count(path.get(3)));
        let (n, g, m) = (n.ok_or_else(bad)?, g.ok_or_else(bad)?, m.ok_or_else(bad)?);
        let points = pairs(path, 4, n).ok_or_else(bad)?;
        let gradients = pairs(path, 4 + 2 * n, g).ok_or_else(bad)?;
        let noisy = pairs(path, 4 + 2 * (n + g), m).ok_or_else(bad)?;
        let noise = if sigma > 0.0 {
            let seed = seed.parse::<u64>().map_err(|_| bad())?;
            Some(Noise::new(sigma, seed, steps).map_err(js_message)?)
        } else {
            None
        };
        if self.runs.len() <= run {
            self.runs.resize_with(run + 1, || None);
        }
        self.runs[run] = Some(Held {
            generation,
            trajectory: Trajectory {
                points,
                values: Vec::new(),
                gradients,
                diverged_at,
                noisy,
            },
            noise,
            replayer: Replayer::new(config).map_err(js_message)?,
        });
        Ok(())
    }

    fn explained(&mut self, run: usize, step: usize) -> Result<Explanation, JsValue> {
        let held = self
            .runs
            .get_mut(run)
            .and_then(Option::as_mut)
            .ok_or_else(|| JsError::new("the run is not held"))?;
        held.replayer
            .explain(&held.trajectory, held.noise.as_ref(), step)
            .map_err(js_message)
    }

    /// The update from `step` to `step + 1` of held run `run`, as JSON: `{optimizer,
    /// hyperparameters, step, lr, factor, point, gradient, noise?, before, after, next}`; an
    /// update that is not there is an error in words.
    pub fn explain(&mut self, run: usize, step: usize) -> Result<String, JsValue> {
        Ok(json(&self.explained(run, step)?))
    }

    /// `explain(run, step)` with the lines of the update rule, its numbers shown as strings
    /// (`Explanation::lines`): `{explanation, lines: [{quantity, coordinate, formula, shown,
    /// shown_result, epsilon, ...}]}`.
    pub fn explain_lines(&mut self, run: usize, step: usize) -> Result<String, JsValue> {
        #[derive(Serialize)]
        struct Out<'a> {
            explanation: &'a Explanation,
            lines: Vec<Line>,
        }
        let e = self.explained(run, step)?;
        Ok(json(&Out {
            lines: e.lines(),
            explanation: &e,
        }))
    }
}
