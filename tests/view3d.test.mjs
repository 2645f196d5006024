// The surfaces in 3-D: its module fetched once when 3-D is chosen, a real drag of a start on the
// surface, orbiting and zooming by mouse, what a ridge hides, and the fallback without WebGL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, open, drag, phone, pinch } from './harness.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => env && env.close());

const shown3d = () => document.getElementById('plot').classList.contains('three');
/** The page is up and its 3-D view drawn (for `open`'s `waitFor`). */
const ready3d = () => window.gradscape !== undefined && document.getElementById('plot').classList.contains('three');

/** Opens `path` in 2-D and switches to 3-D by a real click on the switch. */
async function open3d(path) {
  const v = await open(env, path);
  await v.page.click('#mode-3d');
  await v.page.waitForFunction(shown3d);
  return v;
}

/** The RGB of the 3-D canvas at client (CSS) position (x, y), and of the pixels within `r` of it. */
function glPixels(page, x, y, r = 0) {
  return page.evaluate(([x, y, r]) => {
    const c = document.getElementById('gl');
    const box = c.getBoundingClientRect();
    const s = c.width / box.width;
    const copy = document.createElement('canvas');
    copy.width = c.width;
    copy.height = c.height;
    const ctx = copy.getContext('2d');
    ctx.drawImage(c, 0, 0);
    const px = Math.round((x - box.left) * s - 0.5);
    const py = Math.round((y - box.top) * s - 0.5);
    const d = ctx.getImageData(px - r, py - r, 2 * r + 1, 2 * r + 1).data;
    const out = [];
    for (let i = 0; i < d.length; i += 4) out.push([d[i], d[i + 1], d[i + 2]]);
    return out;
  }, [x, y, r]);
}
const glPixel = async (page, x, y) => (await glPixels(page, x, y))[0];
const near = (a, b, tolerance) => a.every((c, i) => Math.abs(c - b[i]) <= tolerance);

// The camera written out here, independently of the page: it orbits (0, 0, 0.4) at azimuth az
// (from +x towards +y) and elevation el, z up, with a 40° vertical field of view. The view box
// maps to [−1, 1]² and a height z in [0, 1] to 0.8·z.
function projectByHand([az, el, dist], width, height, [u, v, h]) {
  const rad = Math.PI / 180;
  const target = [0, 0, 0.4];
  const eye = [target[0] + dist * Math.cos(el * rad) * Math.cos(az * rad), target[1] + dist * Math.cos(el * rad) * Math.sin(az * rad), target[2] + dist * Math.sin(el * rad)];
  const sub = (a, b) => a.map((x, i) => x - b[i]);
  const dot = (a, b) => a.reduce((s, x, i) => s + x * b[i], 0);
  const cross = (a, b) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
  const unit = (a) => a.map((x) => x / Math.hypot(...a));
  const forward = unit(sub(target, eye));
  const right = unit(cross(forward, [0, 0, 1]));
  const up = cross(right, forward);
  const p = sub([u, v, h], eye);
  const depth = dot(p, forward);
  const f = 1 / Math.tan((40 * rad) / 2);
  const ndcX = (f / (width / height)) * dot(p, right) / depth;
  const ndcY = f * dot(p, up) / depth;
  return [(ndcX + 1) / 2 * width, (1 - ndcY) / 2 * height];
}

