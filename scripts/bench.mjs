// `npm run bench`: the page's speed in headless Chromium, measured the way a user meets it.
//   drag:    6 optimizers × 1000 steps on Rosenbrock, a real mouse drag of the start point;
//            per move: recompute + redraw (the page's own performance measures), and the
//            browser's whole main-thread time (DevTools' TaskDuration, less an idle frame's);
//            then the same drag with the whole page in view, for the loss chart's time
//   redraw:  heatmap + contours + axes at 1280×800 CSS pixels after zoom, the main thread's
//            time per zoom likewise, and per pixel against plotters' draw_pixel for every pixel
//            (the SVG export module's baseline_draw_pixel), both measured in this run
//   first:   navigation to the first full frame and to gradscape:ready, on localhost, over 11
//            loads each in a new browser context
//   bytes:   everything the default page fetches before gradscape:ready, gzipped
//   soak:    memory (JS heap and wasm memory) over an animation of SOAK seconds (default 60;
//            `npm run bench -- 600` for ten minutes)
//   digits:  the network view's digits race (4 optimizers, 64-100-10, batch 100, 1000 iterations):
//            time to finish and frames per second meanwhile
//   spiral:  2-8-8-3 on the spiral, 4 optimizers, each panel's decision regions redrawn every
//            frame: frames per second, and training examples per second
//   rule:    the update rule panel's work per frame (gradscape:rule) while 6 optimizers × 20,000
//            steps on Rosenbrock play, Adam's rule shown
//   graph:   the Graph view on Goldstein–Price (59 nodes): building, laying out and drawing the
//            graph while the inset is dragged (gradscape:graph-build), and one step forward or
//            back by key (gradscape:graph-step)
//   view3d:  3-D on Rosenbrock, 6 optimizers × 10,000 steps: frames per second while orbiting by a
//            drag, and the main thread's time per move of a start dragged on the surface
// BENCH=network runs only the digits and spiral races, BENCH=first only the first load.
import { chromium } from 'playwright-core';
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { noteReady, startedBeforeReady } from './ready.mjs';
import { cpus } from 'node:os';
import { serve } from './serve.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SOAK = Number(process.argv[2] || 60);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};
const ms = (x) => `${x.toFixed(2)} ms`;

if (!existsSync('dist/index.html')) {
  console.error('bench: dist/ is missing; run npm run build');
  process.exit(1);
}
const server = await serve('dist', 0);
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', '--enable-unsafe-swiftshader'] });
const results = {};

async function page(query, viewport = { width: 1700, height: 1000 }) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  // When the page says it is ready, counted from navigation (performance.now's origin).
  await noteReady(context);
  const p = await context.newPage();
  // Only the addresses while the page loads: reading and compressing the files then would hold
  // up this process, which is also the page's server, and delay the page it measures.
  const urls = new Set();
  let ready = false;
  p.on('request', (r) => {
    if (!r.url().startsWith(base)) throw new Error(`request to another origin: ${r.url()}`);
    if (!ready) urls.add(r.url());
  });
  await p.goto(base + query);
  await p.waitForFunction(() => window.gradscapeReadyAt !== undefined);
  ready = true;
  /** What the page fetched before it was ready (scripts/ready.mjs): each file's bytes, raw and
   * gzipped, fetched again. */
  const bytes = async () => {
    const started = new Set(await startedBeforeReady(p));
    const out = {};
    for (const url of urls) {
      if (url !== base + query && !started.has(url)) continue;
      const body = Buffer.from(await (await fetch(url)).arrayBuffer());
      out[url] = { raw: body.length, gzip: gzipSync(body, { level: 9 }).length };
    }
    return out;
  };
  return { context, page: p, bytes };
}

const durations = (p, name) => p.evaluate((n) => performance.getEntriesByName(n).map((e) => e.duration), name);

/** Waits for `count` animation frames (nested requestAnimationFrame calls) in the page. */
const afterFrames = (p, count = 1) => p.evaluate((n) => new Promise((ok) => {
  const next = (k) => (k === 0 ? ok() : requestAnimationFrame(() => next(k - 1)));
  next(n);
}), count);

