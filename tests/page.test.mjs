// The page in headless Chromium, used as a person would: load it, drag with the mouse and with a
// finger, type a function, paste a URL. Every test fails on any console error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, open, overlayPixel, drag, phone, pinch } from './harness.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});

// Deep Learning from Scratch, Figure 6-8: the point after 30 updates from (−7, 2).
const BOOK = {
  sgd: [-0.3503929957523197, 0.0847823165504322],
  momentum: [0.896413858493733, 0.08808560171506971],
  adagrad: [-0.12016232231416045, 2.486389893984459e-17],
  adam: [0.13600685239498186, 0.31824537553721943],
};

const isWhite = (px) => px[0] > 240 && px[1] > 240 && px[2] > 240 && px[3] > 240;

test('loads with no console errors, says it is ready and draws', async () => {
  const p = await open(env, '');
  const { page } = p;
  assert.equal(await page.locator('#loading').isHidden(), true);
  // The surface canvas holds pixels in the plot's middle, and the overlay its axes.
  const painted = await page.evaluate(() => {
    const c = document.getElementById('surface');
    const d = c.getContext('2d').getImageData(c.width / 2, c.height / 2, 1, 1).data;
    return d[3];
  });
  assert.equal(painted, 255);
  const ready = await page.evaluate(
    () => new Promise((ok) => {
      // A second listener added now still sees the state: the API stays put.
      ok(typeof window.gradscape.trajectories === 'function');
    }),
  );
  assert.ok(ready);
  // The default view is the book's Figure 6-8, and the preset menu says so.
  assert.equal(await page.inputValue('#preset'), 'book-6-8');
  assert.match(await page.textContent('#preset-note'), /Figure 6-8/);
  p.check();
  await p.close();
  // Another surface in the address is no preset.
  const other = await open(env, '?f=rosenbrock');
  assert.equal(await other.page.inputValue('#preset'), '');
  assert.equal(await other.page.textContent('#preset-note'), '');
  other.check();
  await other.close();
});

test('the book preset gives Figure 6-8 to the last digit', async () => {
  const p = await open(env, '?preset=book-6-8');
  const runs = await p.page.evaluate(() => window.gradscape.trajectories());
  assert.deepEqual(runs.map((r) => r.optimizer), ['sgd', 'momentum', 'adagrad', 'adam']);
  for (const r of runs) {
    assert.deepEqual(r.start, [-7, 2]);
    assert.equal(r.points.length, 31, r.optimizer);
    assert.equal(r.values.length, 31);
    assert.equal(r.divergedAt, null);
    assert.deepEqual(r.points[30], BOOK[r.optimizer], r.optimizer);
  }
  // The first SGD update by hand: (−7, 2) − 0.95·(−0.7, 4).
  assert.ok(Math.abs(runs[0].points[1][0] + 6.335) < 1e-12 && Math.abs(runs[0].points[1][1] + 1.8) < 1e-12);
  p.check();
  await p.close();
});

test('a real mouse drag moves the start point and redraws the paths', async () => {
  const p = await open(env, '?preset=book-6-8');
  const { page } = p;
  // Here the page is drawn in software: once the first frame is drawn, the paths' canvas is
  // replaced by a desynchronized one (it skips the compositor's copy), which the drag moves on.
  const desynchronized = () => document.getElementById('overlay').getContext('2d').getContextAttributes().desynchronized;
  await page.waitForFunction(desynchronized);
  const from = await page.evaluate(() => window.gradscape.worldToClient(-7, 2));
  const to = await page.evaluate(() => window.gradscape.worldToClient(4, -5));
  assert.ok(isWhite(await overlayPixel(page, from.x, from.y)), 'the start handle is drawn white');
  assert.ok(!isWhite(await overlayPixel(page, to.x, to.y)), 'nothing white where it will go');
  await drag(page, from, to, 10);
  await page.evaluate(() => window.gradscape.render());
  const [start] = await page.evaluate(() => window.gradscape.startPoints());
  assert.ok(Math.abs(start[0] - 4) < 0.05 && Math.abs(start[1] + 5) < 0.05, `start is ${start}`);
  const runs = await page.evaluate(() => window.gradscape.trajectories());
  for (const r of runs) assert.deepEqual(r.points[0], start);
  // Pixels: the handle moved with the pointer.
  assert.ok(isWhite(await overlayPixel(page, to.x, to.y)), 'the handle is under the pointer');
  assert.ok(!isWhite(await overlayPixel(page, from.x, from.y)), 'the old handle is gone');
  // What the screen shows from the desynchronized canvas is still the handle under the pointer,
  // over the surface, and the surface where the handle was.
  assert.equal(await page.evaluate(desynchronized), true);
  const screen = async ({ x, y }) => {
    const png = await page.screenshot({ clip: { x: Math.round(x), y: Math.round(y), width: 1, height: 1 } });
    return page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = new OffscreenCanvas(1, 1);
      const ctx = c.getContext('2d');
      ctx.drawImage(img, 0, 0);
      return [...ctx.getImageData(0, 0, 1, 1).data];
    }, png.toString('base64'));
  };
  assert.ok(isWhite(await screen(to)), 'the screen shows the handle under the pointer');
  assert.ok(!isWhite(await screen(from)), 'the screen shows the surface where the handle was');
  // And the URL follows.
  await page.waitForFunction(() => new URLSearchParams(location.search).get('start') !== '-7,2');
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('start'), `${start[0]},${start[1]}`);
  // A pen drags it on to (−2, 1).
  const cdp = await p.context.newCDPSession(page);
  const penTo = await page.evaluate(() => window.gradscape.worldToClient(-2, 1));
  const pen = (type, { x, y }, buttons) => cdp.send('Input.dispatchMouseEvent', { type, x, y, button: 'left', buttons, clickCount: 1, pointerType: 'pen' });
  await pen('mousePressed', to, 1);
  for (let i = 1; i <= 6; i += 1) {
    await pen('mouseMoved', { x: to.x + ((penTo.x - to.x) * i) / 6, y: to.y + ((penTo.y - to.y) * i) / 6 }, 1);
  }
  await pen('mouseReleased', penTo, 0);
  await page.evaluate(() => window.gradscape.render());
  const [penned] = await page.evaluate(() => window.gradscape.startPoints());
  assert.ok(Math.abs(penned[0] + 2) < 0.05 && Math.abs(penned[1] - 1) < 0.05, `start is ${penned}`);
  assert.ok(isWhite(await overlayPixel(page, penTo.x, penTo.y)), 'the handle is under the pen');
  p.check();
  await p.close();
});

