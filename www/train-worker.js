// Trains the network view's race on another core. The page keeps its own copy of the race for
// drawing and takes in what this worker sends after each slice (Trainer.progress/absorb): the
// same module, the same settings and seed, so the same race bit for bit.
//
// Messages in:  {type: 'init', module} the network view's compiled WebAssembly module
//               {type: 'race', race, keys, values, start, digits} a race to train (from iteration 0)
//               {type: 'run', race} train it until done or paused (a 2-D set's small
//               network two thirds of the time: see slice); {type: 'pause'}
// Messages out: {type: 'progress', race, progress} after each slice; {type: 'error', message}
// (with the core's `kind` and `values` when the module gave them)
import init, { Trainer, provide_digits as provideDigits } from './pkg/gradscape_net.js';

/** Training between two progress messages. */
const SLICE_MS = 12;

let ready = null;
let trainer = null;
let race = null;
let running = false;
let perIteration = 0.5;
let rest = false;
const tick = new MessageChannel();

function fail(e) {
  running = false;
  // The module's errors carry the core's kind and values: the page words them in its reader's
  // language, the English message where it has no words for them.
  const said = { type: 'error', message: e && e.message ? e.message : String(e) };
  if (e && typeof e.kind === 'string') Object.assign(said, { kind: e.kind, values: JSON.parse(JSON.stringify(e.values ?? {})) });
  self.postMessage(said);
}

function slice() {
  if (!running || !trainer) return;
  try {
    const t0 = performance.now();
    while (performance.now() - t0 < SLICE_MS && !trainer.done()) {
      const n = Math.max(1, Math.floor(2 / perIteration));
      const t = performance.now();
      const ran = trainer.run(n);
      if (ran > 0) perIteration = Math.max(0.0005, 0.5 * perIteration + (0.5 * (performance.now() - t)) / ran);
    }
    const progress = trainer.progress();
    self.postMessage({ type: 'progress', race, progress }, [progress.buffer]);
    if (trainer.done()) running = false;
    // The next slice, after any message waiting; for small networks after a rest half as long as
    // the slice, which leaves the page's drawing and the compositor more of the two cores.
    else schedule(rest ? (performance.now() - t0) / 2 : 0);
  } catch (e) {
    fail(e);
  }
}
// One chain of slices at a time: a slice still scheduled from an earlier race carries on the
// new one rather than starting a second chain beside it.
let scheduled = false;
function schedule(delay) {
  scheduled = true;
  if (delay > 0) setTimeout(fire, delay);
  else tick.port2.postMessage(null);
}
function fire() {
  scheduled = false;
  slice();
}
tick.port1.onmessage = fire;

self.onmessage = async ({ data: m }) => {
  try {
    if (m.type === 'init') {
      ready = init({ module_or_path: m.module });
      return;
    }
    await ready;
    if (m.type === 'race') {
      running = false;
      if (m.digits) provideDigits(m.digits);
      if (trainer) trainer.free();
      trainer = new Trainer(m.keys, m.values);
      if (m.start) trainer.start_from_weights(m.start);
      race = m.race;
    } else if (m.type === 'run') {
      if (m.race === race && trainer && !running) {
        running = true;
        rest = trainer.kind() === '2d';
        if (!scheduled) slice();
      }
    } else if (m.type === 'pause') {
      running = false;
    }
  } catch (e) {
    fail(e);
  }
};