/**
 * The browser's main-thread time per action, from the DevTools protocol: `Performance.getMetrics`
 * TaskDuration (seconds of tasks on the renderer's main thread) over `n` runs of `act` (each
 * followed by `settle`, which waits for the frame it caused), less the same over `n` idle runs
 * (`settle` alone: the waiting and the frames themselves). In milliseconds per action.
 */
async function mainThread(cdp, n, act, settle) {
  const task = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value;
  await settle();
  const t0 = await task();
  for (let i = 0; i < n; i += 1) await settle();
  const idle = (await task()) - t0;
  const t1 = await task();
  for (let i = 0; i < n; i += 1) {
    await act(i);
    await settle();
  }
  const busy = (await task()) - t1;
  return { perAction: ((busy - idle) * 1000) / n, idlePerFrame: (idle * 1000) / n, n };
}

const ONLY = process.env.BENCH || '';
const wanted = (name) => !ONLY || ONLY.split(',').includes(name);

// ---- the network view -------------------------------------------------------------------------------
/** Trains with the page's own loop and counts animation frames meanwhile. */
async function race(query, seconds) {
  const { context, page: p } = await page(query);
  const out = await p.evaluate(async (limit) => {
    let frames = 0;
    let counting = true;
    const gaps = [];
    let last = performance.now();
    const times = [];
    const tick = (t) => {
      frames += 1;
      gaps.push(t - last);
      times.push(t);
      last = t;
      if (counting) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    const t0 = performance.now();
    const done = window.gradscape.train();
    const timeout = new Promise((resolve) => setTimeout(() => resolve(null), limit * 1000));
    const finished = await Promise.race([done, timeout]);
    const elapsed = performance.now() - t0;
    counting = false;
    window.gradscape.pauseTraining();
    const status = window.gradscape.trainStatus();
    const sorted = gaps.slice(1).sort((a, b) => a - b);
    // Frames a 60 Hz display showed late: a gap of two frame times is one dropped frame.
    const dropped = gaps.slice(1).reduce((n, g) => n + Math.max(0, Math.round(g / (1000 / 60)) - 1), 0);
    const late = gaps.slice(1).map((g, i) => [i, g]).filter(([, g]) => g > 25);
    // The frame rate once running: frames a second between the first frame half a second
    // after Train and the last.
    const settled = times.filter((t) => t >= t0 + 500);
    const running = settled.length > 1 ? ((settled.length - 1) * 1000) / (settled.at(-1) - settled[0]) : NaN;
    return { finished: finished !== null, elapsed, frames, iterations: status.iteration, p95: sorted[Math.floor(sorted.length * 0.95)], dropped,
      lateFrames: late.length, lastLate: late.length ? late.at(-1)[0] : null, running };
  }, seconds);
  await context.close();
  return out;
}

if (wanted('network')) {
  const digits = await race('?tab=network&data=digits&hidden=100&batch=100&iters=1000&nopt=sgd,momentum,adagrad,adam', 60);
  const fps = (digits.frames / digits.elapsed) * 1000;
  results.digits = { ...digits, fps };
  console.log(`digits race, 4 optimizers, 64-100-10, batch 100, 1000 iterations: ${digits.finished ? 'finished' : 'NOT finished'} in ` +
    `${(digits.elapsed / 1000).toFixed(2)} s at ${fps.toFixed(1)} frames/s (95th percentile frame gap ${ms(digits.p95)}) (goal ≤ 5 s at ≥ 30 frames/s)`);
  const spiral = await race('?tab=network&data=spiral&hidden=8,8&batch=10&iters=100000&nopt=sgd(lr=0.1),momentum(lr=0.1),adagrad(lr=0.1),adam(lr=0.01)', 10);
  const sfps = (spiral.frames / spiral.elapsed) * 1000;
  const perSecond = (spiral.iterations / spiral.elapsed) * 1000;
  results.spiral = { ...spiral, fps: sfps, iterationsPerSecond: perSecond };
  console.log(`spiral, 2-8-8-3, 4 optimizers, batch 10, 4 decision-region panels (48×48 grids) redrawn every frame: ${sfps.toFixed(1)} frames/s ` +
    `(goal ≥ 60), ${Math.round(perSecond)} iterations/s = ${Math.round(perSecond * 10 * 4).toLocaleString('en')} training examples/s; ` +
    `${spiral.running.toFixed(1)} frames/s from half a second after Train to the end; ` +
    `${spiral.dropped} of ${spiral.frames + spiral.dropped} frames dropped` +
    (spiral.lateFrames ? ` (late frames ${spiral.lateFrames}, the last at frame ${spiral.lastLate})` : ''));
}

// ---- first frame and bytes ------------------------------------------------------------------------
if (wanted('surface') || wanted('first')) {
  const firsts = [];
  const readies = [];
  let bytes;
  for (let i = 0; i < 11; i += 1) {
    const { context, page: p, bytes: b } = await page('');
    await p.waitForTimeout(300);
    firsts.push(await p.evaluate(() => performance.getEntriesByName('gradscape:first-frame')[0].startTime));
    readies.push(await p.evaluate(() => window.gradscapeReadyAt));
    bytes = await b();
    await context.close();
  }
  // A reload in the same browser: its cache holds the files and V8's compiled module.
  const warm = [];
  {
    const { context, page: p } = await page('');
    for (let i = 0; i < 5; i += 1) {
      await p.reload();
      await p.waitForFunction(() => performance.getEntriesByName('gradscape:first-frame').length > 0);
      warm.push(await p.evaluate(() => performance.getEntriesByName('gradscape:first-frame')[0].startTime));
    }
    await context.close();
  }
  const total = Object.values(bytes).reduce((a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip }), { raw: 0, gzip: 0 });
  results.first = median(firsts);
  results.ready = median(readies);
  results.firstWarm = median(warm);
  results.bytes = total;
  console.log(`first full frame after navigation: median ${ms(results.first)} of ${firsts.length} loads in a new browser context, ` +
    `${ms(results.firstWarm)} on reload (goal ≤ 300 ms)`);
  console.log(`navigation to gradscape:ready: median ${ms(results.ready)} of ${readies.length} loads in a new browser context (goal ≤ 200 ms)`);
  const files = Object.entries(bytes).map(([url, b]) => `${new URL(url).pathname} ${(b.gzip / 1024).toFixed(1)}`).join(', ');
  console.log(`the first load, everything fetched before gradscape:ready: ${(total.gzip / 1024).toFixed(1)} KB gzipped, ` +
    `${(total.raw / 1024).toFixed(1)} KB raw, ${Object.keys(bytes).length} files (${files}) (goal ≤ 120 KB gzipped)`);
}