test('mode=3d draws the surface as a mesh, its module fetched once, and only then', async () => {
  // Until 3-D is drawn, every frame is looked at: the 2-D picture must never show, and the plot
  // says that 3-D is loading.
  const watch = () => {
    window.flashes = 0;
    window.loadingSaid = '';
    const look = () => {
      const plot = document.getElementById('plot');
      const surface = document.getElementById('surface');
      const status = document.getElementById('view3d-status');
      if (plot && surface && !plot.classList.contains('three')) {
        // Once the page has drawn its first frame (before, the canvas is blank).
        const drawn = performance.getEntriesByName('gradscape:first-frame').length > 0;
        if (drawn && getComputedStyle(surface).visibility !== 'hidden') window.flashes += 1;
        if (status && !status.hidden) window.loadingSaid = status.textContent;
      }
      if (!plot || !plot.classList.contains('three')) requestAnimationFrame(look);
    };
    requestAnimationFrame(look);
  };
  const v = await open(env, '?f=x^2%2By^2&view=-2,2,-2,2&start=-1,1&mode=3d', { initScript: watch, waitFor: ready3d });
  assert.equal(await v.page.evaluate(() => window.flashes), 0, 'the 2-D picture showed before 3-D');
  assert.equal(await v.page.evaluate(() => window.loadingSaid), 'Loading the 3-D view…');
  assert.equal(await v.page.evaluate(() => document.getElementById('view3d-status').hidden), true);
  const state = await v.page.evaluate(() => window.gradscape.state());
  assert.equal(state.mode, '3d');
  assert.deepEqual(state.camera, [-60, 50, 3.2]);
  assert.equal(state.height, 'log');
  // The bowl's lowest point, (0, 0), is in view and drawn in the heat map's darkest colour (its
  // minimum), lit: not the white background.
  const centre = await v.page.evaluate(() => window.gradscape.worldToClient3d(0, 0));
  assert.ok(centre, 'the bottom of the bowl is in view');
  const px = await glPixel(v.page, centre.x, centre.y);
  assert.ok(px.some((c) => c < 200), `the surface is drawn at the bowl's bottom: ${px}`);
  // Back to 2-D and to 3-D again by clicks: nothing is fetched again.
  await v.page.click('#mode-2d');
  await v.page.waitForFunction(() => !document.getElementById('plot').classList.contains('three'));
  await v.page.click('#mode-3d');
  await v.page.waitForFunction(shown3d);
  const files = await v.page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name.split('/').pop()));
  assert.equal(files.filter((f) => f === 'gradscape_3d_bg.wasm').length, 1, files.join(', '));
  assert.equal(files.filter((f) => f === 'view3d.js').length, 1, files.join(', '));
  v.check();
  await v.close();
});

test('a real drag of a start on the 3-D surface moves it to the point under the pointer', async () => {
  const v = await open3d('?f=x^2%2By^2&view=-2,2,-2,2&start=-1,1&opt=sgd(lr=0.1)&steps=20');
  const from = await v.page.evaluate(() => window.gradscape.worldToClient3d(-1, 1));
  const to = await v.page.evaluate(() => window.gradscape.worldToClient3d(0.5, -0.5));
  assert.ok(from && to, 'both points are in view');
  // The start is drawn as a white disc.
  assert.ok((await glPixels(v.page, from.x, from.y, 1)).some((p) => near(p, [255, 255, 255], 12)), 'a white disc at the start');
  await drag(v.page, from, to, 12);
  const [x, y] = (await v.page.evaluate(() => window.gradscape.startPoints()))[0];
  // Within one cell of the mesh (in software WebGL2, 49 × 49 samples over a box 4 wide: 48 cells
  // of 1/12), here far closer.
  const cell = 4 / 48;
  assert.ok(Math.abs(x - 0.5) < cell && Math.abs(y + 0.5) < cell, `start at (${x}, ${y}), dropped at (0.5, −0.5)`);
  // The path follows: it begins at the new start, and SGD on x² + y² with lr 0.1 takes each
  // coordinate to 0.8 of itself per step.
  const run = (await v.page.evaluate(() => window.gradscape.trajectories()))[0];
  assert.deepEqual(run.points[0], [x, y]);
  assert.ok(Math.abs(run.points[1][0] - 0.8 * x) < 1e-12 && Math.abs(run.points[1][1] - 0.8 * y) < 1e-12);
  // A click on the surface (no drag) adds a start there.
  const spot = await v.page.evaluate(() => window.gradscape.worldToClient3d(-0.5, 0.5));
  await v.page.mouse.click(spot.x, spot.y);
  const starts = await v.page.evaluate(() => window.gradscape.startPoints());
  assert.equal(starts.length, 2);
  assert.ok(Math.abs(starts[1][0] + 0.5) < cell && Math.abs(starts[1][1] - 0.5) < cell, `added at ${starts[1]}`);
  v.check();
  await v.close();
});