test('a touch drag works on a phone-sized screen', async () => {
  const p = await open(env, '?preset=book-6-8', phone(3));
  const { page } = p;
  const from = await page.evaluate(() => {
    document.getElementById('overlay').scrollIntoView();
    return window.gradscape.worldToClient(-7, 2);
  });
  const to = await page.evaluate(() => window.gradscape.worldToClient(5, 5));
  const cdp = await p.context.newCDPSession(page);
  const touch = (type, x, y) => cdp.send('Input.dispatchTouchEvent', {
    type,
    touchPoints: type === 'touchEnd' ? [] : [{ x, y, id: 1 }],
  });
  await touch('touchStart', from.x, from.y);
  for (let i = 1; i <= 8; i += 1) {
    await touch('touchMove', from.x + ((to.x - from.x) * i) / 8, from.y + ((to.y - from.y) * i) / 8);
  }
  await touch('touchEnd');
  await page.evaluate(() => window.gradscape.render());
  const [start] = await page.evaluate(() => window.gradscape.startPoints());
  assert.ok(Math.abs(start[0] - 5) < 0.2 && Math.abs(start[1] - 5) < 0.2, `start is ${start}`);
  // At devicePixelRatio 3 the canvas has three device pixels per CSS pixel: crisp, not scaled up.
  const ratio = await page.evaluate(() => {
    const c = document.getElementById('overlay');
    return c.width / c.getBoundingClientRect().width;
  });
  assert.ok(Math.abs(ratio - 3) < 0.01, `ratio ${ratio}`);
  assert.ok(isWhite(await overlayPixel(page, to.x, to.y)));

  // A pinch: two fingers 60 px apart about (1, -3) in the world spread to 120 px. The view
  // halves in width and height, and (1, -3) stays under the fingers' midpoint.
  const view = (v) => v.split(',').map(Number);
  const before = view(await page.evaluate(() => window.gradscape.state().view));
  const mid = await page.evaluate(() => window.gradscape.worldToClient(1, -3));
  await pinch(cdp, mid, 60, 120);
  await page.waitForFunction((v) => window.gradscape.state().view !== v, before.join());
  const after = view(await page.evaluate(() => window.gradscape.state().view));
  const ratio2 = [(after[1] - after[0]) / (before[1] - before[0]), (after[3] - after[2]) / (before[3] - before[2])];
  for (const r of ratio2) assert.ok(Math.abs(r - 0.5) < 0.01, `the view scaled by ${ratio2}`);
  const centre = await page.evaluate(({ x, y }) => window.gradscape.clientToWorld(x, y), mid);
  assert.ok(Math.abs(centre.x - 1) < 0.05 && Math.abs(centre.y + 3) < 0.05, `the midpoint is now over ${JSON.stringify(centre)}`);
  // The address follows the pinch.
  await page.waitForFunction((v) => new URLSearchParams(location.search).get('view') === v, after.join());
  p.check();
  await p.close();
});

test('the panel: add, retune, hide and remove optimizers, set the steps, remove a start; hover reads f and ∇f', async () => {
  const p = await open(env, '?preset=book-6-8');
  const { page } = p;
  const runs = () => page.evaluate(() => window.gradscape.trajectories());
  const state = () => page.evaluate(() => window.gradscape.state());
  assert.deepEqual((await runs()).map((t) => t.optimizer), ['sgd', 'momentum', 'adagrad', 'adam']);
  // Add: the first kind not in the list yet.
  await page.click('#add-optimizer');
  assert.deepEqual((await runs()).map((t) => t.optimizer), ['sgd', 'momentum', 'adagrad', 'adam', 'nesterov']);
  // SGD's lr typed in as 0.5: its first step is (−7, 2) − 0.5·(−0.7, 4) = (−6.65, 0).
  await page.fill('#opt-0-lr', '0.5');
  await page.press('#opt-0-lr', 'Enter');
  await page.waitForFunction(() => window.gradscape.state().opt.startsWith('sgd(lr=0.5)'));
  const [x1, y1] = (await runs())[0].points[1];
  assert.ok(Math.abs(x1 + 6.65) < 1e-12 && Math.abs(y1) < 1e-12, `${x1}, ${y1}`);
  // A value out of range is refused at the field and the last good one kept.
  await page.fill('#opt-0-lr', '-1');
  await page.press('#opt-0-lr', 'Enter');
  assert.equal(await page.getAttribute('#opt-0-lr', 'aria-invalid'), 'true');
  assert.ok((await state()).opt.startsWith('sgd(lr=0.5)'));
  // Hide Momentum: still computed, not shown, and the address says so.
  await page.uncheck('#opt-1-visible');
  assert.equal((await runs())[1].visible, false);
  await page.waitForFunction(() => new URLSearchParams(location.search).get('hide') === '1');
  // Remove Adam.
  await page.click('button[aria-label="Remove Adam"]');
  assert.deepEqual((await runs()).map((t) => t.optimizer), ['sgd', 'momentum', 'adagrad', 'nesterov']);
  // 50 steps: every path has the start and 50 updates.
  await page.fill('#steps', '50');
  await page.press('#steps', 'Enter');
  await page.waitForFunction(() => window.gradscape.state().steps === 50);
  for (const t of await runs()) assert.equal(t.points.length, 51, t.optimizer);
  // A second start by clicking the surface at (3, 4), then the first removed from the list. (The
  // panel is taller than the window: the clicks above scrolled the page.)
  await page.locator('#plot').scrollIntoViewIfNeeded();
  const at = await page.evaluate(() => window.gradscape.worldToClient(3, 4));
  await page.mouse.click(at.x, at.y);
  assert.equal((await page.evaluate(() => window.gradscape.startPoints())).length, 2);
  await page.click('button[aria-label="Remove start point 1"]');
  const starts = await page.evaluate(() => window.gradscape.startPoints());
  assert.equal(starts.length, 1);
  assert.ok(Math.abs(starts[0][0] - 3) < 0.05 && Math.abs(starts[0][1] - 4) < 0.05, `${starts}`);
  // Hover at about (2, 1): x, y, f = x²/20 + y² and ∇f = (x/10, 2y), analytic and numerical,
  // checked against the x and y the readout gives.
  await page.locator('#plot').scrollIntoViewIfNeeded();
  const over = await page.evaluate(() => window.gradscape.worldToClient(2, 1));
  await page.mouse.move(over.x, over.y);
  const probe = await page.textContent('#probe');
  const n = probe.match(/-?\d+(\.\d+)?(e-?\d+)?/g).map(Number);
  const [x, y, f, gx, gy, h, nx, ny] = n;
  assert.ok(Math.abs(x - 2) < 0.05 && Math.abs(y - 1) < 0.05, probe);
  // The readout shows 4 significant digits, so x and y read back carry up to 2.5e-4 of their
  // size in rounding, and f and ∇f computed from them a little more.
  const close = (a, b) => Math.abs(a - b) <= 3e-3 * Math.max(1, Math.abs(b));
  assert.ok(close(f, (x * x) / 20 + y * y) && close(gx, x / 10) && close(gy, 2 * y), probe);
  assert.equal(h, 1e-4, probe);
  assert.ok(close(nx, x / 10) && close(ny, 2 * y), probe);
  p.check();
  await p.close();
});