// ---- drag: 6 optimizers × 1000 steps on Rosenbrock -----------------------------------------------------
if (wanted('surface')) {
  const opt = 'sgd(lr=0.001),momentum(lr=0.0005),nesterov(lr=0.0005),adagrad(lr=0.5),rmsprop(lr=0.01),adam(lr=0.05)';
  const { context, page: p } = await page(`?f=rosenbrock&opt=${opt}&start=-1.5,2&steps=1000`);
  const cdp = await context.newCDPSession(p);
  await cdp.send('Performance.enable');
  await p.evaluate(() => performance.clearMeasures());
  const from = await p.evaluate(() => window.gradscape.worldToClient(-1.5, 2));
  await p.mouse.move(from.x, from.y);
  await p.mouse.down();
  const moves = 240;
  // Each move, then a frame: the page draws in the frame the move asked for.
  const main = await mainThread(cdp, moves, async (k) => {
    const a = ((k + 1) / moves) * 2 * Math.PI;
    await p.mouse.move(from.x + 120 * Math.sin(a), from.y + 60 * (1 - Math.cos(a)));
  }, () => afterFrames(p));
  await p.mouse.up();
  const recompute = await durations(p, 'gradscape:recompute');
  const frame = await durations(p, 'gradscape:frame');
  const overlay = await durations(p, 'gradscape:overlay');
  // At 1000 pixels high the table is in view, the update rule and the loss chart below it, and a
  // drag leaves what is out of view alone: the same drag again with the whole page in view, for
  // the loss chart's time (drawn every other move) and the main thread's then.
  await p.setViewportSize({ width: 1700, height: 1500 });
  await afterFrames(p, 2);
  await p.evaluate(() => performance.clearMeasures());
  const back = await p.evaluate(() => window.gradscape.worldToClient(...window.gradscape.state().start.split(',').map(Number)));
  await p.mouse.move(back.x, back.y);
  await p.mouse.down();
  const inView = await mainThread(cdp, moves / 2, async (k) => {
    const a = ((k + 1) / (moves / 2)) * 2 * Math.PI;
    await p.mouse.move(back.x + 120 * Math.sin(a), back.y + 60 * (1 - Math.cos(a)));
  }, () => afterFrames(p));
  await p.mouse.up();
  const loss = await durations(p, 'gradscape:loss');
  results.drag = { recompute: median(recompute), frame: median(frame), overlay: median(overlay), moves: recompute.length,
    mainThreadPerMove: main.perAction, idleFramePerFrame: main.idlePerFrame,
    inView: { loss: median(loss), lossDrawn: loss.length, moves: inView.n, mainThreadPerMove: inView.perAction } };
  console.log(`drag, 6 optimizers × 1000 steps on Rosenbrock (${recompute.length} moves): recompute ${ms(median(recompute))}, ` +
    `recompute + redraw ${ms(median(frame))} median (overlay ${ms(median(overlay))}); ` +
    `worst ${ms(Math.max(...frame))} (goal ≤ 4 ms median); the browser's main thread ${ms(main.perAction)} per move, mean of ${main.n} ` +
    `(DevTools TaskDuration less an idle frame's ${ms(main.idlePerFrame)}); with the whole page in view (1700×1500), ` +
    `loss chart ${ms(median(loss))} median on the ${loss.length} of ${inView.n} moves that draw it, main thread ${ms(inView.perAction)} per move`);
  await context.close();
}

