//! The 3-D view (feature `view3d`, its own module, loaded when 3-D is first chosen): the surface as
//! a lit mesh coloured by the heat map's own picture, the paths as ribbons a little above it, and
//! the start and current points as discs, drawn with WebGL2. The numbers (heights, camera, mesh,
//! picking) are `gradscape_core::view3d`'s; the surfaces' module gives the values of f on a grid,
//! the heat map's picture and the paths.

use gradscape_core::surface::ViewBox;
use gradscape_core::view3d::{self, Camera, HeightScale, Heights};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    HtmlCanvasElement, WebGl2RenderingContext as Gl, WebGlBuffer, WebGlProgram, WebGlShader,
    WebGlTexture, WebGlUniformLocation, WebGlVertexArrayObject,
};

// The shaders' comments are here, outside their text, which the module carries as it is.

/// The mesh: the picture's first row is the top of the view (largest y).
const MESH_VS: &str = r#"#version 300 es
in vec3 a_pos;
in vec3 a_normal;
uniform mat4 u_mvp;
out vec3 v_normal;
out vec2 v_tex;
void main() {
  v_normal = a_normal;
  v_tex = vec2((a_pos.x + 1.0) * 0.5, (1.0 - a_pos.y) * 0.5);
  gl_Position = u_mvp * vec4(a_pos, 1.0);
}"#;

const MESH_FS: &str = r#"#version 300 es
precision mediump float;
in vec3 v_normal;
in vec2 v_tex;
uniform sampler2D u_tex;
uniform vec3 u_light;
out vec4 colour;
void main() {
  vec3 base = texture(u_tex, v_tex).rgb;
  float lambert = abs(dot(normalize(v_normal), u_light));
  colour = vec4(base * (0.55 + 0.45 * lambert), 1.0);
}"#;

/// A path's segment as an instance: two points (w = 1 when the point is drawn, 0 at a break), and
/// six corners per instance that widen it to `u_width` device pixels across the screen. It is
/// drawn a little nearer the eye than the surface (`nearer`), so it never disappears into it: a
/// fixed distance in the world, which the depth buffer resolves at every distance the camera
/// allows.
const PATH_VS: &str = r#"#version 300 es
in vec4 a_from;
in vec4 a_to;
in vec2 a_corner;
uniform mat4 u_mvp;
uniform vec2 u_viewport;
uniform float u_width;
uniform vec3 u_eye;
out vec2 v_uv;
vec3 nearer(vec3 p) { return p + 0.012 * normalize(u_eye - p); }
void main() {
  vec4 p = u_mvp * vec4(nearer(a_from.xyz), 1.0);
  vec4 q = u_mvp * vec4(nearer(a_to.xyz), 1.0);
  vec4 here = a_corner.x < 0.5 ? p : q;
  v_uv = a_corner.x < 0.5 ? a_from.xy : a_to.xy;
  vec2 d = (q.xy / q.w - p.xy / p.w) * u_viewport;
  float len = length(d);
  vec2 across = len > 0.0 ? vec2(-d.y, d.x) / len : vec2(0.0, 1.0);
  here.xy += across * a_corner.y * u_width / u_viewport * here.w;
  gl_Position = (a_from.w * a_to.w > 0.5 && p.w > 0.0 && q.w > 0.0) ? here : vec4(2.0, 2.0, 2.0, 1.0);
}"#;

const PATH_FS: &str = r#"#version 300 es
precision mediump float;
in vec2 v_uv;
uniform vec3 u_colour;
out vec4 colour;
void main() {
  if (abs(v_uv.x) > 1.0 || abs(v_uv.y) > 1.0) discard;
  colour = vec4(u_colour, 1.0);
}"#;

const POINT_VS: &str = r#"#version 300 es
in vec4 a_point;
in vec4 a_colour;
uniform mat4 u_mvp;
uniform vec3 u_eye;
out vec4 v_colour;
void main() {
  v_colour = a_colour;
  gl_Position = u_mvp * vec4(a_point.xyz + 0.02 * normalize(u_eye - a_point.xyz), 1.0);
  gl_PointSize = a_point.w;
}"#;

