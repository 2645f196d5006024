// The network view's keys in the address, which the page reads and writes before that view's
// module is loaded (`seed` is the page's one seed, shared with the surfaces).
export const NET_KEYS = ['data', 'hidden', 'act', 'init', 'batch', 'iters', 'seed', 'nopt', 'dirs', 'nlog'];

/** The network view's settings by default (its `params()` before any change), for the page's
 * `state()` before the view's module is loaded: the core's (`TrainSettings::default()`), which
 * crates/core/tests/catalog.rs holds this file to. */
export { default as NET_DEFAULTS } from './network-defaults.json' with { type: 'json' };