test('the plot follows the window: resized, it is repainted at its new size and stays exact', async () => {
  const p = await open(env, '?preset=book-6-8');
  const { page } = p;
  const size = () => page.evaluate(() => {
    const c = document.getElementById('surface');
    const r = c.getBoundingClientRect();
    return { canvas: [c.width, c.height], box: [r.width, r.height] };
  });
  const before = await size();
  await page.setViewportSize({ width: 900, height: 700 });
  await page.waitForFunction((w) => document.getElementById('surface').width !== w, before.canvas[0]);
  const after = await size();
  assert.ok(after.box[0] < before.box[0], `${JSON.stringify([before, after])}`);
  // One canvas pixel per CSS pixel at devicePixelRatio 1: repainted, not stretched.
  assert.deepEqual(after.canvas, after.box.map(Math.round));
  // The start handle is where the API says, and the surface is painted to the new edge.
  await page.evaluate(() => window.gradscape.render());
  const at = await page.evaluate(() => window.gradscape.worldToClient(-7, 2));
  assert.ok(isWhite(await overlayPixel(page, at.x, at.y)));
  const corner = await page.evaluate(() => window.gradscape.worldToClient(9.9, -9.9));
  const alpha = await page.evaluate(({ x, y }) => {
    const c = document.getElementById('surface');
    const r = c.getBoundingClientRect();
    return c.getContext('2d').getImageData(Math.round(x - r.left), Math.round(y - r.top), 1, 1).data[3];
  }, corner);
  assert.equal(alpha, 255);
  p.check();
  await p.close();
});

test('without the whole trail only the last 16 steps show, fading; the log colour scale repaints', async () => {
  const p = await open(env, '?preset=book-6-8');
  const { page } = p;
  const runs = await page.evaluate(() => window.gradscape.trajectories());
  const sgd = runs.find((t) => t.optimizer === 'sgd').points;
  const at = (pt) => page.evaluate(([x, y]) => window.gradscape.worldToClient(x, y), pt);
  // SGD after 1 and after 29 of its 30 steps (no other path passes near either).
  const early = await at(sgd[1]);
  const late = await at(sgd[29]);
  assert.ok((await overlayPixel(page, early.x, early.y))[3] > 200, 'the whole trail shows step 1');
  await page.uncheck('#trail');
  await page.waitForFunction(() => window.gradscape.state().trail === false);
  await page.evaluate(() => window.gradscape.render());
  assert.equal((await overlayPixel(page, early.x, early.y))[3], 0, 'step 1 is gone from a 16-step tail');
  assert.ok((await overlayPixel(page, late.x, late.y))[3] > 0, 'step 29 is in the tail');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('trail') === '0');

  // The log colour scale: t = ln(1 + f − min) / ln(1 + max − min) is above the linear t
  // everywhere between, so a point halfway up in f is drawn further along the colour map.
  const surfacePixel = (pt) => page.evaluate(({ x, y }) => {
    const c = document.getElementById('surface');
    const r = c.getBoundingClientRect();
    return [...c.getContext('2d').getImageData(Math.round(x - r.left), Math.round(y - r.top), 1, 1).data];
  }, pt);
  const mid = await at([0, 5]);
  const linear = await surfacePixel(mid);
  await page.check('#log');
  await page.waitForFunction(() => window.gradscape.state().log === true);
  await page.evaluate(() => window.gradscape.render());
  const log = await surfacePixel(mid);
  // Viridis runs from dark blue-purple to yellow: further along, the red and green rise.
  assert.ok(log[0] + log[1] > linear[0] + linear[1] + 60, `linear ${linear}, log ${log}`);
  p.check();
  await p.close();
});

