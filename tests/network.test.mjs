// The network view in headless Chromium: it trains live without freezing the page, draws its
// charts, agrees with the command line bit for bit, and names bad settings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { start, open, drag } from './harness.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});

/** Runs the `gradscape` command (the build `cargo test` left, or through cargo). */
function gradscape(args) {
  const bin = 'target/debug/gradscape';
  const out = existsSync(bin)
    ? execFileSync(bin, args, { encoding: 'utf8', maxBuffer: 1 << 28 })
    : execFileSync('cargo', ['run', '-q', '-p', 'gradscape-cli', '--', ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return JSON.parse(out);
}

/** Whether a canvas holds any pixel that is not fully transparent. */
const drawnOn = (page, selector) =>
  page.evaluate((sel) => {
    const c = document.querySelector(sel);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true;
    return false;
  }, selector);

const RACE = { data: 'spiral', hidden: '8,8', batch: 20, iters: 6000, seed: 5, nopt: 'sgd(lr=0.1),adam(lr=0.01)' };
const query = (o) => `?tab=network&${Object.entries(o).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`;

test('the network view trains without freezing the page, draws its charts and matches the CLI bit for bit', async () => {
  const p = await open(env, query(RACE));
  const { page } = p;
  assert.equal(await page.locator('#net').isVisible(), true);
  assert.equal(await page.locator('#app').isHidden(), true);
  assert.equal(await page.locator('#regions canvas[role=img]').count(), 2);
  // Count the iterations seen by animation frames while it trains (in a worker, taken in by
  // the page's copy of the race as it goes): a page that froze until training ended, or took
  // in the whole race at its end, would see one value.
  const seen = await page.evaluate(async () => {
    const values = new Set();
    let on = true;
    const tick = () => {
      values.add(window.gradscape.trainStatus().iteration);
      if (on) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    const curves = await window.gradscape.train();
    on = false;
    return { frames: values.size, curves };
  });
  assert.ok(seen.frames > 3, `training spread over ${seen.frames} frames`);
  const status = await page.evaluate(() => window.gradscape.trainStatus());
  assert.deepEqual(status, { training: false, iteration: 6000, iterations: 6000 });
  await page.waitForFunction(() => document.getElementById('train-counter').textContent === 'iteration 6000 / 6000');
  for (const sel of ['#net-loss', '#net-loss-axes', '#regions canvas']) assert.ok(await drawnOn(page, sel), `${sel} is drawn`);

  const cli = gradscape(['compare', '--dataset', 'spiral', '--hidden', '8,8', '--batch', '20', '--iterations', '6000',
    '--seed', '5', '--optimizers', RACE.nopt, '--format', 'json']);
  assert.equal(cli.optimizers.length, 2);
  seen.curves.forEach((curve, i) => {
    const native = cli.optimizers[i];
    assert.equal(curve.loss.length, 6000);
    // The same numbers to the last bit: seeded data, weights and batches, and the same
    // arithmetic natively and in WebAssembly.
    assert.deepEqual(curve.loss, native.loss, `${curve.optimizer}'s losses`);
    assert.equal(curve.trainAccuracy, native.train_accuracy);
    assert.equal(curve.testAccuracy, native.test_accuracy);
  });
  // Adam learns the spiral far better than chance (1/3).
  assert.ok(seen.curves[1].trainAccuracy > 0.8, `${seen.curves[1].trainAccuracy}`);
  // The URL holds the settings.
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('tab'), 'network');
  assert.equal(url.searchParams.get('hidden'), '8,8');
  assert.equal(url.searchParams.get('nopt'), 'sgd(lr=0.1),adam(lr=0.01,beta1=0.9,beta2=0.999)');
  p.check();
  await p.close();
});

test('without a worker thread the page trains in frames: the same race', async () => {
  const p = await open(env, query({ ...RACE, iters: 300 }), { initScript: () => delete window.Worker });
  const { page } = p;
  assert.equal(await page.evaluate(() => typeof Worker), 'undefined');
  const curves = await page.evaluate(() => window.gradscape.train());
  const cli = gradscape(['compare', '--dataset', 'spiral', '--hidden', '8,8', '--batch', '20', '--iterations', '300',
    '--seed', '5', '--optimizers', RACE.nopt, '--format', 'json']);
  curves.forEach((curve, i) => assert.deepEqual(curve.loss, cli.optimizers[i].loss, `${curve.optimizer}'s losses`));
  p.check();
  await p.close();
});

test('schedules in the network race: the page trains what gradscape compare --schedule trains, bit for bit', async () => {
  // SGD with a decaying rate beside Adam with a cosine one; the CLI gives every optimizer of its
  // list the flag's schedule, unless the optimizer names its own.
  const nopt = 'sgd(lr=0.1,schedule=exp:0.99),adam(lr=0.01,schedule=cos:200)';
  const p = await open(env, query({ ...RACE, iters: 300, nopt }));
  const curves = await p.page.evaluate(() => window.gradscape.train());
  const cli = gradscape(['compare', '--dataset', 'spiral', '--hidden', '8,8', '--batch', '20', '--iterations', '300',
    '--seed', '5', '--optimizers', 'sgd(lr=0.1),adam(lr=0.01,schedule=cos:200)', '--schedule', 'exp:0.99', '--format', 'json']);
  curves.forEach((curve, i) => assert.deepEqual(curve.loss, cli.optimizers[i].loss, `${curve.optimizer}'s losses`));
  // The schedule changes the race: the first update uses η itself (s(1) = 1), so the losses
  // agree with the constant rate's up to the second batch and differ after it.
  const constant = gradscape(['compare', '--dataset', 'spiral', '--hidden', '8,8', '--batch', '20', '--iterations', '300',
    '--seed', '5', '--optimizers', RACE.nopt, '--format', 'json']);
  for (const [i, curve] of curves.entries()) {
    assert.deepEqual(curve.loss.slice(0, 2), constant.optimizers[i].loss.slice(0, 2));
    assert.notDeepEqual(curve.loss.slice(2), constant.optimizers[i].loss.slice(2));
  }
  // The optimizer cards show each schedule.
  await p.page.waitForSelector('#net-optimizers input[id$="-schedule"]');
  assert.deepEqual(await p.page.$$eval('#net-optimizers input[id$="-schedule"]', (xs) => xs.map((x) => x.value)), ['exp:0.99', 'cos:200']);
  p.check();
  await p.close();
});

test('a training worker that fails is said in words, and the page trains the race itself', async () => {
  // A worker that stops with an error once it is given work.
  const failing = () => {
    window.Worker = class {
      postMessage(m) {
        if (m.type === 'run') setTimeout(() => this.onerror({ message: 'out of memory', preventDefault() {} }), 20);
      }
      terminate() {}
    };
  };
  const p = await open(env, query({ ...RACE, iters: 300 }), { initScript: failing });
  const { page } = p;
  const curves = await page.evaluate(() => window.gradscape.train());
  const said = await page.locator('#net-messages').textContent();
  assert.match(said, /training worker failed \(out of memory\)/);
  const cli = gradscape(['compare', '--dataset', 'spiral', '--hidden', '8,8', '--batch', '20', '--iterations', '300',
    '--seed', '5', '--optimizers', RACE.nopt, '--format', 'json']);
  curves.forEach((curve, i) => assert.deepEqual(curve.loss, cli.optimizers[i].loss, `${curve.optimizer}'s losses`));
  p.check();
  await p.close();
});

test('a training worker\'s error from the module is said in the reader\'s language', async () => {
  // The worker posts what its module threw, as train-worker.js does: the core's English, kind
  // and values. The page, in Korean, words it from its catalog.
  const failing = () => {
    window.Worker = class {
      postMessage(m) {
        if (m.type === 'run') {
          setTimeout(() => this.onmessage({ data: { type: 'error', message: 'a network needs inputs, outputs and no empty layer', kind: 'net.empty-layer', values: {} } }), 20);
        }
      }
      terminate() {}
    };
  };
  const p = await open(env, query({ ...RACE, iters: 50 }) + '&lang=ko', { initScript: failing });
  const { page } = p;
  await page.evaluate(() => window.gradscape.train());
  const said = await page.locator('#net-messages').textContent();
  const ko = JSON.parse(readFileSync(new URL('../www/i18n/ko.json', import.meta.url), 'utf8'));
  const expected = ko['msg.page.worker-failed'].replace('{error}', ko['msg.net.empty-layer']);
  assert.ok(said.includes(expected), `${said} / ${expected}`);
  assert.ok(!said.includes('empty layer'), said);
  p.check();
  await p.close();
});

test('gradient check, loss landscape and a start dragged on it', async () => {
  const p = await open(env, query({ ...RACE, iters: 100 }));
  const { page } = p;
  await page.evaluate(() => window.gradscape.train());
  await page.click('#gradcheck-box summary');
  await page.click('#gradcheck');
  const rows = await page.$$eval('#gradcheck-table tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.deepEqual(rows.map((r) => r[0]), ['W1', 'b1', 'W2', 'b2', 'W3', 'b3']);
  // The book's chapter 5: backprop and central differences agree to about 1e-6 or better.
  for (const [name, diff] of rows) assert.ok(Number(diff) < 1e-6, `${name}: ${diff}`);

  // Until one is made the landscape's box says what goes there.
  assert.ok(await page.isVisible('#land-empty'));
  await page.evaluate(() => window.gradscape.makeLandscape(1));
  await page.waitForFunction(() => window.gradscape.landscape()?.done === true, null, { timeout: 20000 });
  assert.ok(await drawnOn(page, '#land-surface'));
  await page.waitForSelector('#land-empty', { state: 'hidden' });
  const before = await page.evaluate(() => window.gradscape.lossCurves()[0].loss[0]);
  // Drag the white start (at the projected initial weights) to (0.5, 0.5) of the plane.
  await page.locator('#land-overlay').scrollIntoViewIfNeeded();
  const from = await page.evaluate(() => window.gradscape.landscapeToClient(0, 0));
  const to = await page.evaluate(() => window.gradscape.landscapeToClient(0.5, 0.5));
  await drag(page, from, to, 8);
  // Every optimizer trains again from the picked weights: a new first loss, the same for all.
  await page.waitForFunction(() => window.gradscape.trainStatus().iteration > 0);
  const curves = await page.evaluate(() => window.gradscape.lossCurves());
  assert.notEqual(curves[0].loss[0], before);
  assert.equal(curves[0].loss[0], curves[1].loss[0]);
  p.check();
  await p.close();
});

test('on a phone-sized screen the trained network view fits the screen\'s width, even in the projector theme', async () => {
  const p = await open(env, query({ ...RACE, iters: 100, theme: 'projector' }), { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const { page } = p;
  await page.evaluate(() => window.gradscape.train());
  await page.waitForFunction(() => window.gradscape.trainStatus().iteration === 100, null, { timeout: 20000 });
  // The table's rows (Adam's label is the longest) scroll within their box, not the page.
  assert.match(await page.textContent('#net-table tbody'), /adam\(lr=/);
  // (A phone widens its layout viewport, and innerWidth, to whatever the page needs.)
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `the page is ${width} px wide on a 360 px screen`);
  p.check();
  await p.close();
});

test('the loss chart, added to frame by frame while training, is the chart drawn at once', async () => {
  // Drawn as the race goes, then drawn afresh in one go (the log scale on and off). `inFrames`:
  // trained in the page's frames, with no worker, so that even a short race is drawn in parts.
  const compare = async (iters, inFrames) => {
    const options = inFrames ? { initScript: () => delete window.Worker } : {};
    const p = await open(env, query({ ...RACE, iters, nopt: 'sgd(lr=0.1),momentum(lr=0.1),adagrad(lr=0.1),adam(lr=0.01)' }), options);
    const { page } = p;
    const frames = () => page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
    const parts = await page.evaluate(async () => {
      let n = 0;
      let done = false;
      window.gradscape.train().then(() => (done = true));
      while (!done) {
        await new Promise((ok) => requestAnimationFrame(ok));
        n++;
      }
      return n;
    });
    assert.ok(parts >= 3, `the race took ${parts} frames`);
    await frames();
    // The pixels stay in the page (a canvas's worth through the protocol takes seconds).
    const pixels = () => {
      const c = document.getElementById('net-loss');
      return c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    };
    await page.evaluate(`window.grownPixels = (${pixels})()`);
    await page.click('#net-log');
    await page.click('#net-log');
    await frames();
    const out = await page.evaluate(`(${(grown, whole) => {
      // Ink that differs (alpha) is a segment lost or left over; colour alone that differs,
      // where both drew ink, is which curve lies on top where two cross: a curve drawn in
      // parts, one per frame, puts the later part of every curve over the earlier part of the
      // others.
      const out = { ink: 0, inkDiffers: 0, colourDiffers: 0 };
      for (let i = 0; i < whole.length; i += 4) {
        if (whole[i + 3] > 0) out.ink++;
        if (Math.abs(grown[i + 3] - whole[i + 3]) > 64) out.inkDiffers++;
        else if ([0, 1, 2].some((k) => Math.abs(grown[i + k] - whole[i + k]) > 64)) out.colourDiffers++;
      }
      return out;
    }})(window.grownPixels, (${pixels})())`);
    p.check();
    await p.close();
    return { parts, ...out };
  };
  // Fewer iterations than pixel columns: every point is final once the next one comes, and the
  // two drawings have the same ink, however many frames the race took. (Where round-ended parts
  // overlap, an edge pixel's alpha a becomes 1 − (1 − a)², at most 64/255 more: not counted. A
  // few pixels where one frame's part meets the next, its round cap against the whole curve's
  // join, differ a little more: 2 to 4 of the 25,000 here, by up to 82/255.)
  const few = await compare(300, true);
  assert.ok(few.ink > 1000, `the curves are drawn: ${few.ink} pixels`);
  assert.ok(few.inkDiffers <= 8, JSON.stringify(few));
  assert.ok(few.colourDiffers < 0.02 * few.ink, JSON.stringify(few));
  // Many per column: the same curves, give or take where one frame's part meets the next.
  const many = await compare(8000, false);
  assert.ok(many.inkDiffers < 0.01 * many.ink, JSON.stringify(many));
  assert.ok(many.colourDiffers < 0.1 * many.ink, JSON.stringify(many));
});

test('the projector theme draws the network view larger, with the landscape drag still exact', async () => {
  const p = await open(env, query({ ...RACE, iters: 60, theme: 'projector' }));
  const { page } = p;
  await page.evaluate(() => window.gradscape.train());
  await page.evaluate(() => window.gradscape.makeLandscape(0));
  await page.waitForFunction(() => window.gradscape.landscape()?.done === true, null, { timeout: 20000 });
  await page.locator('#land-overlay').scrollIntoViewIfNeeded();
  // The landscape's left edge (α = −extent) lies 58 CSS pixels into its canvas (the core's
  // margin), times 1.4 in the projector theme.
  const edge = () => page.evaluate(() => {
    const { extent } = window.gradscape.landscape();
    return window.gradscape.landscapeToClient(-extent, 0).x - document.getElementById('land-overlay').getBoundingClientRect().left;
  });
  assert.ok(Math.abs((await edge()) - 58 * 1.4) < 1, `${await edge()}`);
  // A real drag of the white start, at the projected weights, trains every optimizer again.
  const before = await page.evaluate(() => window.gradscape.lossCurves()[0].loss[0]);
  const from = await page.evaluate(() => window.gradscape.landscapeToClient(0, 0));
  const to = await page.evaluate(() => window.gradscape.landscapeToClient(0.5, 0.5));
  await drag(page, from, to, 6);
  await page.waitForFunction(() => window.gradscape.trainStatus().iteration > 0);
  assert.notEqual(await page.evaluate(() => window.gradscape.lossCurves()[0].loss[0]), before);
  // Back to light: the plain margin again.
  await page.evaluate(() => window.gradscape.setState({ theme: 'light' }));
  await page.waitForFunction(() => {
    const { extent } = window.gradscape.landscape();
    return Math.abs(window.gradscape.landscapeToClient(-extent, 0).x - document.getElementById('land-overlay').getBoundingClientRect().left - 58) < 1;
  });
  p.check();
  await p.close();
});

test('digits: test images with each optimizer\'s predicted label', async () => {
  // The digits are fetched when first chosen: from the menu here, from the URL below.
  const first = await open(env, query({ hidden: '16', iters: 30, batch: 50, nopt: 'adam(lr=0.01)' }));
  await first.page.selectOption('#net-data', 'digits');
  await first.page.waitForFunction(() => window.gradscape.state().data === 'digits');
  assert.equal((await first.page.evaluate(() => window.gradscape.train())).length, 1);
  first.check();
  await first.close();
  const p = await open(env, query({ data: 'digits', hidden: '16', iters: 30, batch: 50, nopt: 'adam(lr=0.01)' }));
  const { page } = p;
  assert.equal(await page.evaluate(() => window.gradscape.state().data), 'digits');
  await page.evaluate(() => window.gradscape.train());
  await page.evaluate(() => window.gradscape.render());
  assert.equal(await page.locator('#regions canvas').count(), 0);
  assert.equal(await page.locator('#digits figure').count(), 12);
  const caption = await page.textContent('#digits figure figcaption');
  assert.match(caption, /^\d: \d$/);
  p.check();
  await p.close();
});

test('bad network settings are named on the page, never run as markup, and replaced', async () => {
  const p = await open(env, '?tab=network&data=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&hidden=8,999&batch=0&nopt=sgd(lr=-1)');
  const { page } = p;
  const params = await page.$$eval('#net-messages .warning', (ps) => ps.map((x) => x.dataset.param));
  assert.deepEqual(params, ['data', 'hidden', 'batch', 'nopt']);
  assert.equal(await page.locator('#net-messages img').count(), 0);
  assert.match(await page.textContent('#net-messages'), /data: no data set '<img src=x onerror=alert\(1\)>'/);
  const state = await page.evaluate(() => window.gradscape.state());
  assert.equal(state.data, 'spiral');
  assert.equal(state.hidden, '16,16');
  // Typing a bad width in the field says so and keeps the network.
  await page.fill('#net-hidden', '8,x');
  await page.press('#net-hidden', 'Enter');
  await page.locator('#net-hidden').blur();
  assert.match(await page.textContent('#net-messages'), /hidden: 'x' is not a layer width/);
  assert.equal(await page.getAttribute('#net-hidden', 'aria-invalid'), 'true');
  p.check();
  await p.close();
});