// ---- surface redraw after zoom/pan at 1280×800 CSS pixels --------------------------------------------------
if (wanted('surface')) {
  const { context, page: p } = await page('?f=rosenbrock&log=1', { width: 1400, height: 1100 });
  await p.addStyleTag({ content: '#app { display: block !important; } .plot { width: 1280px !important; height: 800px !important; }' });
  await p.waitForTimeout(300);
  const size = await p.evaluate(() => {
    const r = document.getElementById('plot').getBoundingClientRect();
    return [r.width, r.height];
  });
  const cdp = await context.newCDPSession(p);
  await cdp.send('Performance.enable');
  await p.evaluate(() => performance.clearMeasures());
  const centre = await p.evaluate(() => window.gradscape.worldToClient(0, 1));
  await p.mouse.move(centre.x, centre.y);
  const zooms = 40;
  // In and out by turns, a wheel step each, then two frames.
  const main = await mainThread(cdp, zooms, (i) => p.mouse.wheel(0, i % 2 ? 120 : -120), () => afterFrames(p, 2));
  const surface = await durations(p, 'gradscape:surface');
  const overlay = await durations(p, 'gradscape:overlay');
  const both = surface.map((s, i) => s + overlay[i]);
  const pixels = await p.evaluate(() => {
    const c = document.getElementById('surface');
    return c.width * c.height;
  });
  const perPixelNs = (median(surface) * 1e6) / pixels;
  // The naive way, in this page and run: plotters' CanvasBackend::draw_pixel for every pixel of
  // the same surface over the same view (no contours, no axes), from the SVG export module,
  // loaded as the page loads it. Timed on the page's clock, best of two.
  const naive = { width: 640, height: 400, runs: 2 };
  const state = await p.evaluate(() => window.gradscape.state());
  const view = String(state.view).split(',').map(Number);
  // The heatmap's own pixels (the plot rectangle, inside the axes' margins): the baseline paints
  // only these, so the ratio is per heatmap pixel, though the page's time includes the axes too.
  const heatmapPixels = await p.evaluate(([xmin, xmax, ymin, ymax]) => {
    const a = window.gradscape.worldToClient(xmin, ymax);
    const b = window.gradscape.worldToClient(xmax, ymin);
    return Math.round((b.x - a.x) * devicePixelRatio) * Math.round((b.y - a.y) * devicePixelRatio);
  }, view);
  const perHeatmapPixelNs = (median(surface) * 1e6) / heatmapPixels;
  const baseline = await p.evaluate(async ({ width, height, runs, f, log, view: [xmin, xmax, ymin, ymax] }) => {
    const m = await import('/www/pkg/gradscape_export.js');
    await m.default();
    const canvas = document.createElement('canvas');
    canvas.style.cssText = 'position: absolute; left: 0; top: 0;';
    document.body.append(canvas);
    const times = [];
    const flushes = [];
    let drawn = 0;
    for (let k = 0; k < runs; k += 1) {
      const t0 = performance.now();
      drawn = m.baseline_draw_pixel(canvas, f, xmin, xmax, ymin, ymax, width, height, log);
      const t1 = performance.now();
      // Reading a pixel back waits for the canvas's queued drawing to be done: counted too.
      canvas.getContext('2d').getImageData(0, 0, 1, 1);
      const t2 = performance.now();
      times.push(t2 - t0);
      flushes.push(t2 - t1);
    }
    canvas.remove();
    return { times, flushes, drawn };
  }, { ...naive, f: state.f, log: state.log === '1' || state.log === true, view });
  const best = baseline.times.indexOf(Math.min(...baseline.times));
  const baselineMs = baseline.times[best];
  const baselinePerPixelNs = (baselineMs * 1e6) / baseline.drawn;
  const ratio = baselinePerPixelNs / perHeatmapPixelNs;
  results.redraw = { surface: median(surface), withAxes: median(both), perPixelNs, size, pixels, heatmapPixels, perHeatmapPixelNs,
    mainThreadPerZoom: main.perAction, idleFramePerZoom: main.idlePerFrame,
    baseline: { ms: baselineMs, times: baseline.times, flushes: baseline.flushes, pixels: baseline.drawn, perPixelNs: baselinePerPixelNs, view, f: state.f }, ratio };
  console.log(`surface redraw after zoom at ${size[0]}×${size[1]} CSS px (${surface.length} redraws): heatmap + contours + axes ${ms(median(surface))}, ` +
    `with the paths on top ${ms(median(both))} median (goal ≤ 16 ms); ${perPixelNs.toFixed(1)} ns per pixel of the canvas (${pixels}), ` +
    `${perHeatmapPixelNs.toFixed(1)} ns per pixel of the heatmap (${heatmapPixels}); ` +
    `the browser's main thread ${ms(main.perAction)} per zoom, mean of ${main.n} (DevTools TaskDuration less two idle frames' ${ms(main.idlePerFrame)})`);
  console.log(`plotters' draw_pixel for every pixel of the same surface and view, ${naive.width}×${naive.height} device px, no contours or axes: ` +
    `${ms(baselineMs)} (best of ${baseline.times.length}: ${baseline.times.map((t) => t.toFixed(0)).join(', ')} ms, of which waiting for the canvas ` +
    `${ms(baseline.flushes[best])}), ${baselinePerPixelNs.toFixed(1)} ns per pixel; ` +
    `page redraw is ${ratio.toFixed(0)}× faster per pixel (of the heatmap) than plotters' draw_pixel, measured in this run`);
  await context.close();
}