test('dragging empty space orbits the camera and the wheel zooms, both kept in the address', async () => {
  const v = await open3d('?f=x^2%2By^2&view=-2,2,-2,2&start=-1,1');
  const box = await v.page.locator('#gl').boundingBox();
  // The top left corner of the plot is empty at the default camera.
  const from = { x: box.x + 15, y: box.y + 15 };
  assert.deepEqual(await glPixel(v.page, from.x, from.y), [255, 255, 255]);
  await drag(v.page, from, { x: from.x + 100, y: from.y + 40 }, 8);
  // 0.4° a pixel: azimuth −60 − 40, elevation 50 + 16.
  const camera = (await v.page.evaluate(() => window.gradscape.state())).camera;
  assert.ok(Math.abs(camera[0] + 100) < 1e-9 && Math.abs(camera[1] - 66) < 1e-9 && camera[2] === 3.2, `camera ${camera}`);
  await v.page.waitForFunction(() => new URLSearchParams(location.search).get('camera') === '-100,66,3.2');
  await v.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await v.page.mouse.wheel(0, -200);
  await v.page.waitForFunction(() => window.gradscape.state().camera[2] < 3.2);
  const zoomed = (await v.page.evaluate(() => window.gradscape.state())).camera[2];
  assert.ok(Math.abs(zoomed - 3.2 / Math.exp(0.3)) < 1e-9, `distance ${zoomed}`);
  await v.page.waitForFunction((d) => new URLSearchParams(location.search).get('camera') === `-100,66,${d}`, +zoomed.toFixed(2));
  // Reset view puts the camera back.
  await v.page.click('#reset-view');
  assert.deepEqual((await v.page.evaluate(() => window.gradscape.state())).camera, [-60, 50, 3.2]);
  // A click on empty space (no start added), then + brings the camera 1.25 times nearer.
  await v.page.mouse.click(from.x, from.y);
  await v.page.keyboard.press('+');
  assert.equal((await v.page.evaluate(() => window.gradscape.state())).camera[2], 3.2 / 1.25);
  assert.equal((await v.page.evaluate(() => window.gradscape.startPoints())).length, 1);
  // Save PNG's image is the 3-D plot: the canvas's size, and the bowl's bottom not white.
  const png = await v.page.evaluate(async () => {
    const blob = await window.gradscape.exportPNG();
    const image = await createImageBitmap(blob);
    const c = document.createElement('canvas');
    c.width = image.width;
    c.height = image.height;
    const ctx = c.getContext('2d');
    ctx.drawImage(image, 0, 0);
    const gl = document.getElementById('gl');
    const r = gl.getBoundingClientRect();
    const at = window.gradscape.worldToClient3d(0, 0);
    const s = c.width / r.width;
    return { size: [image.width, image.height], canvas: [gl.width, gl.height], bottom: [...ctx.getImageData(Math.round((at.x - r.left) * s), Math.round((at.y - r.top) * s), 1, 1).data] };
  });
  assert.deepEqual(png.size, png.canvas);
  assert.ok(png.bottom.slice(0, 3).some((c) => c < 200), `the PNG shows the surface: ${png.bottom}`);
  v.check();
  await v.page.close();
  // The camera from the address, and a bad one named and replaced.
  const w = await open(env, '?mode=3d&camera=30,60,5&height=clip&contours=0', { waitFor: ready3d });
  const kept = await w.page.evaluate(() => window.gradscape.state());
  assert.deepEqual([kept.camera, kept.height], [[30, 60, 5], 'clip']);
  assert.equal(await w.page.isChecked('#contours'), false);
  await w.page.waitForFunction(() => /height=clip&contours=0/.test(location.search));
  await w.close();
  const bad = await open(env, '?mode=3d&camera=30,abc,5&height=cubic&contours=maybe', { waitFor: ready3d });
  const text = await bad.page.locator('#messages').innerText();
  assert.match(text, /camera: '30,abc,5' is not three numbers/);
  assert.match(text, /height: no height scale 'cubic'/);
  assert.match(text, /contours: 'maybe' is not 0 or 1/);
  assert.deepEqual((await bad.page.evaluate(() => window.gradscape.state())).camera, [-60, 50, 3.2]);
  // Beyond the camera's bounds: brought within them, and said.
  const warnings = await bad.page.evaluate(() => window.gradscape.setState({ camera: [400, 120, 50] }));
  assert.deepEqual((await bad.page.evaluate(() => window.gradscape.state())).camera, [40, 89, 10]);
  assert.match(warnings.map((w) => w.message).join(' '), /camera: '400,120,50' is beyond what the camera allows .*; used 40,89,10/);
  bad.check();
  await bad.close();
});

