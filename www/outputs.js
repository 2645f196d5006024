// What takes the view out of the page, fetched the first time it is asked for (a Save button, the
// Share button, or the API's exports): the plot as a PNG image, an SVG figure or a WebM video, and
// the share dialog's link, iframe and element. The page hands over what these read (`page`, see
// app.js): its canvases, its module's Viz, and how it draws and addresses the view.
import { inlineBytes } from './inline.js';
import { t, addEnglish, failure } from './i18n.js';
// The English words this script says; the built page's script leaves them out (scripts/pages.mjs).
import ownWords from './i18n/en.json' with { type: 'json' };

addEnglish(ownWords);

/** Saving: exportPNG, exportSVG and exportWebM as the page's API documents them, and download. */
export function exporters(page) {
  const { viz, surface, glCanvas, anim } = page;
  const $ = (id) => document.getElementById(id);

  /** What the plot shows, on white, onto `ctx` (a canvas the size of the plot's): the mesh in 3-D,
   * else the surface and its paths. */
  function copyPlot(ctx) {
    const { width, height } = ctx.canvas;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, width, height);
    if (page.three()) ctx.drawImage(glCanvas, 0, 0, width, height);
    else {
      ctx.drawImage(surface, 0, 0);
      ctx.drawImage(page.overlay(), 0, 0);
    }
  }
  /** The plot (surface, axes, paths) as a PNG Blob, at the screen's resolution (`scale` 1) or
   * `scale` times it (at most 4): the plot is drawn again at that size for the image. */
  async function exportPNG({ scale = 1 } = {}) {
    const k = Number(scale);
    if (!(k > 0 && k <= 4)) throw failure('page.export-scale', { scale: String(scale) }, RangeError);
    // In 3-D the mesh is drawn now, at rest (in software a moving camera is drawn at a lower
    // resolution, and the canvas is cleared when it comes back to the full one).
    page.view3()?.rest();
    if (k !== 1) page.sizeViz(k);
    if (k !== 1 || page.three()) page.drawNow();
    const out = document.createElement('canvas');
    out.width = surface.width;
    out.height = surface.height;
    copyPlot(out.getContext('2d'));
    if (k !== 1) {
      page.sizeViz();
      page.drawNow();
    }
    return new Promise((ok, fail) => out.toBlob((b) => (b ? ok(b) : fail(failure('page.no-image'))), 'image/png'));
  }
  /** The SVG export module, loaded the first time an SVG is asked for (or the failure). */
  let exporter = null;
  function exportModule() {
    exporter ??= (async () => {
      const m = await import('./pkg/gradscape_export.js');
      const inline = inlineBytes('exporter');
      await m.default(inline ? { module_or_path: inline } : undefined);
      return m;
    })();
    return exporter.catch((e) => {
      exporter = null;
      throw failure('page.svg-load', { error: e && e.message ? e : String(e) });
    });
  }
  /** The plot as an SVG string (plotters' SVG backend), the size of the plot on the page: the
   * surface as an embedded PNG image, the axes, paths, markers and arrows as vectors. */
  async function exportSVG() {
    const m = await exportModule();
    if (viz.render_surface()) page.surfaceStill.release();
    const [left, top, width, height] = viz.plot_rect();
    const crop = document.createElement('canvas');
    crop.width = width;
    crop.height = height;
    crop.getContext('2d').drawImage(surface, left, top, width, height, 0, 0, width, height);
    const params = JSON.parse(viz.params());
    const box = $('plot').getBoundingClientRect();
    const uiScale = page.uiScale();
    return m.export_svg(params.map((p) => p[0]), params.map((p) => p[1]), box.width / uiScale, box.height / uiScale,
      uiScale, page.currentStep(), $('arrows').checked, crop.toDataURL('image/png'));
  }
  /** The run animated from step 0 to the last as a WebM video (MediaRecorder), about six
   * seconds long at `fps` frames per second (at least one step a frame); `onProgress(share)`
   * follows it. Recording runs in real time; the page shows its progress. */
  async function exportWebM({ fps = 30, onProgress = () => {} } = {}) {
    const rate = Number(fps);
    if (!(rate >= 1 && rate <= 60)) throw failure('page.export-fps', { fps: String(fps) }, RangeError);
    if (typeof MediaRecorder !== 'function' || !('captureStream' in HTMLCanvasElement.prototype)) {
      throw failure('page.no-video');
    }
    const type = ['video/webm;codecs=vp9', 'video/webm;codecs=vp8', 'video/webm'].find((m) => MediaRecorder.isTypeSupported(m));
    if (!type) throw failure('page.no-webm');
    page.pause();
    const total = viz.steps();
    const per = Math.max(1, Math.ceil(total / (rate * 6)));
    const out = document.createElement('canvas');
    out.width = surface.width;
    out.height = surface.height;
    const ctx = out.getContext('2d');
    const stream = out.captureStream(rate);
    const recorder = new MediaRecorder(stream, { mimeType: type });
    const chunks = [];
    recorder.ondataavailable = (e) => {
      if (e.data.size) chunks.push(e.data);
    };
    const stopped = new Promise((ok) => (recorder.onstop = ok));
    const box = $('record-progress');
    box.hidden = false;
    const keep = anim.step;
    try {
      recorder.start();
      for (let s = 0; ; s = Math.min(total, s + per)) {
        anim.step = s;
        page.drawNow();
        copyPlot(ctx);
        box.value = s / total;
        onProgress(s / total);
        await new Promise((ok) => setTimeout(ok, 1000 / rate));
        if (s >= total) break;
      }
    } finally {
      if (recorder.state !== 'inactive') recorder.stop();
      await stopped;
      stream.getTracks().forEach((track) => track.stop());
      box.hidden = true;
      anim.step = keep;
      page.drawNow();
    }
    return new Blob(chunks, { type: 'video/webm' });
  }
  function download(blob, name) {
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }
  return { exportPNG, exportSVG, exportWebM, download };
}