test('a path that zig-zags for thousands of steps is drawn where it went, with no spikes at its turns', async () => {
  // RMSprop at lr = 0.01 crosses Rosenbrock's valley back and forth for most of 20,000 steps, a
  // few pixels each way.
  const p = await open(env, '?f=rosenbrock&opt=rmsprop(lr=0.01)&start=-1.5,2&steps=20000');
  const { page } = p;
  await page.evaluate(() => {
    window.gradscape.step(20000);
    window.gradscape.render();
  });
  const found = await page.evaluate(() => {
    const points = window.gradscape.trajectories()[0].points.map(([x, y]) => window.gradscape.worldToClient(x, y));
    const c = document.getElementById('overlay');
    const box = c.getBoundingClientRect();
    const s = c.width / box.width;
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    // The path's colour (#D55E00), solid, at client position (x, y).
    const orange = (x, y) => {
      const i = 4 * (Math.round((y - box.top) * s) * c.width + Math.round((x - box.left) * s));
      return Math.abs(data[i] - 0xd5) + Math.abs(data[i + 1] - 0x5e) + Math.abs(data[i + 2] - 0x00) < 60 && data[i + 3] > 200;
    };
    const near = (x, y, r) => {
      for (let dx = -r; dx <= r; dx += 0.5) for (let dy = -r; dy <= r; dy += 0.5) if (orange(x + dx, y + dy)) return true;
      return false;
    };
    // Every 50th point, from the valley's floor on, has the path's colour within a pixel.
    let missing = 0;
    for (let k = 5000; k < points.length; k += 50) if (!near(points[k].x, points[k].y, 1)) missing += 1;
    // Around the last 10,000 steps, no pixel of the path's colour lies more than 2.5 px from
    // every segment the path took: the line is 2 px wide, and a spike would reach further.
    // (The box around them holds some of the path's earlier steps too.)
    const late = points.slice(10000);
    const xs = late.map((q) => q.x);
    const ys = late.map((q) => q.y);
    const distance = (x, y) => {
      let best = Infinity;
      for (let k = 1; k < points.length; k += 1) {
        const [a, b] = [points[k - 1], points[k]];
        const [dx, dy] = [b.x - a.x, b.y - a.y];
        const t = Math.max(0, Math.min(1, ((x - a.x) * dx + (y - a.y) * dy) / (dx * dx + dy * dy || 1)));
        best = Math.min(best, Math.hypot(a.x + t * dx - x, a.y + t * dy - y));
      }
      return best;
    };
    let spikes = 0;
    let looked = 0;
    for (let x = Math.min(...xs) - 12; x <= Math.max(...xs) + 12; x += 1) {
      for (let y = Math.min(...ys) - 12; y <= Math.max(...ys) + 12; y += 1) {
        // (The marker of the current step, 4 px across, is the path's colour too.)
        const end = points[points.length - 1];
        if (!orange(x, y) || Math.hypot(x - end.x, y - end.y) <= 5) continue;
        looked += 1;
        if (distance(x, y) > 2.5) spikes += 1;
      }
    }
    return { missing, spikes, looked, checked: Math.floor((points.length - 5000) / 50) };
  });
  assert.equal(found.missing, 0, `${found.missing} of ${found.checked} points without the path's colour`);
  assert.ok(found.looked > 20, `${found.looked} pixels of the path's colour around its late part`);
  assert.equal(found.spikes, 0, `${found.spikes} of ${found.looked} pixels of the path's colour away from the path`);
  p.check();
  await p.close();
});

test('the loss chart: a curve per optimizer in its colour, hidden ones left out, the step marked, a log scale', async () => {
  const p = await open(env, '?preset=book-6-8');
  const { page } = p;
  const runs = await page.evaluate(() => window.gradscape.trajectories());
  /** For each colour (hex): its pixels on the loss canvas, and their mean height (0 = top, 1 =
   * bottom) in the right half; and the x of the step mark (black at alpha 0.45). */
  const read = () => page.evaluate((colours) => {
    const c = document.getElementById('loss');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const rgb = colours.map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)));
    const found = colours.map(() => ({ pixels: 0, right: 0, height: 0 }));
    const mark = [0, 0];
    for (let y = 0; y < c.height; y += 1) {
      for (let x = 0; x < c.width; x += 1) {
        const i = 4 * (y * c.width + x);
        if (d[i + 3] > 250) {
          rgb.forEach(([r, g, b], k) => {
            if (Math.abs(d[i] - r) < 3 && Math.abs(d[i + 1] - g) < 3 && Math.abs(d[i + 2] - b) < 3) {
              found[k].pixels += 1;
              if (x > c.width / 2) {
                found[k].right += 1;
                found[k].height += y / c.height;
              }
            }
          });
        } else if (d[i] + d[i + 1] + d[i + 2] === 0 && d[i + 3] > 20 && d[i + 3] < 140) {
          // The mark, a line 1 px wide that may fall across two columns: weighted by alpha.
          mark[0] += x * d[i + 3];
          mark[1] += d[i + 3];
        }
      }
    }
    return { found: found.map((f) => ({ pixels: f.pixels, height: f.right ? f.height / f.right : NaN })), mark: mark[0] / mark[1] };
  }, runs.map((t) => t.colour));
  const all = await read();
  all.found.forEach((f, k) => assert.ok(f.pixels > 30, `${runs[k].optimizer}: ${f.pixels} pixels`));
  // The mark at step 30, at step 0 and at step 10: a third of the way along.
  const at30 = all.mark;
  await page.evaluate(() => { window.gradscape.reset(); window.gradscape.render(); });
  const at0 = (await read()).mark;
  await page.evaluate(() => { window.gradscape.step(10); window.gradscape.render(); });
  const at10 = (await read()).mark;
  assert.ok(at30 - at0 > 100, `${at0} → ${at30}`);
  assert.ok(Math.abs(at10 - (at0 + (at30 - at0) / 3)) <= 1.5, `step 0 at ${at0}, 10 at ${at10}, 30 at ${at30}`);
  // Momentum hidden: its curve goes, the others stay.
  await page.uncheck('#opt-1-visible');
  await page.evaluate(() => window.gradscape.render());
  const hidden = await read();
  assert.equal(hidden.found[1].pixels, 0);
  for (const k of [0, 2, 3]) assert.ok(hidden.found[k].pixels > 30, runs[k].optimizer);
  // On the log scale the small late values of f rise from the bottom of the chart.
  await page.check('#loss-log');
  await page.evaluate(() => window.gradscape.render());
  const log = await read();
  for (const k of [2, 3]) {
    assert.ok(log.found[k].height < hidden.found[k].height - 0.1, `${runs[k].optimizer}: ${hidden.found[k].height} → ${log.found[k].height}`);
  }
  p.check();
  await p.close();
});