test('in software WebGL a moving camera is drawn at 0.7 of the resolution, and at the full once it rests', async () => {
  const v = await open3d('');
  const size = () => v.page.evaluate(() => {
    const c = document.getElementById('gl');
    const r = c.getBoundingClientRect();
    return { drawn: [c.width, c.height], css: [r.width, r.height], dpr: window.devicePixelRatio };
  });
  const rest = await size();
  assert.deepEqual(rest.drawn, rest.css.map((c) => Math.round(c * rest.dpr)));
  const box = await v.page.locator('#gl').boundingBox();
  await v.page.mouse.move(box.x + 15, box.y + 15);
  await v.page.mouse.down();
  for (let k = 1; k <= 6; k += 1) await v.page.mouse.move(box.x + 15 + 8 * k, box.y + 15);
  const moving = await size();
  assert.deepEqual(moving.drawn, rest.css.map((c) => Math.round(c * rest.dpr * 0.7)));
  await v.page.mouse.up();
  assert.deepEqual((await size()).drawn, rest.drawn);
  // The wheel too, until no wheel event has come for 0.2 s.
  await v.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await v.page.mouse.wheel(0, -100);
  await v.page.waitForFunction((w) => document.getElementById('gl').width < w, rest.drawn[0]);
  await v.page.waitForFunction((w) => document.getElementById('gl').width === w, rest.drawn[0]);
  v.check();
  await v.close();
});

test('Save video in 3-D records the 3-D view: its last frame is the PNG of the same view', async () => {
  const v = await open3d('?preset=book-6-8&speed=10');
  const diff = await v.page.evaluate(async () => {
    const pixels = (source, w, h) => {
      const c = new OffscreenCanvas(w, h);
      const ctx = c.getContext('2d');
      ctx.drawImage(source, 0, 0);
      return ctx.getImageData(0, 0, w, h).data;
    };
    const video = await window.gradscape.exportWebM({ fps: 15 });
    const image = await createImageBitmap(await window.gradscape.exportPNG());
    const png = pixels(image, image.width, image.height);
    const el = document.createElement('video');
    el.muted = true;
    el.src = URL.createObjectURL(video);
    await new Promise((ok) => (el.onloadeddata = ok));
    el.currentTime = 1e6;
    await new Promise((ok) => (el.onseeked = ok));
    const last = pixels(el, el.videoWidth, el.videoHeight);
    let sum = 0;
    for (let i = 0; i < png.length; i += 4) for (let k = 0; k < 3; k += 1) sum += Math.abs(png[i + k] - last[i + k]);
    return { size: [image.width, image.height, el.videoWidth, el.videoHeight], mean: sum / (png.length / 4) / 3 };
  });
  assert.deepEqual(diff.size.slice(0, 2), diff.size.slice(2));
  // The codec's loss is a few levels of 255; the 2-D picture in its place differed by about 70.
  assert.ok(diff.mean < 10, `the video's last frame differs from the PNG by ${diff.mean.toFixed(1)} a channel`);
  v.check();
  await v.close();
});

test('setState turns the contour lines on the mesh off and on, and names a bad value', async () => {
  const v = await open3d('');
  const { page } = v;
  assert.equal((await page.evaluate(() => window.gradscape.state())).contours, true);
  assert.deepEqual(await page.evaluate(() => window.gradscape.setState({ contours: false })), []);
  assert.equal(await page.isChecked('#contours'), false);
  await page.waitForFunction(() => new URLSearchParams(location.search).get('contours') === '0');
  assert.equal((await page.evaluate(() => window.gradscape.state())).contours, false);
  const bad = await page.evaluate(() => window.gradscape.setState({ contours: 'maybe' }));
  assert.deepEqual(bad.map((w) => w.message), ["contours: 'maybe' is not 0 or 1; kept 0"]);
  assert.deepEqual(await page.evaluate(() => window.gradscape.setState({ contours: '1' })), []);
  assert.equal(await page.isChecked('#contours'), true);
  v.check();
  await v.close();
});