// ---- the update rule panel while playing 6 optimizers × 20,000 steps on Rosenbrock --------------------------
if (wanted('rule')) {
  // RMSprop at lr=0.001: at the drag bench's 0.01 it zig-zags across the valley for all 20,000
  // steps, and rasterising its 19,000 visible segments alone would dominate the frame, which
  // is not the panel's cost.
  const opt = 'sgd(lr=0.001),momentum(lr=0.0005),nesterov(lr=0.0005),adagrad(lr=0.5),rmsprop(lr=0.001),adam(lr=0.05)';
  const { context, page: p } = await page(`?f=rosenbrock&opt=${opt}&start=-1.5,2&steps=20000&speed=2000`);
  // Adam's rule, the longest, from half-way to the end: each frame explains the update at its step.
  await p.selectOption('#rule-run', '5');
  await p.evaluate(() => {
    window.gradscape.reset();
    window.gradscape.step(10000);
  });
  await p.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(() => ok()))));
  await p.evaluate(() => performance.clearMeasures());
  await p.evaluate(() => window.gradscape.play());
  await p.waitForFunction(() => !window.gradscape.status().playing, null, { timeout: 60000 });
  const rule = await durations(p, 'gradscape:rule');
  const core = await durations(p, 'gradscape:rule-core');
  const sorted = [...rule].sort((a, b) => a - b);
  // The page's clock reads in steps of 0.1 ms, so the mean says more than the median here.
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  results.rule = { median: median(rule), mean: mean(rule), p90: sorted[Math.floor(sorted.length * 0.9)], frames: rule.length };
  // The same work in back-to-back frames (a step of 33 and render(), 300 times): the panel
  // without the browser's rasterising in between.
  const steady = await p.evaluate(() => {
    window.gradscape.reset();
    window.gradscape.step(10000);
    window.gradscape.render();
    performance.clearMeasures();
    const out = [];
    for (let k = 0; k < 300; k += 1) {
      window.gradscape.step(33);
      window.gradscape.render();
      out.push(...performance.getEntriesByName('gradscape:rule').map((e) => e.duration));
      performance.clearMeasures();
    }
    return out;
  });
  results.rule.steady = mean(steady);
  console.log(`update rule panel while playing 6 optimizers × 20000 steps on Rosenbrock, Adam's rule from step 10000 to 20000 ` +
    `(${rule.length} frames in ${(10000 / 2000).toFixed(0)} s): ${ms(mean(rule))} mean, ${ms(median(rule))} median (the core's lines and their JSON ${ms(mean(core))} mean), ` +
    `${ms(results.rule.p90)} at the 90th percentile; ${ms(results.rule.steady)} mean in 300 back-to-back frames (goal ≤ 0.5 ms)`);
  await context.close();
}