test('what each optimizer sees: the gradient, Momentum\'s velocity and AdaGrad\'s shrinking step sizes', async () => {
  const p = await open(env, '?preset=book-6-8');
  const { page } = p;
  const rows = async () => {
    await page.evaluate(() => window.gradscape.render());
    return page.$$eval('#seen tbody tr', (trs) => Object.fromEntries(trs.map((tr) => {
      const cells = [...tr.cells].map((c) => c.textContent.trim());
      return [cells[0], cells.slice(1)];
    })));
  };
  const numbers = (text) => text.match(/-?\d+(\.\d+)?(e-?\d+)?/g).map(Number);
  await page.evaluate(() => { window.gradscape.reset(); window.gradscape.step(1); });
  // After one update from (−7, 2), where g = (−0.7, 4): Momentum's v = −0.1·g = (0.07, −0.4);
  // AdaGrad's h = g², so its next steps are 1.5/(|g| + 1e-7) = (2.143, 0.375) per coordinate.
  const seen = await rows();
  assert.deepEqual(numbers(seen.Momentum[3]), [0.07, -0.4]);
  assert.deepEqual(numbers(seen.AdaGrad[4]), [2.143, 0.375]);
  // SGD's gradient at its new point (−6.335, −1.8) is (−0.6335, −3.6).
  assert.deepEqual(numbers(seen.SGD[0]), [-6.335, -1.8]);
  assert.deepEqual(numbers(seen.SGD[2]), [-0.6335, -3.6]);
  // AdaGrad's step sizes only shrink as h adds up the squared gradients (in y, once there is
  // almost no gradient left, by less than the four digits shown).
  let last = numbers(seen.AdaGrad[4]);
  for (let k = 0; k < 5; k += 1) {
    await page.evaluate(() => window.gradscape.step(5));
    const now = numbers((await rows()).AdaGrad[4]);
    assert.ok(now[0] < last[0] && now[1] <= last[1], `${last} → ${now}`);
    last = now;
  }
  p.check();
  await p.close();
});

test('the URL holds the whole state and a copied address reproduces it', async () => {
  const query = '?f=x%5E2%2B3*y%5E2&opt=sgd(lr=0.1),momentum(lr=0.05,momentum=0.8)&start=-4,3;2,-1&steps=40&view=-6,6,-4,4';
  const p = await open(env, query);
  const state = await p.page.evaluate(() => window.gradscape.state());
  assert.equal(state.f, 'x^2+3*y^2');
  assert.equal(state.opt, 'sgd(lr=0.1),momentum(lr=0.05,momentum=0.8)');
  assert.equal(state.start, '-4,3;2,-1');
  assert.equal(state.steps, 40);
  assert.equal(state.view, '-6,6,-4,4');
  const runs = await p.page.evaluate(() => window.gradscape.trajectories());
  assert.equal(runs.length, 4);
  // SGD on x² + 3y² with lr 0.1 multiplies x by 0.8 and y by 0.4 each step.
  const sgd = runs.find((r) => r.optimizer === 'sgd' && r.start[0] === -4);
  assert.ok(Math.abs(sgd.points[1][0] + 3.2) < 1e-12 && Math.abs(sgd.points[1][1] - 1.2) < 1e-12);

  await p.page.evaluate(() => window.gradscape.setState({ steps: 12, opt: 'adam(lr=0.2)' }));
  await p.page.waitForFunction(() => new URLSearchParams(location.search).get('steps') === '12');
  const copied = new URL(p.page.url());
  const q = new URL(p.page.url()).search;
  const again = await open(env, q);
  const a = await p.page.evaluate(() => [window.gradscape.state(), window.gradscape.trajectories()]);
  const b = await again.page.evaluate(() => [window.gradscape.state(), window.gradscape.trajectories()]);
  assert.deepEqual(b, a);
  assert.equal(copied.searchParams.get('opt'), 'adam(lr=0.2,beta1=0.9,beta2=0.999)');
  p.check();
  again.check();
  await p.close();
  await again.close();
});

test('bad URL values are named on the page, never run as markup, and replaced', async () => {
  const evil = encodeURIComponent('<img src=x onerror="window.__pwned=1">');
  const p = await open(env, `?f=${evil}&steps=abc&opt=sgd(lr=-1)&view=1,0,0,1&start=nan,1`);
  const { page } = p;
  const texts = await page.locator('#messages .warning').allTextContents();
  for (const param of ['f', 'steps', 'opt', 'view', 'start']) {
    assert.ok(texts.some((t) => t.startsWith(`${param}:`)), `no message for ${param}: ${texts}`);
  }
  assert.equal(await page.locator('#messages img').count(), 0);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  const state = await page.evaluate(() => window.gradscape.state());
  assert.equal(state.f, 'elongated');
  assert.equal(state.steps, 30);
  p.check();
  await p.close();
});

test('a bad typed-in function shows its error with the column and keeps the last surface', async () => {
  const p = await open(env, '?preset=himmelblau-minima');
  const { page } = p;
  const before = await page.evaluate(() => window.gradscape.trajectories());
  await page.fill('#formula', 'x^2 + (y');
  await page.press('#formula', 'Enter');
  await page.waitForFunction(() => document.getElementById('formula-error').textContent.length > 0);
  const error = await page.textContent('#formula-error');
  assert.match(error, /unclosed '\(' opened at column 7/);
  assert.equal(await page.evaluate(() => window.gradscape.state().f), 'himmelblau');
  assert.deepEqual(await page.evaluate(() => window.gradscape.trajectories()), before);
  // The surface is still the preset's, so the preset stays chosen.
  assert.equal(await page.inputValue('#preset'), 'himmelblau-minima');
  assert.match(await page.textContent('#preset-note'), /four different minima/);
  // Fixing it applies it and clears the error; the preset's name and note go with its surface.
  await page.fill('#formula', 'x^2 + (y-1)^2');
  await page.press('#formula', 'Enter');
  assert.equal(await page.textContent('#formula-error'), '');
  assert.equal(await page.evaluate(() => window.gradscape.state().f), 'x^2 + (y-1)^2');
  assert.equal(await page.inputValue('#preset'), '');
  assert.equal(await page.textContent('#preset-note'), '');
  p.check();
  await p.close();
});

test('divergence is said in words and the path stops', async () => {
  const p = await open(env, '?f=elongated&opt=sgd(lr=1.5)&start=0,2&steps=1000');
  const { page } = p;
  const text = await page.textContent('#divergence');
  // y ← −2y each step, so y² overflows f64 at step 511.
  assert.match(text, /SGD diverged at step 511/);
  const [run] = await page.evaluate(() => window.gradscape.trajectories());
  assert.equal(run.divergedAt, 511);
  assert.equal(run.points.length, 511);
  assert.ok(run.values.every(Number.isFinite));
  p.check();
  await p.close();
});

