// The surfaces in 3-D: its own module (gradscape_3d, WebGL2), fetched when 3-D is first chosen.
// The surfaces' module gives f on a grid, the heat map's picture and the paths; this module draws
// them as a lit mesh, ribbons and discs, and answers which point of the surface is under the
// pointer (the core's ray cast, on the CPU).
import init, { View3d } from './pkg/gradscape_3d.js';
import { inlineBytes } from './inline.js';

let ready = null;
/** Loads the module once (inline in the one-file page, else fetched). */
function load() {
  ready ??= init({ module_or_path: inlineBytes('view3d') ?? new URL('./pkg/gradscape_3d_bg.wasm', import.meta.url) })
    .catch((e) => {
      ready = null;
      throw e;
    });
  return ready;
}

/** The picture of the surface the mesh wears: the heat map's colours and contour lines. */
const PICTURE = 512;

/** The optimizers' marker shapes, in the order the 3-D view numbers them. */
const SHAPES = ['circle', 'square', 'triangle', 'diamond', 'triangle-down'];

const hex = (c) => (typeof c === 'string' && /^#[0-9a-f]{6}$/i.test(c) ? parseInt(c.slice(1), 16) : 0x444444);

/**
 * Starts the 3-D view on `canvas` for the surfaces' `viz`, its pointer events coming from
 * `overlay()` (the canvas on top of it, which the page may replace) and `host` the page's side
 * (see app.js); `soft`: whether WebGL2 is drawn in software here. Rejects when the module cannot be fetched or
 * the browser gives no WebGL2 (`error.webgl` is then true).
 */
export async function startView3d({ viz, canvas, overlay, host, soft }) {
  await load();
  let view;
  // In software: not antialiased, and desynchronized (see View3d's constructor).
  try {
    view = new View3d(canvas, soft);
  } catch (e) {
    const error = new Error(String(e && e.message ? e.message : e));
    error.webgl = true;
    throw error;
  }
  // 257 × 257 with a GPU; 49 × 49 in software, which holds 30 frames a second there (see README).
  const n = soft ? 49 : 257;
  const picture = document.createElement('canvas');
  let surfaceKey = '';
  let pathKey = '';

  /** Each run's points and values (x, y, f triples) from viz.path_data(), kept while unchanged. */
  let tracks = [];
  function update(surface, paths, runs) {
    if (surface !== surfaceKey) {
      const [xmin, xmax, ymin, ymax] = viz.view_box();
      viz.paint_inset(picture, PICTURE, PICTURE, surface.endsWith('|contours'));
      view.set_surface(viz.sample(n), n, xmin, xmax, ymin, ymax, surface.split('|')[0], picture);
      surfaceKey = surface;
      pathKey = '';
    }
    if (paths !== pathKey) {
      // One typed array for every run: no JSON for 60,000 points while a start is dragged. The
      // module reads it as it is; each run's triples are kept for the markers.
      const data = viz.path_data();
      tracks = [];
      let at = 1;
      for (let r = 0; r < data[0]; r += 1) {
        tracks.push(data.subarray(at + 1, at + 1 + 3 * data[at]));
        at += 1 + 3 * data[at];
      }
      view.set_paths(data, Uint32Array.from(runs.map((r) => hex(r.colour))));
      pathKey = paths;
    }
  }
  /** Pointer position in CSS pixels of the canvas. */
  function local(e) {
    const r = canvas.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }
  /** The CSS position on the canvas of the surface point (x, y, f(x, y)), or null when hidden. */
  function project(x, y) {
    const p = view.project(x, y);
    return p ? [p[0], p[1]] : null;
  }
  let shapes = [];
  let shapesKey = '';
  // In software, a camera moved by the pointer or the wheel is drawn at MOVING of the screen's
  // resolution until it rests, then again at the full: SwiftShader's time a frame follows the
  // pixels: orbiting went from 30 to 35–39 frames a second in the bench at 1280 × 900 (README).
  const MOVING = 0.7;
  let size = null;
  let moving = false;
  let restTimer = 0;
  const applySize = () => size && view.resize(size[0], size[1], size[2] * (moving ? MOVING : 1));
  /** The camera starts (true) or stops (false) moving. */
  function cameraMoving(on) {
    clearTimeout(restTimer);
    if (!soft || on === moving) return;
    moving = on;
    applySize();
    host.requestCameraDraw();
  }
  /** The camera moved by the wheel: moving until no wheel event has come for a moment. */
  function wheelMoved() {
    cameraMoving(true);
    restTimer = setTimeout(() => cameraMoving(false), 200);
  }
  let gesture = null;
  const pointers = new Map();
  const setGesture = (g) => {
    gesture = g;
    host.gesture(g);
  };

  return {
    n,
    resize(width, height, dpr) {
      size = [width, height, dpr];
      applySize();
    },
    /** Draws at `step`: the surface, the visible runs' paths, the starts and current points. */
    draw(step) {
      const paramsText = viz.params();
      const params = new Map(JSON.parse(paramsText));
      const surface = [host.height(), params.get('f'), viz.view_box().join(), params.get('log') ?? '', host.contours() ? 'contours' : 'plain'].join('|');
      const runs = host.summaries();
      update(surface, `${surface}#${paramsText}`, runs);
      // Markers: the start points as white discs, each run's current point in its optimizer's
      // colour and shape, as in 2-D.
      const discs = [];
      JSON.parse(viz.start_points()).forEach((s, i) => {
        const r = runs.findIndex((run) => run.startIndex === i);
        const t = tracks[r];
        discs.push([s[0], s[1], t && t.length ? t[2] : NaN, 13, 0xffffff, 0]);
      });
      if (shapesKey !== paramsText) {
        shapes = JSON.parse(viz.optimizers()).map((o) => Math.max(0, SHAPES.indexOf(o.marker)));
        shapesKey = paramsText;
      }
      runs.forEach((run, r) => {
        const t = tracks[r];
        if (!run.visible || !t || !t.length) return;
        const k = 3 * Math.min(step, t.length / 3 - 1);
        discs.push([t[k], t[k + 1], t[k + 2], 11, hex(run.colour), shapes[run.optimizerIndex] ?? 0]);
      });
      view.set_markers(Float64Array.from(discs.flatMap((d) => d.slice(0, 4))), Uint32Array.from(discs.map((d) => d[4])), Uint8Array.from(discs.map((d) => d[5])));
      // Arrows, as in 2-D: the way downhill (−∇f, a fixed length, black) and Momentum's and
      // Nesterov's velocity (the next displacement, in the optimizer's colour).
      const arrows = [];
      const colours = [];
      if (host.arrows()) {
        const [xmin, xmax, ymin, ymax] = viz.view_box();
        JSON.parse(viz.step_views(step)).forEach((v, r) => {
          if (!v || !runs[r] || !runs[r].visible) return;
          const [x, y] = v.point;
          // Downhill in the box's own proportions (it is square in 3-D): 0.12 of its width.
          const du = -v.gradient[0] * (xmax - xmin);
          const dv = -v.gradient[1] * (ymax - ymin);
          const len = Math.hypot(du, dv);
          if (len > 0 && Number.isFinite(len)) {
            arrows.push(x, y, v.value, x + (0.12 * du / len) * (xmax - xmin), y + (0.12 * dv / len) * (ymax - ymin));
            colours.push(0x000000);
          }
          if (v.velocity) {
            arrows.push(x, y, v.value, x + v.velocity[0], y + v.velocity[1]);
            colours.push(hex(runs[r].colour));
          }
        });
      }
      view.set_arrows(Float64Array.from(arrows), Uint32Array.from(colours));
      // The plot is white in every theme.
      view.draw(step, Uint8Array.from(runs.map((r) => (r.visible ? 1 : 0))), 0xffffff);
    },
    camera: () => [...view.camera()],
    /** Ends a camera's movement at once: drawn at the full resolution from the next draw. */
    rest: () => cameraMoving(false),
    /** Brings the camera nearer (factor > 1) or takes it farther. */
    zoom: (factor) => view.zoom(factor),
    setCamera: (az, el, dist) => view.set_camera(az, el, dist),
    /** The client position of the surface point (x, y, f(x, y)), or null when hidden or off it. */
    worldToClient(x, y) {
      const p = project(x, y);
      if (!p) return null;
      const r = canvas.getBoundingClientRect();
      return { x: r.left + p[0], y: r.top + p[1] };
    },
    /** A press on a start's disc drags it; elsewhere a click adds a start, a drag orbits. */
    pointerDown(e) {
      overlay().setPointerCapture(e.pointerId);
      const [cx, cy] = local(e);
      pointers.set(e.pointerId, [cx, cy]);
      if (pointers.size === 2) {
        // Two fingers: a pinch zooms.
        const [a, b] = [...pointers.values()];
        setGesture({ kind: 'pinch', distance: Math.hypot(a[0] - b[0], a[1] - b[1]) });
        cameraMoving(true);
        return;
      }
      let hit = -1;
      let best = e.pointerType === 'touch' ? 22 : 12;
      JSON.parse(viz.start_points()).forEach((s, i) => {
        const p = project(s[0], s[1]);
        const d = p ? Math.hypot(p[0] - cx, p[1] - cy) : Infinity;
        if (d <= best) {
          best = d;
          hit = i;
        }
      });
      setGesture(hit >= 0 ? { kind: 'start', i: hit } : { kind: 'maybe-add', x: cx, y: cy, lastX: cx, lastY: cy });
      if (hit >= 0) {
        host.select(hit);
        overlay().classList.add('dragging');
      }
      e.preventDefault();
      overlay().focus({ preventScroll: true });
    },
    pointerMove(e) {
      const [cx, cy] = local(e);
      if (pointers.has(e.pointerId)) pointers.set(e.pointerId, [cx, cy]);
      if (gesture && gesture.kind === 'pinch') {
        if (pointers.size !== 2) return;
        const [a, b] = [...pointers.values()];
        const distance = Math.hypot(a[0] - b[0], a[1] - b[1]);
        if (gesture.distance > 0 && distance > 0) {
          view.zoom(distance / gesture.distance);
          gesture.distance = distance;
          host.requestCameraDraw();
          host.syncUrl();
        }
        return;
      }
      if (!gesture) {
        const at = view.cast(cx, cy);
        host.probe(at ? JSON.parse(viz.inspect(...viz.world_to_css(at[0], at[1]))) : null);
        return;
      }
      if (gesture.kind === 'start') {
        // The start follows the point of the surface under the pointer.
        const at = view.cast(cx, cy);
        if (at) host.dragTo(gesture.i, at[0], at[1]);
        return;
      }
      if (gesture.kind === 'maybe-add' && Math.hypot(cx - gesture.x, cy - gesture.y) > 4) {
        gesture.kind = 'orbit';
        cameraMoving(true);
      }
      if (gesture.kind === 'orbit') {
        view.orbit(cx - gesture.lastX, cy - gesture.lastY);
        gesture.lastX = cx;
        gesture.lastY = cy;
        host.requestCameraDraw();
        host.syncUrl();
      }
    },
    pointerUp(e) {
      pointers.delete(e.pointerId);
      if (!gesture) return;
      const g = gesture;
      if (g.kind === 'pinch') {
        // The pinch ends with its first finger lifted; the other no longer orbits.
        cameraMoving(false);
        if (pointers.size === 0) setGesture(null);
        else setGesture({ kind: 'done' });
        return;
      }
      if (g.kind === 'done') {
        if (pointers.size === 0) setGesture(null);
        return;
      }
      setGesture(null);
      overlay().classList.remove('dragging');
      if (g.kind === 'maybe-add' && e.type === 'pointerup') {
        // A click on the surface adds a start there.
        const at = view.cast(g.x, g.y);
        if (at) {
          try {
            viz.add_start_at(...viz.world_to_css(at[0], at[1]));
            host.select(JSON.parse(viz.start_points()).length - 1);
          } catch (err) {
            host.warn('start', 'page.start', err);
          }
        }
      }
      if (g.kind === 'orbit') {
        cameraMoving(false);
        host.requestCameraDraw();
      } else host.changed();
    },
    wheel(e) {
      wheelMoved();
      view.zoom(Math.exp(-(e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY) * 0.0015));
      host.requestCameraDraw();
      host.syncUrl();
    },
  };
}
