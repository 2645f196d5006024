// <gradscape-viz>: gradscape in any page. After
//   <script type="module" src="https://…/www/gradscape.js"></script>
// a page writes <gradscape-viz f="himmelblau" opt="adam(lr=0.1)" start="0,0" steps="60"></gradscape-viz>
// with the attributes of the page's URL keys. Each element holds its own embedded view (an
// iframe of the page with embed=1, so each has its own state and module), follows attribute
// changes live, and has the page's API as its own methods, each returning a promise (the view
// lives in its frame): el.trajectories(), el.play(), el.setState({...}), el.exportPNG(), ...
// It fires `gradscape:ready` when its view is ready. Its `lang` attribute (ko, ja or en) is the
// view's language; without it the view speaks the reader's browser's language.

const PAGE = new URL('../', import.meta.url);
const KEYS = ['preset', 'f', 'opt', 'start', 'steps', 'view', 'log', 'hide', 'trail', 'speed', 'noise', 'theme', 'lang', 'autoplay',
  'mode', 'camera', 'height', 'contours', 'tab', 'data', 'hidden', 'act', 'init', 'batch', 'iters', 'seed', 'nopt', 'dirs', 'nlog'];
const METHODS = ['state', 'setState', 'trajectories', 'explain', 'startPoints', 'setStart', 'setView', 'play', 'pause', 'step', 'reset',
  'status', 'render', 'exportPNG', 'exportSVG', 'train', 'pauseTraining', 'resetTraining', 'lossCurves', 'trainStatus'];

let calls = 0;

export class GradscapeViz extends HTMLElement {
  static observedAttributes = KEYS;

  constructor() {
    super();
    this.pending = new Map();
    this.whenReady = new Promise((ok) => (this.ready = ok));
    const shadow = this.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = ':host { display: block; position: relative; width: 100%; aspect-ratio: 16 / 9; min-height: 200px; } iframe { position: absolute; inset: 0; width: 100%; height: 100%; border: 0; }';
    this.frame = document.createElement('iframe');
    this.frame.title = 'gradscape: optimizers on a loss surface';
    this.frame.setAttribute('allow', 'clipboard-write');
    shadow.append(style, this.frame);
    this.onMessage = ({ data, source }) => {
      if (source !== this.frame.contentWindow || !data || typeof data !== 'object') return;
      // The frame's name for screen readers, in the view's language.
      if (typeof data.gradscapeTitle === 'string') this.frame.title = data.gradscapeTitle.slice(0, 200);
      if (data.gradscapeReady) {
        this.ready();
        this.dispatchEvent(new CustomEvent('gradscape:ready'));
      } else if (typeof data.gradscape === 'number' && this.pending.has(data.gradscape)) {
        const { ok, fail } = this.pending.get(data.gradscape);
        this.pending.delete(data.gradscape);
        if ('error' in data) fail(new Error(data.error));
        else ok(data.result);
      }
    };
  }

  connectedCallback() {
    window.addEventListener('message', this.onMessage);
    if (!this.frame.src) this.frame.src = this.address();
  }

  disconnectedCallback() {
    window.removeEventListener('message', this.onMessage);
  }

  /** The embedded page's address for the element's attributes. */
  address() {
    const url = new URL(PAGE);
    for (const key of KEYS) if (this.hasAttribute(key)) url.searchParams.set(key, this.getAttribute(key));
    url.searchParams.set('embed', '1');
    return url.href;
  }

  attributeChangedCallback(key, before, value) {
    if (!this.frame.src || before === value) return;
    // Live: the view takes the new value (a removed attribute goes back to the default view's).
    if (value === null) this.frame.src = this.address();
    else this.call('setState', [{ [key]: value }]);
  }

  /** Calls the view's API method with `args`, when the view is ready. */
  async call(method, args = []) {
    await this.whenReady;
    const id = (calls += 1);
    return new Promise((ok, fail) => {
      this.pending.set(id, { ok, fail });
      this.frame.contentWindow.postMessage({ gradscape: id, method, args }, PAGE.origin);
    });
  }

  /** A world point in this page's client (CSS) pixels. */
  async worldToClient(x, y) {
    const p = await this.call('worldToClient', [x, y]);
    const r = this.frame.getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  }

  /** In 3-D, the surface's point (x, y, f(x, y)) in this page's client pixels, or null when it
   * is hidden, off the plot, or the view is not in 3-D. */
  async worldToClient3d(x, y) {
    const p = await this.call('worldToClient3d', [x, y]);
    if (!p) return null;
    const r = this.frame.getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  }

  /** The world point under this page's client position (x, y). */
  async clientToWorld(x, y) {
    const r = this.frame.getBoundingClientRect();
    return this.call('clientToWorld', [x - r.left, y - r.top]);
  }
}
for (const method of METHODS) {
  GradscapeViz.prototype[method] = function (...args) {
    return this.call(method, args);
  };
}

if (!customElements.get('gradscape-viz')) customElements.define('gradscape-viz', GradscapeViz);