/** The share dialog: `show(on)`, and `language()` to say its texts again in a new language. */
export function sharer(page) {
  const $ = (id) => document.getElementById(id);
  function show(on) {
    $('share').hidden = !on;
    if (!on) return;
    fill();
    status('');
    $('share-link').select();
    $('share-link').focus();
  }
  /** The dialog's three texts for the view as it is now. */
  function fill() {
    $('share-link').value = new URL(page.address({ share: true }), location.href).href;
    // The address in an attribute: & and " escaped.
    const escape = (v) => String(v).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    const src = new URL(page.address({ embed: true }), location.href).href.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
    $('share-embed').value = `<iframe src="${src}" width="640" height="360" style="border:0" title="${escape(t('share.frame-title'))}"></iframe>`;
    // The <gradscape-viz> element with the link's settings (the language, and in 3-D the camera,
    // among them) as attributes.
    const attributes = [...new URL($('share-link').value).searchParams].map(([k, v]) => ` ${k}="${escape(v)}"`).join('');
    const script = new URL('www/gradscape.js', new URL(location.pathname, location.href)).href;
    $('share-element').value = `<script type="module" src="${escape(script)}"></script>\n<gradscape-viz${attributes}></gradscape-viz>`;
  }
  let said = '';
  /** The dialog's status line (`key`, or '' for none), kept to say it again in another language. */
  function status(key) {
    said = key;
    $('share-status').textContent = key ? t(key) : '';
  }
  async function copy(field) {
    const text = $(field).value;
    try {
      await navigator.clipboard.writeText(text);
      status('share.copied');
    } catch {
      // Without clipboard access: selected, for the reader to copy.
      $(field).select();
      status('share.selected');
    }
  }
  $('share-close').addEventListener('click', () => show(false));
  $('share-link-copy').addEventListener('click', () => copy('share-link'));
  $('share-embed-copy').addEventListener('click', () => copy('share-embed'));
  $('share-element-copy').addEventListener('click', () => copy('share-element'));
  $('share').addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      show(false);
      $('share-button').focus();
    }
  });
  return {
    show,
    language() {
      if (!$('share').hidden) fill();
      status(said);
    },
  };
}