test('play, pause, step and reset drive the animation', async () => {
  const p = await open(env, '?preset=book-6-8');
  const { page } = p;
  const api = (code) => page.evaluate(code);
  assert.deepEqual(await api(() => window.gradscape.status()), { playing: false, step: 30 });
  await api(() => window.gradscape.reset());
  assert.deepEqual(await api(() => window.gradscape.status()), { playing: false, step: 0 });
  await api(() => window.gradscape.step(3));
  assert.deepEqual(await api(() => window.gradscape.status()), { playing: false, step: 3 });
  // 27 steps at 20 per second: over a second of animation, and a late frame moves it at most 2 steps,
  // so it is still playing when asked straight after play().
  await api(() => window.gradscape.setState({ speed: 20 }));
  await api(() => window.gradscape.play());
  assert.equal((await api(() => window.gradscape.status())).playing, true);
  await page.waitForFunction(() => !window.gradscape.status().playing, null, { timeout: 20000 });
  assert.deepEqual(await api(() => window.gradscape.status()), { playing: false, step: 30 });
  await page.click('#reset');
  await page.click('#step');
  assert.deepEqual(await api(() => window.gradscape.status()), { playing: false, step: 1 });
  // The counter is drawn on the next frame.
  await page.waitForFunction(() => /step 1 \/ 30/.test(document.getElementById('counter').textContent));
  p.check();
  await p.close();
});

test('clicking empty surface adds a start; wheel zooms about the pointer; reset view', async () => {
  const p = await open(env, '?f=himmelblau&opt=adam(lr=0.1)&start=0,0&steps=100');
  const { page } = p;
  const at = await page.evaluate(() => window.gradscape.worldToClient(-2, -2));
  await page.mouse.click(at.x, at.y);
  const starts = await page.evaluate(() => window.gradscape.startPoints());
  assert.equal(starts.length, 2);
  assert.ok(Math.abs(starts[1][0] + 2) < 0.02 && Math.abs(starts[1][1] + 2) < 0.02, `${starts}`);
  // Adam from (−2, −2) ends at Himmelblau's minimum (−3.7793, −3.2832).
  const runs = await page.evaluate(() => window.gradscape.trajectories());
  const end = runs[1].points.at(-1);
  assert.ok(Math.hypot(end[0] + 3.7793, end[1] + 3.2832) < 0.01, `${end}`);

  const centre = await page.evaluate(() => window.gradscape.worldToClient(3, 2));
  await page.mouse.move(centre.x, centre.y);
  await page.mouse.wheel(0, -400);
  await page.evaluate(() => window.gradscape.render());
  const view = (await page.evaluate(() => window.gradscape.state().view)).split(',').map(Number);
  assert.ok(view[1] - view[0] < 10, `zoomed in: ${view}`);
  const still = await page.evaluate(() => window.gradscape.worldToClient(3, 2));
  assert.ok(Math.abs(still.x - centre.x) < 1 && Math.abs(still.y - centre.y) < 1, 'the point under the pointer stays');
  await page.click('#reset-view');
  assert.equal(await page.evaluate(() => window.gradscape.state().view), '-5,5,-5,5');
  p.check();
  await p.close();
});

test('keys on the focused plot: play, step, reset, zoom, move a start, and the list of keys', async () => {
  const p = await open(env, '?f=himmelblau&opt=adam(lr=0.1)&start=0,0&steps=100&speed=5');
  const { page } = p;
  const status = () => page.evaluate(() => window.gradscape.status());
  await page.focus('#overlay');
  await page.keyboard.press('r');
  assert.deepEqual(await status(), { playing: false, step: 0 });
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowLeft');
  assert.deepEqual(await status(), { playing: false, step: 2 });
  await page.keyboard.press(' ');
  assert.equal((await status()).playing, true);
  await page.keyboard.press(' ');
  assert.equal((await status()).playing, false);
  // + zooms in 1.25× about the middle of the plot, − back out.
  const width = async () => {
    const v = (await page.evaluate(() => window.gradscape.state().view)).split(',').map(Number);
    return v[1] - v[0];
  };
  await page.keyboard.press('+');
  assert.ok(Math.abs((await width()) - 10 / 1.25) < 1e-9, `${await width()}`);
  await page.keyboard.press('-');
  assert.ok(Math.abs((await width()) - 10) < 1e-9, `${await width()}`);
  // Shift+→ moves the start 1% of the plot's width to the right, Shift+↑ up; the run follows.
  const before = await page.evaluate(() => window.gradscape.worldToClient(0, 0));
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('Shift+ArrowUp');
  const [start] = await page.evaluate(() => window.gradscape.startPoints());
  const after = await page.evaluate(([x, y]) => window.gradscape.worldToClient(x, y), start);
  const plotWidth = await page.evaluate(() => document.getElementById('overlay').getBoundingClientRect().width);
  assert.ok(Math.abs(after.x - before.x - 0.01 * plotWidth) < 0.5 && Math.abs(after.y - before.y + 0.01 * plotWidth) < 0.5, `${JSON.stringify([before, after])}`);
  const run = await page.evaluate(() => window.gradscape.trajectories()[0]);
  assert.deepEqual(run.start, start);
  // The address follows (it is written a moment later).
  await page.waitForFunction(() => new URLSearchParams(location.search).get('start') !== '0,0');
  // ? lists the keys; Escape closes the list and gives the plot its focus back.
  assert.equal(await page.locator('#keys').isVisible(), false);
  await page.keyboard.press('?');
  assert.equal(await page.locator('#keys').isVisible(), true);
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('#keys').isVisible(), false);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'overlay');
  p.check();
  await p.close();
});

test('exportPNG gives the plot as a PNG at the screen resolution or twice it', async () => {
  const p = await open(env, '?preset=book-6-8');
  const { page } = p;
  const image = (scale) =>
    page.evaluate(async (k) => {
      const blob = await window.gradscape.exportPNG({ scale: k });
      const bitmap = await createImageBitmap(blob);
      const c = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = c.getContext('2d');
      ctx.drawImage(bitmap, 0, 0);
      // The start (−7, 2), drawn as a white handle, in the image's pixels.
      const o = document.getElementById('overlay').getBoundingClientRect();
      const at = window.gradscape.worldToClient(-7, 2);
      const [sx, sy] = [(at.x - o.left) * (bitmap.width / o.width), (at.y - o.top) * (bitmap.height / o.height)];
      return { type: blob.type, size: [bitmap.width, bitmap.height], start: [...ctx.getImageData(Math.round(sx), Math.round(sy), 1, 1).data] };
    }, scale);
  const canvas = await page.evaluate(() => [document.getElementById('surface').width, document.getElementById('surface').height]);
  const one = await image(1);
  assert.equal(one.type, 'image/png');
  assert.deepEqual(one.size, canvas);
  assert.ok(one.start.slice(0, 3).every((v) => v > 240), `the white start handle: ${one.start}`);
  const two = await image(2);
  assert.deepEqual(two.size, canvas.map((v) => 2 * v));
  assert.ok(two.start.slice(0, 3).every((v) => v > 240), `the white start handle: ${two.start}`);
  // The page is back at its own size, and a bad scale is refused in words.
  assert.deepEqual(await page.evaluate(() => [document.getElementById('surface').width, document.getElementById('surface').height]), canvas);
  const refused = await page.evaluate(() => window.gradscape.exportPNG({ scale: NaN }).then(() => 'made', (e) => e.message));
  assert.match(refused, /scale must be above 0 and at most 4/);
  p.check();
  await p.close();
});

