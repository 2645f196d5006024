// The surfaces in 3-D: its own module (gradscape_3d, WebGL2), fetched when 3-D is first chosen.
// The surfaces' module gives f on a grid, the heat map's picture and the paths; this module draws
// them as a lit mesh, ribbons and discs, and answers which point of the surface is under the
// pointer (the core's ray cast, on the CPU).
import init, { View3d } from './pkg/gradscape_3d.js';

let ready = null;
/** Loads the module once (inline in the one-file page, else fetched). */
function load() {
  const inline = globalThis.gradscapeInline?.view3d;
  ready ??= init({ module_or_path: inline ? Uint8Array.from(atob(inline), (c) => c.charCodeAt(0)) : new URL('./pkg/gradscape_3d_bg.wasm', import.meta.url) })
    .catch((e) => {
      ready = null;
      throw e;
    });
  return ready;
}

/** The picture of the surface the mesh wears: the heat map's colours and contour lines. */
const PICTURE = 512;

/** Whether WebGL2 is drawn in software here (a smaller mesh keeps orbiting smooth). */
function software(canvas) {
  const gl = canvas.getContext('webgl2');
  if (!gl) return false;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const name = String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  return /swiftshader|llvmpipe|software|softpipe/i.test(name);
}

const hex = (c) => (typeof c === 'string' && /^#[0-9a-f]{6}$/i.test(c) ? parseInt(c.slice(1), 16) : 0x444444);

/**
 * Starts the 3-D view on `canvas` for the surfaces' `viz`, its pointer events coming from
 * `overlay` (on top of it) and `host` the page's side (see app.js). Rejects when the module
 * cannot be fetched or the browser gives no WebGL2 (`error.webgl` is then true).
 */
export async function startView3d({ viz, canvas, overlay, host }) {
  await load();
  let view;
  // Antialiased with a GPU; in software, where it would cost more than the mesh, not.
  const soft = software(document.createElement('canvas'));
  try {
    view = new View3d(canvas, !soft);
  } catch (e) {
    const error = new Error(String(e && e.message ? e.message : e));
    error.webgl = true;
    throw error;
  }
  // 257 × 257 with a GPU; 65 × 65 in software, which holds 30 frames a second there.
  const n = soft ? 65 : 257;
  const picture = document.createElement('canvas');
  let surfaceKey = '';
  let pathKey = '';

  function update(surface, paths, runs) {
    if (surface !== surfaceKey) {
      const [xmin, xmax, ymin, ymax] = viz.view_box();
      viz.paint_inset(picture, PICTURE, PICTURE);
      view.set_surface(viz.sample(n), n, xmin, xmax, ymin, ymax, surface.split('|')[0], picture);
      surfaceKey = surface;
      pathKey = '';
    }
    if (paths !== pathKey) {
      const lengths = runs.map((r) => (r.points ? r.points.length : 0));
      const xy = new Float64Array(2 * lengths.reduce((a, b) => a + b, 0));
      const values = new Float64Array(xy.length / 2);
      let k = 0;
      for (const r of runs) {
        for (let i = 0; i < (r.points || []).length; i += 1, k += 1) {
          xy[2 * k] = r.points[i][0] ?? NaN;
          xy[2 * k + 1] = r.points[i][1] ?? NaN;
          values[k] = r.values?.[i] ?? NaN;
        }
      }
      view.set_paths(xy, values, Uint32Array.from(lengths), Uint32Array.from(runs.map((r) => hex(r.colour))));
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
  let gesture = null;
  const setGesture = (g) => {
    gesture = g;
    host.gesture(g);
  };

  return {
    n,
    resize(width, height, dpr) {
      view.resize(width, height, dpr);
    },
    /** Draws at `step`: the surface, the visible runs' paths, the starts and current points. */
    draw(step) {
      const paramsText = viz.params();
      const params = new Map(JSON.parse(paramsText));
      const surface = [host.height(), params.get('f'), viz.view_box().join(), params.get('log') ?? ''].join('|');
      const runs = host.trajectories();
      update(surface, `${surface}#${paramsText}`, runs);
      const discs = [];
      JSON.parse(viz.start_points()).forEach((s, i) => {
        const run = runs.find((r) => r.start_index === i && r.values && r.values.length);
        discs.push([s[0], s[1], run ? run.values[0] : NaN, 13, 0xffffff]);
      });
      for (const r of runs) {
        if (!r.visible || !r.points || !r.points.length) continue;
        const k = Math.min(step, r.points.length - 1);
        discs.push([r.points[k][0], r.points[k][1], r.values[k], 9, hex(r.colour)]);
      }
      view.set_markers(Float64Array.from(discs.flatMap((d) => d.slice(0, 4))), Uint32Array.from(discs.map((d) => d[4])));
      // The plot is white in every theme.
      view.draw(step, Uint8Array.from(runs.map((r) => (r.visible ? 1 : 0))), 0xffffff);
    },
    camera: () => [...view.camera()],
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
      overlay.setPointerCapture(e.pointerId);
      const [cx, cy] = local(e);
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
        overlay.classList.add('dragging');
      }
      e.preventDefault();
      overlay.focus({ preventScroll: true });
    },
    pointerMove(e) {
      const [cx, cy] = local(e);
      if (!gesture) {
        const at = view.cast(cx, cy);
        host.probe(at ? JSON.parse(viz.inspect(...viz.world_to_css(at[0], at[1]))) : null);
        return;
      }
      if (gesture.kind === 'start') {
        // The start follows the point of the surface under the pointer.
        const at = view.cast(cx, cy);
        if (!at) return;
        try {
          viz.set_start(gesture.i, at[0], at[1]);
        } catch (err) {
          host.warn('start', 'page.error', err);
        }
        host.moved();
        host.requestDraw();
        return;
      }
      if (gesture.kind === 'maybe-add' && Math.hypot(cx - gesture.x, cy - gesture.y) > 4) gesture.kind = 'orbit';
      if (gesture.kind === 'orbit') {
        view.orbit(cx - gesture.lastX, cy - gesture.lastY);
        gesture.lastX = cx;
        gesture.lastY = cy;
        host.requestDraw();
        host.syncUrl();
      }
    },
    pointerUp(e) {
      if (!gesture) return;
      const g = gesture;
      setGesture(null);
      overlay.classList.remove('dragging');
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
      if (g.kind === 'orbit') host.requestDraw();
      else host.changed();
    },
    wheel(e) {
      view.zoom(Math.exp(-(e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY) * 0.0015));
      host.requestDraw();
      host.syncUrl();
    },
  };
}
