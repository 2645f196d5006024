// The page inside other pages, as lecture slides hold it: an iframe of ?embed=1 (plot, compact
// bar and legend, no scrollbars, keys working) and ?autoplay=1 (plays only while on screen).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, open, drag } from './harness.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});

/** A host page holding `html`; console errors from any of its frames are collected. */
async function host(html, viewport = { width: 900, height: 600 }) {
  const context = await env.browser.newContext({ viewport });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.setContent(`<!doctype html><body style="margin:0">${html}</body>`);
  return { context, page, problems };
}

/** `html` (a `<gradscape-viz>` snippet) in a page of its own, once the element's view is ready:
 * the host's `{context, page, problems}` and the view's `state()`. */
async function pasteElement(html) {
  const pasted = await host(html);
  await pasted.page.waitForFunction(() => customElements.get('gradscape-viz') !== undefined);
  await pasted.page.evaluate(() => document.querySelector('gradscape-viz').whenReady);
  const state = await pasted.page.evaluate(() => document.querySelector('gradscape-viz').state());
  return { ...pasted, state };
}

async function ready(frame) {
  await frame.waitForFunction(() => window.gradscape !== undefined, null, { timeout: 20000 });
  return frame;
}

const noScrollbars = (frame) =>
  frame.evaluate(() => {
    const d = document.documentElement;
    return d.scrollHeight <= d.clientHeight && d.scrollWidth <= d.clientWidth && getComputedStyle(d).overflow === 'hidden';
  });

test('an iframe of ?embed=1 at 640×360: the plot fills it, no scrollbars, legend and keys', async () => {
  const { context, page, problems } = await host(`<iframe id="f" src="${env.base}?embed=1&preset=book-6-8" width="640" height="360" style="border:0"></iframe>`);
  const frame = await ready(page.frame({ url: /embed=1/ }));
  assert.equal(await noScrollbars(frame), true);
  // No page chrome: the header, the controls and the tables are not shown.
  for (const sel of ['header.top', 'aside.controls', '#seen-box', '.loss-box', '#speed']) {
    assert.equal(await frame.locator(sel).first().isVisible(), false, `${sel} is hidden`);
  }
  for (const sel of ['#play', '#step', '#reset', '#legend']) assert.equal(await frame.locator(sel).isVisible(), true, `${sel} shows`);
  assert.deepEqual(await frame.locator('#legend li').allTextContents(), ['SGD', 'Momentum', 'AdaGrad', 'Adam']);
  // Each with its marker as well as its colour: nothing depends on colour alone.
  const markers = await frame.locator('#legend .swatch').evaluateAll((els) => els.map((e) => e.className));
  assert.deepEqual(markers, ['swatch marker-circle', 'swatch marker-square', 'swatch marker-triangle', 'swatch marker-diamond']);
  const plot = await frame.evaluate(() => document.getElementById('plot').getBoundingClientRect().toJSON());
  assert.ok(plot.width >= 600 && plot.height >= 250, `the plot fills the frame: ${JSON.stringify(plot)}`);
  // The surface is painted at the plot's size.
  const surface = await frame.evaluate(() => [document.getElementById('surface').width, document.getElementById('overlay').getBoundingClientRect().width]);
  assert.equal(surface[0], Math.round(surface[1]));

  // Keys work inside the frame.
  await frame.focus('#overlay');
  await page.keyboard.press('r');
  await page.keyboard.press('ArrowRight');
  assert.deepEqual(await frame.evaluate(() => window.gradscape.status()), { playing: false, step: 1 });
  await page.keyboard.press(' ');
  assert.equal((await frame.evaluate(() => window.gradscape.status())).playing, true);
  await page.keyboard.press(' ');
  assert.equal((await frame.evaluate(() => window.gradscape.status())).playing, false);

  // The frame is resized: the plot follows, still without scrollbars.
  await page.evaluate(() => {
    const f = document.getElementById('f');
    f.width = '480';
    f.height = '270';
  });
  await frame.waitForFunction(() => document.getElementById('plot').getBoundingClientRect().width < 480);
  await frame.waitForFunction(() => document.getElementById('surface').width === Math.round(document.getElementById('overlay').getBoundingClientRect().width));
  assert.equal(await noScrollbars(frame), true);
  assert.deepEqual(problems, [], problems.join('\n'));
  await context.close();
});