test('exportSVG gives the plot as SVG: it parses, the surface is an image, each path a polyline through its points', async () => {
  const p = await open(env, '?preset=book-6-8');
  const { page } = p;
  // A real drag first: the SVG shows the view as it is now, start (−7, 2) moved to (−6, 3).
  const from = await page.evaluate(() => window.gradscape.worldToClient(-7, 2));
  const to = await page.evaluate(() => window.gradscape.worldToClient(-6, 3));
  await drag(page, from, to, 4);
  const out = await page.evaluate(async () => {
    const text = await window.gradscape.exportSVG();
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const o = document.getElementById('overlay').getBoundingClientRect();
    const image = doc.querySelector('image');
    const href = image?.getAttribute('href') ?? '';
    const decoded = await new Promise((ok) => {
      const img = new Image();
      img.onload = () => ok([img.naturalWidth, img.naturalHeight]);
      img.onerror = () => ok(null);
      img.src = href;
    });
    const local = ([x, y]) => {
      const c = window.gradscape.worldToClient(x, y);
      return [c.x - o.left, c.y - o.top];
    };
    return {
      errors: doc.getElementsByTagName('parsererror').length,
      root: doc.documentElement.tagName,
      size: [Number(doc.documentElement.getAttribute('width')), Number(doc.documentElement.getAttribute('height'))],
      box: [o.width, o.height],
      href: href.slice(0, 22),
      decoded,
      polylines: [...doc.querySelectorAll('polyline')].map((e) => ({
        stroke: e.getAttribute('stroke'),
        points: e.getAttribute('points').trim().split(/\s+/).map((q) => q.split(',').map(Number)),
      })),
      runs: window.gradscape.trajectories().map((r) => ({ optimizer: r.optimizer, start: local(r.start), end: local(r.points.at(-1)), first: local(r.points[1]) })),
    };
  });
  assert.equal(out.errors, 0);
  assert.equal(out.root, 'svg');
  assert.deepEqual(out.size, out.box.map(Math.round), 'the SVG is the plot\'s size on the page');
  assert.equal(out.href, 'data:image/png;base64,');
  assert.ok(out.decoded && out.decoded[0] > 100 && out.decoded[1] > 100, `the surface image decodes: ${out.decoded}`);
  const near = (a, b) => Math.abs(a[0] - b[0]) <= 1.01 && Math.abs(a[1] - b[1]) <= 1.01;
  assert.equal(out.runs.length, 4);
  for (const run of out.runs) {
    const line = out.polylines.find((l) => l.stroke !== '#FFFFFF' && near(l.points[0], run.start) && near(l.points.at(-1), run.end));
    assert.ok(line, `${run.optimizer}: a polyline from its start to its last point`);
  }
  // SGD with lr 0.95 from (−6, 3) on x²/20 + y², by hand: ∇f = (−0.6, 6), so the first update
  // lands on (−6 + 0.57, 3 − 5.7) = (−5.43, −2.7).
  const sgd = out.runs.find((r) => r.optimizer === 'sgd');
  assert.ok(near(sgd.first, await page.evaluate(() => {
    const o = document.getElementById('overlay').getBoundingClientRect();
    const c = window.gradscape.worldToClient(-5.43, -2.7);
    return [c.x - o.left, c.y - o.top];
  })), 'the drag moved the start to (−6, 3)');
  assert.ok(out.polylines.some((l) => l.stroke !== '#FFFFFF' && near(l.points[0], sgd.start) && near(l.points[1], sgd.first)), 'SGD\'s first update is the polyline\'s second point');
  p.check();
  await p.close();
});

test('the plot is described in words for screen readers, and the description follows the step', async () => {
  const p = await open(env, '?preset=book-6-8');
  const { page } = p;
  const described = () => page.evaluate(() => document.getElementById(document.getElementById('overlay').getAttribute('aria-describedby')).textContent);
  // Deep Learning from Scratch, Figure 6-8: SGD at (−0.3504, 0.08478) after 30 updates.
  assert.match(await described(), /^Step 30 of 30 on x\^2\/20 \+ y\^2\. SGD at \(-0\.3504, 0\.08478\), f = /);
  assert.match(await described(), /Momentum at \(0\.8964, 0\.08809\)/);
  await page.evaluate(() => window.gradscape.reset());
  await page.evaluate(() => window.gradscape.render());
  assert.match(await described(), /^Step 0 of 30 .* SGD at \(-7, 2\), f = 6\.45\./);
  p.check();
  await p.close();
});

