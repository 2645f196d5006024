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
const PICTURE = 256;

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
 * Starts the 3-D view on `canvas` for the surfaces' `viz`. Rejects when the module cannot be
 * fetched or the browser gives no WebGL2 (`error.webgl` is then true).
 */
export async function startView3d({ viz, canvas }) {
  await load();
  let view;
  try {
    view = new View3d(canvas);
  } catch (e) {
    const error = new Error(String(e && e.message ? e.message : e));
    error.webgl = true;
    throw error;
  }
  // 257 × 257 with a GPU; 65 × 65 in software, which holds 30 frames a second there.
  const n = software(canvas) ? 65 : 257;
  const picture = document.createElement('canvas');
  let surfaceKey = '';
  let pathKey = '';
  let css = [1, 1];

  return {
    n,
    resize(width, height, dpr) {
      css = [width, height];
      view.resize(width, height, dpr);
    },
    /** Takes in the surface and paths again when they changed (`keys`: what they depend on). */
    update(surface, paths, runs) {
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
    },
    /** Draws at `step`: the runs `shown`, the discs (`[x, y, f, size, colour]` each). */
    draw(step, shown, discs, background) {
      view.set_markers(Float64Array.from(discs.flatMap((d) => d.slice(0, 4))), Uint32Array.from(discs.map((d) => d[4])));
      view.draw(step, Uint8Array.from(shown.map((s) => (s ? 1 : 0))), background);
    },
    camera: () => [...view.camera()],
    setCamera: (az, el, dist) => view.set_camera(az, el, dist),
    orbit: (dx, dy) => view.orbit(dx, dy),
    zoom: (factor) => view.zoom(factor),
    /** The surface's (x, y) under CSS position (cx, cy) of the canvas, or null. */
    cast(cx, cy) {
      const hit = view.cast(cx, cy);
      return hit ? [hit[0], hit[1]] : null;
    },
    /** The CSS position of the surface point (x, y, f(x, y)), or null when hidden or off it. */
    project(x, y) {
      const p = view.project(x, y);
      return p ? [p[0], p[1]] : null;
    },
    size: () => css,
  };
}