/// The optimizers' marker shapes as in 2-D (the shape's number in alpha): 0 circle, 1 square,
/// 2 triangle, 3 diamond, 4 triangle pointing down; each with a dark rim. `e` is 0 at the
/// shape's centre and 1 on its edge. The triangles' apex is at (0, -0.45) and their base at
/// y = 0.35 (flipped for 4), with an inradius of 0.267.
const POINT_FS: &str = r#"#version 300 es
precision mediump float;
in vec4 v_colour;
out vec4 colour;
void main() {
  vec2 d = gl_PointCoord - vec2(0.5);
  int shape = int(v_colour.a + 0.5);
  float e;
  if (shape == 1) e = max(abs(d.x), abs(d.y)) / 0.42;
  else if (shape == 3) e = (abs(d.x) + abs(d.y)) / 0.5;
  else if (shape == 2 || shape == 4) {
    float y = shape == 2 ? d.y : -d.y;
    float m = max(y - 0.35, max(-0.872 * d.x, 0.872 * d.x) - 0.49 * (y + 0.45));
    e = 1.0 + m / 0.267;
  }
  else e = length(d) / 0.5;
  if (e > 1.0) discard;
  colour = e > 0.72 ? vec4(0.1, 0.1, 0.1, 1.0) : vec4(v_colour.rgb, 1.0);
}"#;

/// A segment's six vertices: which end (0 its start, 1 its end) and which side.
const CORNERS: [[f32; 2]; 6] = [
    [0.0, -1.0],
    [1.0, -1.0],
    [1.0, 1.0],
    [0.0, -1.0],
    [1.0, 1.0],
    [0.0, 1.0],
];

/// Adds the segment from world point `a` to `b` to `out` as its six vertices (both ends, lifted
/// by [`LIFT`], and the corner); an end that is not finite is a break (w = 0), drawn as nothing.
fn push_segment(out: &mut Vec<f32>, a: [f64; 3], b: [f64; 3]) {
    let end = |p: [f64; 3]| {
        if p.iter().all(|c| c.is_finite()) {
            [p[0] as f32, p[1] as f32, (p[2] + LIFT) as f32, 1.0]
        } else {
            [0.0; 4]
        }
    };
    let (a, b) = (end(a), end(b));
    for corner in CORNERS {
        out.extend_from_slice(&a);
        out.extend_from_slice(&b);
        out.extend_from_slice(&corner);
    }
}

/// How many more segments than steps the paths may be drawn with, all runs together, so that
/// long steps lie on the surface (see [`view3d::drape`]).
const DRAPE_BUDGET: usize = 60_000;

/// How far above the surface a path is drawn, in world units (besides the depth bias).
const LIFT: f64 = 0.006;

#[derive(Debug)]
struct Program {
    program: WebGlProgram,
    uniforms: Vec<Option<WebGlUniformLocation>>,
}

#[derive(Debug, Default)]
struct Run {
    /// Index of the run's first vertex in the path buffer.
    first: usize,
    /// For each segment drawn, in order, the step of its end point.
    ends: Vec<u32>,
    colour: [f32; 3],
}

/// How close, in world units (the view is 2 across), the points of a drawn path may be.
const THIN: f64 = 0.003;

/// The 3-D view on one canvas.
#[wasm_bindgen]
#[derive(Debug)]
pub struct View3d {
    gl: Gl,
    canvas: HtmlCanvasElement,
    mesh: Program,
    path: Program,
    point: Program,
    mesh_vao: WebGlVertexArrayObject,
    path_vao: WebGlVertexArrayObject,
    point_vao: WebGlVertexArrayObject,
    mesh_buffers: [WebGlBuffer; 3],
    path_buffer: WebGlBuffer,
    arrow_vao: WebGlVertexArrayObject,
    arrow_buffer: WebGlBuffer,
    /// The arrows' segments, laid out as the paths' (each arrow three segments).
    arrows: Vec<f32>,
    arrow_colours: Vec<[f32; 3]>,
    point_buffer: WebGlBuffer,
    texture: WebGlTexture,
    mesh_count: i32,
    heights: Option<Heights>,
    camera: Camera,
    runs: Vec<Run>,
    /// The paths' segments, six vertices each: both ends in world coordinates (w = 0 at a
    /// break) and the corner, ten floats a vertex.
    points: Vec<f32>,
    /// Start points and each run's current point: x, y, z, size, then r, g, b, a.
    markers: Vec<f32>,
    css: [f64; 2],
    dpr: f64,
}

