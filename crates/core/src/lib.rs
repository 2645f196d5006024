//! The numbers behind gradscape: loss surfaces f(x, y) with exact gradients, the optimizers of
//! *Deep Learning from Scratch* (Saito Koki), and the trajectories they trace.
//!
//! This crate knows nothing of the browser or the terminal: the page (`gradscape-web`) and the
//! command line (`gradscape-cli`) are thin layers over it, so every number either of them shows can
//! be checked here with plain `cargo test`.

pub mod data;
pub mod explain;
pub mod expr;
pub mod gradient;
pub mod graph;
pub mod graph_layout;
pub mod landscape;
pub mod layer_graph;
pub mod math;
pub mod matrix;
pub mod message;
pub mod net;
pub mod number;
pub mod optim;
pub mod paint;
pub mod params;
pub mod render;
pub mod rng;
pub mod scene;
pub mod schedule;
pub mod surface;
pub mod train;
pub mod train_scene;
pub mod trajectory;
pub mod view3d;