test('a two-finger pinch on a touch screen zooms the 3-D camera, kept in the address', async () => {
  const v = await open(env, '?f=x^2%2By^2&view=-2,2,-2,2&start=-1,1&mode=3d&camera=-60,35,3.2', {
    ...phone(2),
    waitFor: ready3d,
  });
  const { page } = v;
  // Two fingers 60 px apart about the bowl's bottom (away from the start's disc) spread to 120
  // px: the camera comes twice as near (3.2 to 1.6), turned as it was.
  const mid = await page.evaluate(() => {
    document.getElementById('gl').scrollIntoView();
    return window.gradscape.worldToClient3d(0.5, -0.5);
  });
  assert.ok(mid, 'the point is in view');
  const cdp = await v.context.newCDPSession(page);
  await pinch(cdp, mid, 60, 120);
  const camera = await page.evaluate(() => window.gradscape.state().camera);
  assert.deepEqual(camera.slice(0, 2), [-60, 35]);
  assert.ok(Math.abs(camera[2] - 1.6) < 1e-5, `camera distance ${camera[2]}`);
  await page.waitForFunction(() => new URLSearchParams(location.search).get('camera') === '-60,35,1.6');
  // The pinch neither moved nor added a start.
  assert.deepEqual(await page.evaluate(() => window.gradscape.startPoints()), [[-1, 1]]);
  v.check();
  await v.close();
});

test('at a fixed camera, a path point that a ridge hides shows the surface, a visible one the path', async () => {
  // A wall along x = 0, 100 high, over the floor y²; a start on each side. The camera looks from
  // the −x side, 10° above the floor.
  const v = await open(env, '?f=100*exp(-50*x^2)%2By^2&view=-2,2,-2,2&start=-1,1.5;1,1.5&opt=sgd(lr=0.05)&steps=30&mode=3d&camera=180,10,3.2', { waitFor: ready3d });
  const runs = await v.page.evaluate(() => window.gradscape.trajectories());
  const box = await v.page.locator('#gl').boundingBox();
  const camera = [180, 10, 3.2];
  // Step 5 of each run: SGD on y² with lr 0.05 takes y to 0.9 of itself a step: 1.5·0.9⁵.
  const y5 = 1.5 * 0.9 ** 5;
  assert.ok(Math.abs(runs[0].points[5][1] - y5) < 1e-12);
  // Heights: log scale over the grid's values, from 0 (far from the wall) to 104 (its top at
  // y = ±2): z = ln(1 + f) / ln(105).
  const f = (x, y) => 100 * Math.exp(-50 * x * x) + y * y;
  const world = (x, y) => [x / 2, y / 2, 0.8 * Math.log(1 + f(x, y)) / Math.log(105)];
  const [vx, vy] = projectByHand(camera, box.width, box.height, world(-1, y5));
  const [hx, hy] = projectByHand(camera, box.width, box.height, world(1, y5));
  // The page's projection of the surface there agrees with the one written here.
  const seen = await v.page.evaluate(([y]) => window.gradscape.worldToClient3d(-1, y), [y5]);
  assert.ok(Math.hypot(seen.x - box.x - vx, seen.y - box.y - vy) < 1, `page ${seen.x - box.x}, ${seen.y - box.y}; by hand ${vx}, ${vy}`);
  assert.equal(await v.page.evaluate(([y]) => window.gradscape.worldToClient3d(1, y), [y5]), null, 'the point behind the wall is hidden');
  const visibleBefore = await glPixels(v.page, box.x + vx, box.y + vy, 1);
  const hiddenBefore = await glPixels(v.page, box.x + hx, box.y + hy, 1);
  // The visible point is in SGD's colour (the ribbon is 3 pixels wide: its middle pixel within
  // a pixel of the point).
  const colour = [1, 3, 5].map((i) => parseInt(runs[0].colour.slice(i, i + 2), 16));
  assert.ok(visibleBefore.some((p) => near(p, colour, 16)), `visible path point ${visibleBefore.join(' ')}, SGD ${colour}`);
  // Behind the wall, nothing of SGD's colour.
  assert.ok(!hiddenBefore.some((p) => near(p, colour, 60)), `hidden path point ${hiddenBefore.join(' ')}`);
  // Hide SGD (a real click on its box): the visible point now shows the surface, the hidden one
  // is unchanged, as it showed the surface all along.
  await v.page.locator('.optimizer').first().locator('input[type=checkbox]').first().click();
  await v.page.waitForFunction(() => !window.gradscape.trajectories()[0].visible);
  await v.page.waitForTimeout(100);
  const visibleAfter = await glPixels(v.page, box.x + vx, box.y + vy, 1);
  const hiddenAfter = await glPixels(v.page, box.x + hx, box.y + hy, 1);
  assert.ok(!visibleAfter.some((p) => near(p, colour, 60)), `visible point, SGD hidden: ${visibleAfter.join(' ')}`);
  assert.ok(hiddenAfter.every((p, i) => near(p, hiddenBefore[i], 2)), `hidden point: ${hiddenBefore.join(' ')} then ${hiddenAfter.join(' ')}`);
  v.check();
  await v.close();
});