fn shader(gl: &Gl, kind: u32, source: &str) -> Result<WebGlShader, JsValue> {
    let s = gl
        .create_shader(kind)
        .ok_or_else(|| JsValue::from_str("could not create a shader"))?;
    gl.shader_source(&s, source);
    gl.compile_shader(&s);
    if gl
        .get_shader_parameter(&s, Gl::COMPILE_STATUS)
        .as_bool()
        .unwrap_or(false)
    {
        Ok(s)
    } else {
        Err(JsValue::from_str(
            &gl.get_shader_info_log(&s).unwrap_or_default(),
        ))
    }
}

fn program(gl: &Gl, vs: &str, fs: &str, uniforms: &[&str]) -> Result<Program, JsValue> {
    let p = gl
        .create_program()
        .ok_or_else(|| JsValue::from_str("could not create a program"))?;
    gl.attach_shader(&p, &shader(gl, Gl::VERTEX_SHADER, vs)?);
    gl.attach_shader(&p, &shader(gl, Gl::FRAGMENT_SHADER, fs)?);
    gl.link_program(&p);
    if !gl
        .get_program_parameter(&p, Gl::LINK_STATUS)
        .as_bool()
        .unwrap_or(false)
    {
        return Err(JsValue::from_str(
            &gl.get_program_info_log(&p).unwrap_or_default(),
        ));
    }
    let uniforms = uniforms
        .iter()
        .map(|u| gl.get_uniform_location(&p, u))
        .collect();
    Ok(Program {
        program: p,
        uniforms,
    })
}

fn buffer(gl: &Gl) -> Result<WebGlBuffer, JsValue> {
    gl.create_buffer()
        .ok_or_else(|| JsValue::from_str("could not create a buffer"))
}

fn vao(gl: &Gl) -> Result<WebGlVertexArrayObject, JsValue> {
    gl.create_vertex_array()
        .ok_or_else(|| JsValue::from_str("could not create a vertex array"))
}

/// Binds attribute `name` of `program` to `buffer`: `size` floats every `stride` bytes from
/// `offset`, advancing per instance when `divisor` is 1.
#[allow(clippy::too_many_arguments)]
fn attribute(
    gl: &Gl,
    program: &WebGlProgram,
    name: &str,
    buffer: &WebGlBuffer,
    size: i32,
    stride: i32,
    offset: i32,
    divisor: u32,
) {
    let at = gl.get_attrib_location(program, name);
    if at < 0 {
        return;
    }
    let at = at as u32;
    gl.bind_buffer(Gl::ARRAY_BUFFER, Some(buffer));
    gl.enable_vertex_attrib_array(at);
    gl.vertex_attrib_pointer_with_i32(at, size, Gl::FLOAT, false, stride, offset);
    gl.vertex_attrib_divisor(at, divisor);
}

/// `data` into `buffer`: WebGL reads the bytes where they are in the module's memory (a
/// `Float32Array` made of them first was a copy of every vertex, 0.9 ms a move of a start
/// dragged over 60,000 points).
fn upload(gl: &Gl, target: u32, buffer: &WebGlBuffer, data: &[f32]) {
    gl.bind_buffer(target, Some(buffer));
    gl.buffer_data_with_u8_array(target, bytemuck::cast_slice(data), Gl::DYNAMIC_DRAW);
}

