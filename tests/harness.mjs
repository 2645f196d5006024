// Shared set-up for the browser tests: serves dist/ on a free localhost port and opens pages in
// headless Chromium (Debian's, or $CHROMIUM), failing on any console error or page error.
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { existsSync } from 'node:fs';
import { serve } from '../scripts/serve.mjs';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** Serves dist/ and launches Chromium, with `args` besides the usual ones (e.g. --disable-webgl). */
export async function start({ args = [] } = {}) {
  assert.ok(existsSync('dist/index.html'), 'dist/ is missing: run npm run build first');
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: set CHROMIUM or install Debian's chromium`);
  const server = await serve('dist', 0);
  const base = `http://127.0.0.1:${server.address().port}/`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // WebGL2 in software (SwiftShader) where there is no GPU, as on the test machines, for the
    // 3-D view; a test that wants none passes --disable-webgl.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--enable-unsafe-swiftshader', ...args],
  });
  return {
    base,
    browser,
    async close() {
      await browser.close();
      await new Promise((ok) => server.close(ok));
    },
  };
}

/**
 * Opens `path` in a fresh context (`options`: the context's, `initScript`, run before the
 * page's own, and `waitFor`, what the page must hold before the test goes on; by default
 * window.gradscape). Every console error, page error
 * and request to another origin is collected in `problems`; `check()` asserts there were none.
 */
export async function open(env, path = '', options = {}) {
  const { initScript, waitFor = () => window.gradscape !== undefined, ...contextOptions } = options;
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 }, ...contextOptions });
  if (initScript) await context.addInitScript(initScript);
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    // The page's own origin, data: URLs and its own blob: URLs (exported files) only.
    const url = r.url();
    if (!url.startsWith(env.base) && !url.startsWith('data:') && !url.startsWith(`blob:${env.base}`)) problems.push(`request to another origin: ${r.url()}`);
  });
  await page.goto(env.base + path);
  await page.waitForFunction(waitFor, null, { timeout: 20000 });
  return {
    page,
    context,
    problems,
    check() {
      assert.deepEqual(problems, [], problems.join('\n'));
    },
    async close() {
      await context.close();
    },
  };
}

/** The RGBA of the overlay canvas at client (CSS) position (x, y). */
export async function overlayPixel(page, x, y) {
  return page.evaluate(([x, y]) => {
    const c = document.getElementById('overlay');
    const r = c.getBoundingClientRect();
    const s = c.width / r.width;
    const d = c.getContext('2d').getImageData(Math.round((x - r.left) * s), Math.round((y - r.top) * s), 1, 1).data;
    return [...d];
  }, [x, y]);
}

/** A real mouse drag from client (CSS) point `from` to `to` in `steps` moves. */
export async function drag(page, from, to, steps = 5) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps });
  await page.mouse.up();
}

/** A phone's screen for `open`: portrait, touch, at `scale` device pixels per CSS pixel. */
export const phone = (scale) => ({ viewport: { width: 390, height: 844 }, deviceScaleFactor: scale, isMobile: true, hasTouch: true });

/** A real two-finger pinch through the DevTools protocol: fingers about client point `mid`,
 * `from` CSS pixels apart, spread (or closed) to `to` in six moves, then lifted. */
export async function pinch(cdp, mid, from, to) {
  const fingers = (d) => [{ x: mid.x - d / 2, y: mid.y, id: 1 }, { x: mid.x + d / 2, y: mid.y, id: 2 }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: fingers(from) });
  for (let i = 1; i <= 6; i += 1) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: fingers(from + ((to - from) * i) / 6) });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}