test('?autoplay=1 plays while the plot is on screen and pauses when it leaves', async () => {
  const { context, page, problems } = await host(
    `<div style="height:1500px">above</div><iframe src="${env.base}?embed=1&autoplay=1&preset=rosenbrock-valley&speed=5" width="640" height="360"></iframe><div style="height:1500px">below</div>`,
  );
  const frame = await ready(page.frame({ url: /autoplay=1/ }));
  await page.waitForTimeout(300);
  assert.equal((await frame.evaluate(() => window.gradscape.status())).playing, false, 'not playing off screen');
  // (Polled on a timer: a frame out of view gets no animation frames to poll on.)
  await page.evaluate(() => document.querySelector('iframe').scrollIntoView());
  await frame.waitForFunction(() => window.gradscape.status().playing, null, { polling: 100 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await frame.waitForFunction(() => !window.gradscape.status().playing, null, { polling: 100 });
  assert.deepEqual(problems, [], problems.join('\n'));
  await context.close();
});

test('a bad embed or autoplay value is named on the page and the full page is shown', async () => {
  const p = await open(env, '?embed=maybe&autoplay=2');
  const said = await p.page.locator('#messages').textContent();
  assert.match(said, /embed: 'maybe' is not 0 or 1/);
  assert.match(said, /autoplay: '2' is not 0 or 1/);
  assert.equal(await p.page.locator('#app aside.controls').isVisible(), true);
  p.check();
  await p.close();
});

test('Share gives the address of the view and an iframe snippet of it that embeds', async () => {
  const p = await open(env, '?f=himmelblau&opt=adam(lr=0.1)&start=1,1&steps=60');
  const { page } = p;
  await page.click('#share-button');
  // The dialog opens once its script is fetched (at the first Share).
  await page.waitForSelector('#share', { state: 'visible' });
  const link = await page.inputValue('#share-link');
  const shared = new URL(link);
  assert.equal(shared.searchParams.get('f'), 'himmelblau');
  assert.equal(shared.searchParams.get('start'), '1,1');
  assert.equal(shared.searchParams.get('steps'), '60');
  const snippet = await page.inputValue('#share-embed');
  assert.match(snippet, /^<iframe src="[^"]+" width="640" height="360"/);
  const element = await page.inputValue('#share-element');
  assert.match(element, /^<script type="module" src="[^"]+\/www\/gradscape\.js"><\/script>\n<gradscape-viz [^>]*f="himmelblau"[^>]* start="1,1"[^>]*><\/gradscape-viz>$/);
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('#share').isVisible(), false);
  p.check();
  await p.close();

  // The element snippet, pasted into a page, shows the same runs.
  {
    const { context, problems, state } = await pasteElement(element);
    assert.equal(state.f, 'himmelblau');
    assert.equal(state.start, '1,1');
    assert.deepEqual(problems, [], problems.join('\n'));
    await context.close();
  }

  // The snippet, pasted into a page, shows the same runs embedded.
  const { context, page: hostPage, problems } = await host(snippet);
  const frame = await ready(hostPage.frame({ url: /embed=1/ }));
  assert.equal(await frame.evaluate(() => document.documentElement.classList.contains('embed')), true);
  const state = await frame.evaluate(() => window.gradscape.state());
  assert.equal(state.f, 'himmelblau');
  assert.equal(state.start, '1,1');
  assert.equal(state.steps, 60);
  assert.deepEqual(problems, [], problems.join('\n'));
  await context.close();
});

test('Share in 3-D with noise: the element snippet carries the mode, camera, contours and noise, and shows them', async () => {
  const p = await open(env, '?f=himmelblau&noise=0.5&seed=3&mode=3d&camera=30,40,4&contours=0', { waitFor: () => document.getElementById('plot').classList.contains('three') });
  await p.page.click('#share-button');
  await p.page.waitForSelector('#share', { state: 'visible' });
  const element = await p.page.inputValue('#share-element');
  for (const attribute of ['mode="3d"', 'camera="30,40,4"', 'contours="0"', 'noise="0.5"', 'seed="3"', 'f="himmelblau"']) {
    assert.ok(element.includes(attribute), `${attribute} in ${element}`);
  }
  p.check();
  await p.close();
  const { context, page: hostPage, problems, state } = await pasteElement(element);
  assert.deepEqual([state.mode, state.camera, state.contours, state.noise, state.seed, state.f], ['3d', [30, 40, 4], false, 0.5, 3, 'himmelblau']);
  // Changed live: contour lines back on.
  await hostPage.evaluate(() => document.querySelector('gradscape-viz').setAttribute('contours', '1'));
  await hostPage.waitForFunction(async () => (await document.querySelector('gradscape-viz').state()).contours === true);
  assert.deepEqual(problems, [], problems.join('\n'));
  await context.close();
});

test('two <gradscape-viz> elements on one page: each its own view, attributes live, the API as methods', async () => {
  const { context, page, problems } = await host(`
    <script type="module" src="${env.base}www/gradscape.js"></script>
    <gradscape-viz id="a" f="himmelblau" opt="adam(lr=0.1)" start="0,0" steps="300" style="width:640px"></gradscape-viz>
    <gradscape-viz id="b" preset="book-6-8" style="width:480px"></gradscape-viz>`);
  await page.waitForFunction(() => customElements.get('gradscape-viz') !== undefined);
  await page.evaluate(() => Promise.all(['a', 'b'].map((id) => document.getElementById(id).whenReady)));
  const a = await page.evaluate(() => document.getElementById('a').trajectories());
  const b = await page.evaluate(() => document.getElementById('b').trajectories());
  assert.equal(a.length, 1);
  assert.equal(a[0].optimizer, 'adam');
  assert.equal(a[0].points.length, 301);
  // Adam from (0, 0) on Himmelblau ends at its minimum (3, 2).
  const end = a[0].points.at(-1);
  assert.ok(Math.hypot(end[0] - 3, end[1] - 2) < 0.01, `${end}`);
  // The other element is the book's Figure 6-8: SGD after 30 updates from (−7, 2).
  assert.deepEqual(b.map((t) => t.optimizer), ['sgd', 'momentum', 'adagrad', 'adam']);
  assert.deepEqual(b[0].points.at(-1), [-0.3503929957523197, 0.0847823165504322]);
  // An attribute change applies live, to that element only.
  await page.evaluate(() => document.getElementById('a').setAttribute('steps', '20'));
  await page.waitForFunction(async () => (await document.getElementById('a').trajectories())[0].points.length === 21, null, { polling: 100 });
  assert.equal((await page.evaluate(() => document.getElementById('b').status())).step, 30);
  // Methods: play, pause, step, status; positions in the host page's pixels.
  assert.deepEqual(await page.evaluate(async () => {
    const el = document.getElementById('b');
    await el.reset();
    await el.step(3);
    return el.status();
  }), { playing: false, step: 3 });
  const at = await page.evaluate(() => document.getElementById('b').worldToClient(-7, 2));
  const box = await page.evaluate(() => document.getElementById('b').getBoundingClientRect().toJSON());
  assert.ok(at.x > box.left && at.x < box.right && at.y > box.top && at.y < box.bottom, `${JSON.stringify([at, box])}`);
  const back = await page.evaluate(([x, y]) => document.getElementById('b').clientToWorld(x, y), [at.x, at.y]);
  assert.ok(Math.abs(back.x + 7) < 1e-9 && Math.abs(back.y - 2) < 1e-9, `${JSON.stringify(back)}`);
  // A real mouse drag on the second element moves its start, and only its.
  const to = await page.evaluate(() => document.getElementById('b').worldToClient(-4, -3));
  await drag(page, at, to);
  const [moved] = await page.evaluate(() => document.getElementById('b').startPoints());
  assert.ok(Math.abs(moved[0] + 4) < 0.1 && Math.abs(moved[1] + 3) < 0.1, `${moved}`);
  assert.deepEqual(await page.evaluate(() => document.getElementById('a').startPoints()), [[0, 0]]);
  // Exports cross the frame: an SVG string, a PNG Blob.
  const svg = await page.evaluate(() => document.getElementById('a').exportSVG());
  assert.match(svg, /^<svg [^>]*width="\d+" height="\d+"/);
  assert.ok(svg.includes("<polyline"));
  assert.equal(await page.evaluate(async () => (await document.getElementById('a').exportPNG()).type), 'image/png');
  // mode="3d": the element's view in 3-D, and a real drag of its start on the surface.
  await page.evaluate(() => document.getElementById('b').setAttribute('mode', '3d'));
  // Once drawn in 3-D, both points are in view: the start and where it is dropped.
  const points3d = async () => page.evaluate(async () => {
    const b = document.getElementById('b');
    return (await b.state()).mode === '3d' ? [await b.worldToClient3d(-4, -3), await b.worldToClient3d(-2, 1)] : [null, null];
  });
  let from3d = null;
  let to3d = null;
  for (let i = 0; i < 100 && !(from3d && to3d); i += 1) {
    [from3d, to3d] = await points3d();
    if (!(from3d && to3d)) await page.waitForTimeout(100);
  }
  assert.ok(from3d && to3d, `${JSON.stringify([from3d, to3d])}`);
  await drag(page, from3d, to3d, 8);
  const [moved3d] = await page.evaluate(() => document.getElementById('b').startPoints());
  assert.ok(Math.abs(moved3d[0] + 2) < 0.4 && Math.abs(moved3d[1] - 1) < 0.4, `${moved3d}`);
  // A method that is not there is refused in words.
  assert.match(await page.evaluate(() => document.getElementById('a').call('nothing').catch((e) => e.message)), /no method 'nothing'/);
  assert.deepEqual(problems, [], problems.join('\n'));
  await context.close();
});