fn rgb(colour: u32) -> [f32; 3] {
    [
        ((colour >> 16) & 255) as f32 / 255.0,
        ((colour >> 8) & 255) as f32 / 255.0,
        (colour & 255) as f32 / 255.0,
    ]
}

#[wasm_bindgen]
impl View3d {
    /// A view drawing on `canvas`; an error when the browser gives no WebGL2 context. Where
    /// WebGL2 is drawn in `software`, the canvas is not antialiased (which would cost more than
    /// the mesh) and is desynchronized: it is drawn on at every move of a drag and every frame
    /// of an orbit, and the browser's software compositor would otherwise read its pixels back
    /// each time, half of the main thread's time per move of a dragged start. With a GPU there
    /// is no such read-back, and it is not desynchronized: such canvases are reported to show
    /// blank or misplaced on some GPUs, which cannot be tried here.
    #[wasm_bindgen(constructor)]
    pub fn new(canvas: HtmlCanvasElement, software: bool) -> Result<View3d, JsValue> {
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"antialias".into(), &(!software).into());
        let _ = js_sys::Reflect::set(&options, &"preserveDrawingBuffer".into(), &true.into());
        let _ = js_sys::Reflect::set(&options, &"desynchronized".into(), &software.into());
        let gl: Gl = canvas
            .get_context_with_context_options("webgl2", &options)?
            .ok_or_else(|| JsValue::from_str("no WebGL2"))?
            .dyn_into()
            .map_err(|_| JsValue::from_str("no WebGL2"))?;
        let mesh = program(&gl, MESH_VS, MESH_FS, &["u_mvp", "u_tex", "u_light"])?;
        let path = program(
            &gl,
            PATH_VS,
            PATH_FS,
            &["u_mvp", "u_viewport", "u_width", "u_colour", "u_eye"],
        )?;
        let point = program(&gl, POINT_VS, POINT_FS, &["u_mvp", "u_eye"])?;
        let mesh_buffers = [buffer(&gl)?, buffer(&gl)?, buffer(&gl)?];
        let path_buffer = buffer(&gl)?;
        let arrow_buffer = buffer(&gl)?;
        let arrow_vao = vao(&gl)?;
        gl.bind_vertex_array(Some(&arrow_vao));
        attribute(&gl, &path.program, "a_from", &arrow_buffer, 4, 40, 0, 0);
        attribute(&gl, &path.program, "a_to", &arrow_buffer, 4, 40, 16, 0);
        attribute(&gl, &path.program, "a_corner", &arrow_buffer, 2, 40, 32, 0);
        let point_buffer = buffer(&gl)?;
        let (mesh_vao, path_vao, point_vao) = (vao(&gl)?, vao(&gl)?, vao(&gl)?);

        gl.bind_vertex_array(Some(&mesh_vao));
        attribute(&gl, &mesh.program, "a_pos", &mesh_buffers[0], 3, 12, 0, 0);
        attribute(
            &gl,
            &mesh.program,
            "a_normal",
            &mesh_buffers[1],
            3,
            12,
            0,
            0,
        );
        gl.bind_buffer(Gl::ELEMENT_ARRAY_BUFFER, Some(&mesh_buffers[2]));

        // Each segment as six vertices, each with both ends (x, y, z, drawn) and its corner
        // (which end, which side): one draw per run, which software WebGL2 draws far faster
        // than as instances.
        gl.bind_vertex_array(Some(&path_vao));
        attribute(&gl, &path.program, "a_from", &path_buffer, 4, 40, 0, 0);
        attribute(&gl, &path.program, "a_to", &path_buffer, 4, 40, 16, 0);
        attribute(&gl, &path.program, "a_corner", &path_buffer, 2, 40, 32, 0);

        gl.bind_vertex_array(Some(&point_vao));
        attribute(&gl, &point.program, "a_point", &point_buffer, 4, 32, 0, 0);
        attribute(&gl, &point.program, "a_colour", &point_buffer, 4, 32, 16, 0);
        gl.bind_vertex_array(None);