test('a step across a valley lies on the surface, not in the air between its ends', async () => {
  // The book's x²/20 + y² over [−10, 10]², SGD at lr 0.95 for one step from (−7, 2): the gradient
  // there is (x/10, 2y) = (−0.7, 4), so the step lands on (−6.335, −1.8). It crosses the valley's
  // floor y = 0 at t = 2/3.8 of the way, x = −7 + 0.665·t. The camera looks along +x, 30° up.
  const camera = [180, 30, 3.2];
  const v = await open(env, `?f=x^2/20%2By^2&view=-10,10,-10,10&start=-7,2&opt=sgd(lr=0.95)&steps=1&mode=3d&camera=${camera}`, { waitFor: ready3d });
  await v.page.waitForTimeout(100);
  const [run] = await v.page.evaluate(() => window.gradscape.trajectories());
  assert.deepEqual(run.points[1].map((c) => Math.round(c * 1e9) / 1e9), [-6.335, -1.8]);
  const box = await v.page.locator('#gl').boundingBox();
  const t = 2 / 3.8;
  const x = -7 + 0.665 * t;
  // Heights: log scale over the grid's values, 0 at (0, 0) to 105 in the corners.
  const f = (x, y) => x * x / 20 + y * y;
  const z = (value) => 0.8 * Math.log(1 + value) / Math.log(106);
  // On the floor: the path's colour (the ribbon is 3 pixels wide).
  const [fx, fy] = projectByHand(camera, box.width, box.height, [x / 10, 0, z(f(x, 0))]);
  const seen = await v.page.evaluate(([x]) => window.gradscape.worldToClient3d(x, 0), [x]);
  assert.ok(Math.hypot(seen.x - box.x - fx, seen.y - box.y - fy) < 1, `page ${seen.x - box.x}, ${seen.y - box.y}; by hand ${fx}, ${fy}`);
  const colour = [1, 3, 5].map((i) => parseInt(run.colour.slice(i, i + 2), 16));
  const floor = await glPixels(v.page, box.x + fx, box.y + fy, 1);
  assert.ok(floor.some((p) => near(p, colour, 16)), `the step's crossing of the floor ${floor.join(' ')}, SGD ${colour}`);
  // Where the straight chord between the step's ends would be, above the floor: no path there.
  const chord = z(f(-7, 2)) + (z(f(-6.335, -1.8)) - z(f(-7, 2))) * t;
  const [cx, cy] = projectByHand(camera, box.width, box.height, [x / 10, 0, chord]);
  assert.ok(fy - cy > 10, `the chord is drawn ${fy - cy} px above the floor`);
  const air = await glPixels(v.page, box.x + cx, box.y + cy, 1);
  assert.ok(!air.some((p) => near(p, colour, 60)), `in the air above the floor ${air.join(' ')}`);
  v.check();
  await v.close();
});

test('without WebGL the 3-D switch says so and the 2-D view works on', async () => {
  const plain = await start({ args: ['--disable-webgl'] });
  try {
    const v = await open(plain, '?f=x^2%2By^2&view=-2,2,-2,2&start=-1,1&mode=3d');
    await v.page.waitForFunction(() => document.getElementById('mode-3d').disabled);
    assert.match(await v.page.locator('#messages').innerText(), /3-D needs WebGL2/);
    assert.equal((await v.page.evaluate(() => window.gradscape.state())).mode, '2d');
    assert.match(await v.page.locator('#mode-3d').getAttribute('title'), /3-D needs WebGL2/);
    // A real drag in 2-D moves the start.
    const from = await v.page.evaluate(() => window.gradscape.worldToClient(-1, 1));
    const to = await v.page.evaluate(() => window.gradscape.worldToClient(1, -1));
    await drag(v.page, from, to, 6);
    const [x, y] = (await v.page.evaluate(() => window.gradscape.startPoints()))[0];
    assert.ok(Math.abs(x - 1) < 0.05 && Math.abs(y + 1) < 0.05, `start at (${x}, ${y})`);
    v.check();
    await v.close();
  } finally {
    await plain.close();
  }
});