// ---- memory over an animation --------------------------------------------------------------------------------
if (wanted('graph')) {
  const { context, page: p } = await page('?f=goldstein-price&tab=graph');
  await p.waitForSelector('#graph-canvas svg');
  const nodes = await p.evaluate(async () => (await window.gradscape.graph()).nodes.length);
  await p.evaluate(() => performance.clearMeasures());
  const box = await p.locator('#graph-inset').boundingBox();
  await p.mouse.move(box.x + 20, box.y + 20);
  await p.mouse.down();
  for (let k = 0; k < 60; k += 1) await p.mouse.move(box.x + 20 + (k % 30) * 5, box.y + 20 + (k % 20) * 5);
  await p.mouse.up();
  await p.click('#graph-canvas', { position: { x: 3, y: 3 } });
  for (let k = 0; k < 100; k += 1) await p.keyboard.press(k < 80 ? 'ArrowRight' : 'ArrowLeft');
  const measures = await p.evaluate(() => ['gradscape:graph-build', 'gradscape:graph-step'].map((n) => performance.getEntriesByName(n).map((e) => e.duration)));
  const [moved, step] = measures;
  // A new formula each time: a new graph, laid out and drawn from nothing.
  const formula = await p.evaluate(async () => (await window.gradscape.graph()).formula);
  await p.evaluate(() => performance.clearMeasures());
  for (let k = 0; k < 30; k += 1) await p.evaluate((f) => window.gradscape.setState({ f }), `${formula} + ${k}`);
  const fresh = await p.evaluate(() => performance.getEntriesByName('gradscape:graph-build').map((e) => e.duration));
  results.graph = { nodes, fresh: median(fresh), moved: median(moved), step: median(step), steps: step.length };
  console.log(`graph view, ${nodes} nodes: a new graph built, laid out and drawn ${ms(median(fresh))} median over ${fresh.length}; ` +
    `the same graph at a point dragged on the inset ${ms(median(moved))} median over ${moved.length}; a step ${ms(median(step))} median over ${step.length}`);
  await context.close();
}