        let texture = gl
            .create_texture()
            .ok_or_else(|| JsValue::from_str("could not create a texture"))?;
        Ok(View3d {
            gl,
            canvas,
            mesh,
            path,
            point,
            mesh_vao,
            path_vao,
            point_vao,
            mesh_buffers,
            path_buffer,
            arrow_vao,
            arrow_buffer,
            arrows: Vec::new(),
            arrow_colours: Vec::new(),
            point_buffer,
            texture,
            mesh_count: 0,
            heights: None,
            camera: Camera::default(),
            runs: Vec::new(),
            points: Vec::new(),
            markers: Vec::new(),
            css: [1.0, 1.0],
            dpr: 1.0,
        })
    }

    /// Sizes the canvas: `width` × `height` CSS pixels at `dpr` device pixels each.
    pub fn resize(&mut self, width: f64, height: f64, dpr: f64) {
        let ok = |v: f64, lo: f64| if v.is_finite() && v > lo { v } else { lo };
        self.css = [ok(width, 1.0), ok(height, 1.0)];
        self.dpr = ok(dpr, 0.25).min(4.0);
        self.canvas
            .set_width((self.css[0] * self.dpr).round().min(8192.0) as u32);
        self.canvas
            .set_height((self.css[1] * self.dpr).round().min(8192.0) as u32);
    }

    /// The surface: f's values on an n × n grid over the view (row j at y_j, from ymin up),
    /// their height scale (`log` or `clip`), and the heat map's picture of the same view.
    #[allow(clippy::too_many_arguments)]
    pub fn set_surface(
        &mut self,
        values: &[f64],
        n: usize,
        xmin: f64,
        xmax: f64,
        ymin: f64,
        ymax: f64,
        height: &str,
        picture: &HtmlCanvasElement,
    ) -> Result<(), JsValue> {
        let scale = if height == "clip" {
            HeightScale::Clipped
        } else {
            HeightScale::Log
        };
        let view = ViewBox {
            xmin,
            xmax,
            ymin,
            ymax,
        };
        let heights = Heights::new(values, n, view, scale)
            .ok_or_else(|| JsValue::from_str("the grid does not match its size"))?;
        let m = view3d::mesh(&heights);
        let gl = &self.gl;
        upload(gl, Gl::ARRAY_BUFFER, &self.mesh_buffers[0], &m.positions);
        upload(gl, Gl::ARRAY_BUFFER, &self.mesh_buffers[1], &m.normals);
        gl.bind_vertex_array(Some(&self.mesh_vao));
        gl.bind_buffer(Gl::ELEMENT_ARRAY_BUFFER, Some(&self.mesh_buffers[2]));
        gl.buffer_data_with_u8_array(
            Gl::ELEMENT_ARRAY_BUFFER,
            bytemuck::cast_slice(&m.indices),
            Gl::STATIC_DRAW,
        );
        gl.bind_vertex_array(None);
        self.mesh_count = m.indices.len() as i32;

        gl.bind_texture(Gl::TEXTURE_2D, Some(&self.texture));
        gl.tex_image_2d_with_u32_and_u32_and_html_canvas_element(
            Gl::TEXTURE_2D,
            0,
            Gl::RGBA as i32,
            Gl::RGBA,
            Gl::UNSIGNED_BYTE,
            picture,
        )?;
        gl.tex_parameteri(Gl::TEXTURE_2D, Gl::TEXTURE_MIN_FILTER, Gl::LINEAR as i32);
        gl.tex_parameteri(Gl::TEXTURE_2D, Gl::TEXTURE_MAG_FILTER, Gl::LINEAR as i32);
        gl.tex_parameteri(Gl::TEXTURE_2D, Gl::TEXTURE_WRAP_S, Gl::CLAMP_TO_EDGE as i32);
        gl.tex_parameteri(Gl::TEXTURE_2D, Gl::TEXTURE_WRAP_T, Gl::CLAMP_TO_EDGE as i32);
        self.heights = Some(heights);
        Ok(())
    }

    /// The paths, as `Viz::path_data` gives them: the number of runs, then for each its number
    /// of points n and n triples (x, y, f); run r in colour `colours[r]` (0xRRGGBB). Points
    /// that are not finite break a path.
    pub fn set_paths(&mut self, data: &[f64], colours: &[u32]) {
        self.runs.clear();
        self.points.clear();
        let Some(h) = &self.heights else {
            return;
        };
        let runs = data.first().map_or(0, |&r| r as usize);
        let mut at = 1;
        let mut draped = Vec::new();
        // Long steps lie on the surface in pieces, up to a number of pieces for all the paths
        // (a run that bounds across the box 10,000 times would otherwise draw 320,000); beyond
        // it they are drawn straight.
        let mut pieces_left = DRAPE_BUDGET;
        for r in 0..runs {
            let Some(&count) = data.get(at) else {
                break;
            };
            let end = (at + 1 + 3 * count as usize).min(data.len());
            let values = &data[at + 1..end];
            at = end;
            // Points closer than a fraction of a pixel apart are one on the screen, a segment
            // that retraces one just drawn (an oscillation) is drawn once, what leaves the view
            // box is cut at its edge, and a long step lies on the surface between its ends.
            let (kept, steps) = view3d::thin_values(h, values, THIN);
            let first = self.points.len() / 10;
            let mut ends = Vec::new();
            for i in gradscape_core::render::distinct_segments(&kept, THIN) {
                if let Some((a, b)) = view3d::clip_segment(kept[i], kept[i + 1]) {
                    // An end cut at the box's edge lies on the surface there.
                    let a = if a == kept[i] { a } else { h.on_surface(a) };
                    let b = if b == kept[i + 1] { b } else { h.on_surface(b) };
                    draped.clear();
                    view3d::drape(a, b, h, pieces_left.max(1), &mut draped);
                    pieces_left = pieces_left.saturating_sub(draped.len() - 1);
                    let mut from = a;
                    for &to in &draped {
                        push_segment(&mut self.points, from, to);
                        ends.push(steps[i + 1]);
                        from = to;
                    }
                }
            }
            self.runs.push(Run {
                first,
                ends,
                colour: rgb(colours.get(r).copied().unwrap_or(0x444444)),
            });
        }
        upload(&self.gl, Gl::ARRAY_BUFFER, &self.path_buffer, &self.points);
    }

    /// The markers: x, y, f and size in CSS pixels of each, its colour 0xRRGGBB and its shape
    /// (0 circle, 1 square, 2 triangle, 3 diamond, 4 triangle pointing down).
    pub fn set_markers(&mut self, xyfs: &[f64], colours: &[u32], shapes: &[u8]) {
        self.markers.clear();
        let Some(h) = &self.heights else {
            return;
        };
        for (i, m) in xyfs.chunks_exact(4).enumerate() {
            let p = h.world_of(m[0], m[1], m[2]);
            // Off the view box (a run gone beyond it) the marker is not drawn, as in 2-D.
            if !p.iter().all(|c| c.is_finite()) || p[0].abs() > 1.0 || p[1].abs() > 1.0 {
                continue;
            }
            let c = rgb(colours.get(i).copied().unwrap_or(0xffffff));
            self.markers.extend_from_slice(&[
                p[0] as f32,
                p[1] as f32,
                (p[2] + LIFT) as f32,
                (m[3] * self.dpr) as f32,
                c[0],
                c[1],
                c[2],
                f32::from(shapes.get(i).copied().unwrap_or(0)),
            ]);
        }
    }

    /// The arrows, drawn as paths: for each, its foot (x, y, f) and its tip (x, y) in the
    /// function's coordinates, the tip on the surface, and its colour 0xRRGGBB.
    pub fn set_arrows(&mut self, feet_tips: &[f64], colours: &[u32]) {
        self.arrows.clear();
        self.arrow_colours.clear();
        let Some(h) = &self.heights else {
            return;
        };
        let view = h.view();
        for (i, a) in feet_tips.chunks_exact(5).enumerate() {
            let foot = h.world_of(a[0], a[1], a[2]);
            let tip_z = h.z_at(a[3], a[4]).unwrap_or_else(|| h.z_of_value(a[2]));
            let tip = view3d::to_world(&view, a[3], a[4], tip_z);
            let (du, dv) = (tip[0] - foot[0], tip[1] - foot[1]);
            let len = du.hypot(dv);
            if !(len > 1e-9 && foot.iter().chain(&tip).all(|c| c.is_finite())) {
                continue;
            }
            // From a foot off the view box, nothing; past its edge, the shaft is cut there and
            // has no head, as in 2-D (three times the shaft keeps every arrow 18 vertices).
            if foot[0].abs() > 1.0 || foot[1].abs() > 1.0 {
                continue;
            }
            let Some((_, end)) = view3d::clip_segment(foot, tip) else {
                continue;
            };
            // Two wings, a quarter of the shaft long, in the floor's plane at the tip's height.
            let (ux, uy) = (du / len, dv / len);
            let head = 0.25 * len.min(0.2);
            let wing = |s: f64| {
                [
                    tip[0] - head * (ux + s * 0.55 * uy),
                    tip[1] - head * (uy - s * 0.55 * ux),
                    tip[2],
                ]
            };
            let parts = if end == tip {
                [(foot, tip), (tip, wing(1.0)), (tip, wing(-1.0))]
            } else {
                [(foot, end); 3]
            };
            for (a, b) in parts {
                push_segment(&mut self.arrows, a, b);
            }
            self.arrow_colours
                .push(rgb(colours.get(i).copied().unwrap_or(0)));
        }
        upload(&self.gl, Gl::ARRAY_BUFFER, &self.arrow_buffer, &self.arrows);
    }

    /// Sets the camera (azimuth and elevation in degrees, distance), kept within its bounds.
    pub fn set_camera(&mut self, azimuth: f64, elevation: f64, distance: f64) {
        self.camera = Camera {
            azimuth_deg: azimuth,
            elevation_deg: elevation,
            distance,
        }
        .clamped();
    }

    /// The camera as [azimuth, elevation, distance].
    pub fn camera(&self) -> Vec<f64> {
        vec![
            self.camera.azimuth_deg,
            self.camera.elevation_deg,
            self.camera.distance,
        ]
    }

    /// Turns the camera by a drag of (dx, dy) CSS pixels.
    pub fn orbit(&mut self, dx: f64, dy: f64) {
        let c = self.camera;
        self.set_camera(
            c.azimuth_deg - 0.4 * dx,
            c.elevation_deg + 0.4 * dy,
            c.distance,
        );
    }

    /// Moves the camera nearer (factor > 1) or farther.
    pub fn zoom(&mut self, factor: f64) {
        if factor.is_finite() && factor > 0.0 {
            let c = self.camera;
            self.set_camera(c.azimuth_deg, c.elevation_deg, c.distance / factor);
        }
    }

    /// Draws the surface, each run's path up to `step` updates (only those `shown`), and the
    /// discs.
    pub fn draw(&self, step: usize, shown: &[u8], background: u32) {
        let gl = &self.gl;
        let (w, h) = (self.canvas.width() as i32, self.canvas.height() as i32);
        gl.viewport(0, 0, w, h);
        let bg = rgb(background);
        gl.clear_color(bg[0], bg[1], bg[2], 1.0);
        gl.clear(Gl::COLOR_BUFFER_BIT | Gl::DEPTH_BUFFER_BIT);
        if self.heights.is_none() {
            return;
        }
        gl.enable(Gl::DEPTH_TEST);
        let mvp = self.camera.view_projection(self.css[0] / self.css[1]);
        let eye = self.camera.eye();
        let light = {
            // From above and a little towards the eye.
            let l = [eye[0] * 0.3, eye[1] * 0.3, 1.0];
            let n = (l[0] * l[0] + l[1] * l[1] + l[2] * l[2]).sqrt();
            [(l[0] / n) as f32, (l[1] / n) as f32, (l[2] / n) as f32]
        };

        gl.use_program(Some(&self.mesh.program));
        gl.uniform_matrix4fv_with_f32_array(self.mesh.uniforms[0].as_ref(), false, &mvp);
        gl.active_texture(Gl::TEXTURE0);
        gl.bind_texture(Gl::TEXTURE_2D, Some(&self.texture));
        gl.uniform1i(self.mesh.uniforms[1].as_ref(), 0);
        gl.uniform3f(self.mesh.uniforms[2].as_ref(), light[0], light[1], light[2]);
        gl.bind_vertex_array(Some(&self.mesh_vao));
        gl.draw_elements_with_i32(Gl::TRIANGLES, self.mesh_count, Gl::UNSIGNED_INT, 0);

        gl.use_program(Some(&self.path.program));
        gl.uniform_matrix4fv_with_f32_array(self.path.uniforms[0].as_ref(), false, &mvp);
        gl.uniform2f(self.path.uniforms[1].as_ref(), w as f32, h as f32);
        gl.uniform1f(self.path.uniforms[2].as_ref(), (3.0 * self.dpr) as f32);
        let e = [eye[0] as f32, eye[1] as f32, eye[2] as f32];
        gl.uniform3f(self.path.uniforms[4].as_ref(), e[0], e[1], e[2]);
        gl.bind_vertex_array(Some(&self.path_vao));
        for (r, run) in self.runs.iter().enumerate() {
            // The segments drawn up to this step.
            let segments = run.ends.partition_point(|&k| (k as usize) <= step);
            if shown.get(r).copied().unwrap_or(1) == 0 || segments == 0 {
                continue;
            }
            let c = run.colour;
            gl.uniform3f(self.path.uniforms[3].as_ref(), c[0], c[1], c[2]);
            gl.draw_arrays(Gl::TRIANGLES, run.first as i32, 6 * segments as i32);
        }
        gl.bind_vertex_array(Some(&self.arrow_vao));
        for (i, c) in self.arrow_colours.iter().enumerate() {
            gl.uniform3f(self.path.uniforms[3].as_ref(), c[0], c[1], c[2]);
            gl.draw_arrays(Gl::TRIANGLES, (18 * i) as i32, 18);
        }

        if !self.markers.is_empty() {
            gl.use_program(Some(&self.point.program));
            gl.uniform_matrix4fv_with_f32_array(self.point.uniforms[0].as_ref(), false, &mvp);
            let e = [eye[0] as f32, eye[1] as f32, eye[2] as f32];
            gl.uniform3f(self.point.uniforms[1].as_ref(), e[0], e[1], e[2]);
            upload(gl, Gl::ARRAY_BUFFER, &self.point_buffer, &self.markers);
            gl.bind_vertex_array(Some(&self.point_vao));
            gl.draw_arrays(Gl::POINTS, 0, (self.markers.len() / 8) as i32);
        }
        gl.bind_vertex_array(None);
    }

    /// The point (x, y) of the surface under CSS position (cx, cy) of the canvas, or None.
    pub fn cast(&self, cx: f64, cy: f64) -> Option<Vec<f64>> {
        let h = self.heights.as_ref()?;
        let ray = view3d::ray(cx, cy, self.css[0], self.css[1], &self.camera)?;
        view3d::cast(&ray, h).map(|(x, y)| vec![x, y])
    }

    /// The CSS position on the canvas of the surface point (x, y, f(x, y)) as drawn (the mesh's
    /// height there), or None when it is hidden behind the surface, outside the view or off
    /// the canvas.
    pub fn project(&self, x: f64, y: f64) -> Option<Vec<f64>> {
        let h = self.heights.as_ref()?;
        let z = h.z_at(x, y)?;
        if !view3d::visible(x, y, h, &self.camera) {
            return None;
        }
        let view = h.view();
        view3d::project(&view, x, y, z, &self.camera, self.css[0], self.css[1])
            .map(|(px, py, _)| vec![px, py])
    }
}