test('themes: dark, and projector drawing the plot 1.4× larger with the mouse still exact', async () => {
  const p = await open(env, '?preset=book-6-8&theme=dark');
  const { page } = p;
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor), 'rgb(22, 25, 30)');
  assert.equal(await page.evaluate(() => window.gradscape.state().theme), 'dark');
  // The plot's left edge (x = −10) lies 58 CSS pixels into the canvas (the core's margin), and
  // 58 × 1.4 (to a whole device pixel) in the projector theme.
  const edge = () => page.evaluate(() => window.gradscape.worldToClient(-10, 0).x - document.getElementById('overlay').getBoundingClientRect().left);
  assert.ok(Math.abs((await edge()) - 58) < 0.01, `${await edge()}`);
  await page.evaluate(() => window.gradscape.setState({ theme: 'projector' }));
  await page.waitForFunction(() => Math.abs(window.gradscape.worldToClient(-10, 0).x - document.getElementById('overlay').getBoundingClientRect().left - 58 * 1.4) < 1);
  await page.waitForFunction(() => /theme=projector/.test(location.search));
  // A real drag of the start (−7, 2) to (−5, −3) lands there: pointer positions are scaled too.
  await page.evaluate(() => window.gradscape.render());
  const from = await page.evaluate(() => window.gradscape.worldToClient(-7, 2));
  const to = await page.evaluate(() => window.gradscape.worldToClient(-5, -3));
  await drag(page, from, to);
  const [start] = await page.evaluate(() => window.gradscape.startPoints());
  assert.ok(Math.abs(start[0] + 5) < 0.05 && Math.abs(start[1] + 3) < 0.05, `${start}`);
  const warnings = await page.evaluate(() => window.gradscape.setState({ theme: 'neon' }));
  assert.match(warnings.find((w) => w.param === 'theme').message, /no theme 'neon'.*kept projector/);
  p.check();
  await p.close();
  const bad = await open(env, '?theme=%3Cb%3Ehi');
  assert.match(await bad.page.locator('#messages').textContent(), /theme: no theme '<b>hi' \(there are light, dark, projector\); used light/);
  bad.check();
  await bad.close();
});

test('in each theme, on both views, every visible text has a contrast of at least 4.5:1 (WCAG AA) and every slider room to move', async () => {
  const p = await open(env, '?preset=book-6-8');
  const { page } = p;
  /** Text elements whose colour against their background (the first opaque one up the tree)
   * is below 4.5:1, by WCAG 2's relative luminance. */
  const lowContrast = () => page.evaluate(() => {
    const parse = (c) => {
      const v = c.match(/rgba?\(([^)]+)\)/)[1].split(',').map(Number);
      return { rgb: v.slice(0, 3), a: v.length > 3 ? v[3] : 1 };
    };
    const channel = (v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
    const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    const background = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const b = parse(getComputedStyle(e).backgroundColor);
        if (b.a > 0.5) return b.rgb;
      }
      return [255, 255, 255];
    };
    const low = [];
    for (const el of document.querySelectorAll('body *')) {
      if (el.offsetParent === null || el.closest('.visually-hidden')) continue;
      const text = [...el.childNodes].filter((n) => n.nodeType === 3 && n.textContent.trim()).map((n) => n.textContent.trim()).join(' ');
      if (!text) continue;
      const [a, b] = [luminance(parse(getComputedStyle(el).color).rgb), luminance(background(el))].sort((x, y) => y - x);
      const ratio = (a + 0.05) / (b + 0.05);
      if (ratio < 4.5) low.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} "${text.slice(0, 30)}": ${ratio.toFixed(2)}`);
    }
    return [...new Set(low)];
  });
  for (const theme of ['light', 'dark', 'projector']) {
    await page.evaluate((t) => window.gradscape.setState({ theme: t }), theme);
    for (const tab of ['surfaces', 'network']) {
      await page.click(`#tab-${tab}`);
      // The network view's module is fetched the first time its tab is opened.
      await page.waitForSelector('#net-loading', { state: 'hidden' });
      assert.deepEqual(await lowContrast(), [], `${theme}, ${tab}`);
      // (In the projector theme's large type the hyperparameter sliders had shrunk to 6 px.)
      const sliders = await page.$$eval('input[type="range"]', (els) => els.filter((e) => e.offsetParent !== null).map((e) => Math.round(e.getBoundingClientRect().width)));
      assert.ok(sliders.length > 0 && sliders.every((w) => w >= 80), `${theme}, ${tab}: sliders ${sliders} px wide`);
      // Nothing in the control panel runs past its edges (an optimizer's card once did, by 2 px).
      const outside = await page.evaluate(() => [...document.querySelectorAll('aside.controls')].filter((a) => a.offsetParent !== null).flatMap((panel) => {
        const box = panel.getBoundingClientRect();
        return [...panel.querySelectorAll('*')].filter((e) => e.offsetParent !== null).filter((e) => {
          const r = e.getBoundingClientRect();
          return r.left < box.left || r.right > box.right;
        }).map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
      }));
      assert.deepEqual(outside, [], `${theme}, ${tab}`);
    }
  }
  p.check();
  await p.close();
});

test('exportWebM records the run from step 0 as a WebM video that plays back', async () => {
  const p = await open(env, '?preset=book-6-8&speed=10');
  const { page } = p;
  const video = await page.evaluate(async () => {
    const seen = [];
    const progress = document.getElementById('record-progress');
    const watch = setInterval(() => seen.push(progress.hidden ? null : progress.value), 50);
    const blob = await window.gradscape.exportWebM({ fps: 15 });
    clearInterval(watch);
    const el = document.createElement('video');
    el.muted = true;
    el.src = URL.createObjectURL(blob);
    await new Promise((ok, fail) => {
      el.onloadedmetadata = ok;
      el.onerror = () => fail(new Error('the video does not decode'));
    });
    return { type: blob.type, size: blob.size, width: el.videoWidth, height: el.videoHeight, progress: seen.filter((v) => v !== null), after: progress.hidden };
  });
  const canvas = await page.evaluate(() => [document.getElementById('surface').width, document.getElementById('surface').height]);
  assert.equal(video.type, 'video/webm');
  assert.ok(video.size > 1000, `${video.size} bytes`);
  assert.deepEqual([video.width, video.height], canvas);
  // The progress bar showed while it recorded, rising, and is gone after.
  assert.ok(video.progress.length > 3 && video.progress.at(-1) > video.progress[0], JSON.stringify(video.progress));
  assert.equal(video.after, true);
  // The page is back where it was: step 30 of 30, not playing.
  assert.deepEqual(await page.evaluate(() => window.gradscape.status()), { playing: false, step: 30 });
  assert.match(await page.evaluate(() => window.gradscape.exportWebM({ fps: 0 }).then(() => 'made', (e) => e.message)), /fps must be 1 to 60/);
  p.check();
  await p.close();
});

test('the page says so in words when WebAssembly is missing', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(() => {
    delete window.WebAssembly;
  });
  await page.goto(env.base);
  await page.waitForFunction(() => document.getElementById('loading').classList.contains('error'));
  assert.match(await page.textContent('#loading'), /needs WebAssembly/);
  await context.close();
});