// ---- 3-D: orbiting, and a start dragged on the surface -------------------------------------------------
if (wanted('view3d')) {
  const opt = 'sgd(lr=0.001),momentum(lr=0.0005),nesterov(lr=0.0005),adagrad(lr=0.5),rmsprop(lr=0.01),adam(lr=0.05)';
  const { context, page: p } = await page(`?f=rosenbrock&opt=${opt}&start=-1.5,2&steps=10000&mode=3d`);
  await p.waitForFunction(() => document.getElementById('plot').classList.contains('three'));
  const renderer = await p.evaluate(() => {
    const gl = document.createElement('canvas').getContext('webgl2');
    const info = gl && gl.getExtension('WEBGL_debug_renderer_info');
    return gl ? String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER)) : 'none';
  });
  const software = /swiftshader|llvmpipe|software|softpipe/i.test(renderer);
  /** Orbiting: a real drag of empty space, 150 moves; frames drawn over the time it took. */
  const orbit = async (q) => {
    const box = await q.locator('#gl').boundingBox();
    await afterFrames(q, 2);
    await q.evaluate(() => performance.clearMeasures());
    await q.mouse.move(box.x + 10, box.y + 10);
    await q.mouse.down();
    const began = Date.now();
    for (let k = 0; k < 150; k += 1) await q.mouse.move(box.x + 10 + 2 * k, box.y + 10 + (k % 40));
    await afterFrames(q);
    const took = Date.now() - began;
    await q.mouse.up();
    const frames = (await durations(q, 'gradscape:frame')).length;
    return { frames, took, fps: (frames * 1000) / took };
  };
  const { frames, took, fps } = await orbit(p);
  // The same on the default view (the book's figure: 4 optimizers × 30 steps).
  const light = await page('?mode=3d');
  await light.page.waitForFunction(() => document.getElementById('plot').classList.contains('three'));
  const lightFps = (await orbit(light.page)).fps;
  await light.context.close();
  // A start dragged on the surface: the browser's main thread per move (recompute and redraw).
  const cdp = await context.newCDPSession(p);
  await cdp.send('Performance.enable');
  await p.click('#reset-view');
  await afterFrames(p, 2);
  const from = await p.evaluate(() => window.gradscape.worldToClient3d(-1.5, 2));
  await p.mouse.move(from.x, from.y);
  await p.mouse.down();
  const moves = 60;
  const main = await mainThread(cdp, moves, async (k) => {
    const a = ((k + 1) / moves) * 2 * Math.PI;
    await p.mouse.move(from.x + 40 * Math.sin(a), from.y + 20 * (1 - Math.cos(a)));
  }, () => afterFrames(p));
  await p.mouse.up();
  const moved = await p.evaluate(() => window.gradscape.startPoints()[0]);
  results.view3d = { renderer, software, fps, frames, took, lightFps, dragMainThreadPerMove: main.perAction, moves: main.n, moved };
  console.log(`3-D, 6 optimizers × 10,000 steps on Rosenbrock, WebGL2 on ${renderer} (${software ? 'software: a 49 × 49 mesh' : 'a GPU: a 257 × 257 mesh'}): ` +
    `orbiting by a drag, ${fps.toFixed(1)} frames per second (${frames} frames in ${took} ms; goal ≥ ${software ? 30 : 60}), ` +
    `${lightFps.toFixed(1)} on the default view (4 optimizers × 30 steps); ` +
    `a start dragged on the surface, the browser's main thread ${ms(main.perAction)} per move (recompute and redraw; goal within a frame, 16.7 ms), mean of ${main.n}`);
  await context.close();
}

if (wanted('soak')) {
  const { context, page: p } = await page('?preset=rosenbrock-valley&speed=2000');
  const cdp = await context.newCDPSession(p);
  const sample = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = (await cdp.send('Runtime.getHeapUsage')).usedSize;
    const wasm = await p.evaluate(() => window.gradscape.memory().wasmBytes);
    return { heap, wasm };
  };
  await p.evaluate(() => {
    window.__loops = 0;
    const again = () => {
      if (!window.gradscape.status().playing) {
        window.__loops += 1;
        window.gradscape.play();
      }
      setTimeout(again, 50);
    };
    again();
  });
  const first = await sample();
  const t0 = Date.now();
  const samples = [first];
  while (Date.now() - t0 < SOAK * 1000) {
    await p.waitForTimeout(Math.min(10000, SOAK * 250));
    samples.push(await sample());
  }
  const loops = await p.evaluate(() => window.__loops);
  const last = samples.at(-1);
  const mid = samples[Math.floor(samples.length / 2)];
  results.soak = { seconds: SOAK, loops, first, mid, last };
  const mb = (b) => `${(b / 1e6).toFixed(2)} MB`;
  console.log(`memory over ${SOAK} s of animation (${loops} full runs of 1000 steps), after garbage collection: ` +
    `JS heap ${mb(first.heap)} → ${mb(mid.heap)} (half-way) → ${mb(last.heap)}; ` +
    `wasm memory ${mb(first.wasm)} → ${mb(mid.wasm)} → ${mb(last.wasm)}`);
  await context.close();
}

console.log(`machine: ${cpus().length} × ${cpus()[0].model}, Chromium at ${CHROMIUM}`);
await browser.close();
server.close();
