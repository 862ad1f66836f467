// gradlib's explorer renderer: ONE ES module draws every explorer (docs/explorers.md).
//
// The kernel computes numbers, the browser draws them. The model holds
//   scene  {width, height, image: PNG bytes, panels: [{name, kind, bbox, xlim, ylim, ...}], alt}
//   frame  {layers: [{panel, kind, reveal, style, n, xy: float64 bytes}], n_steps, status,
//           kind, charts: {panel: {ylog, title, xlim}}}
//   step   the step Play/scrubbing shows (-1: the last)
// Live (anywidget): `render({model, el})` is called by the widget manager. Static pages (no
// kernel): `mountStatic(el, data, surfaces)` builds plain HTML controls and a tiny model, and
// computes descent paths here with the same update rules as gradlib.optim (tested against
// optim.descend in tests/test_canvas.py).

// ---------------------------------------------------------------------------------------------
// decoding
// ---------------------------------------------------------------------------------------------
function b64bytes(text) {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function toBytes(v) {
  if (v == null) return new Uint8Array(0);
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (typeof v === "object" && typeof v.$b64 === "string") return b64bytes(v.$b64);
  if (typeof v === "string") return b64bytes(v);
  return new Uint8Array(0);
}

export function f64(v) {
  if (v instanceof Float64Array) return v;
  if (Array.isArray(v)) return Float64Array.from(v);
  const b = toBytes(v);
  const copy = new Uint8Array(b.byteLength - (b.byteLength % 8));
  copy.set(b.subarray(0, copy.length));
  return new Float64Array(copy.buffer);
}

// ---------------------------------------------------------------------------------------------
// numbers as Python formats them (status lines must read the same as in the kernel)
// ---------------------------------------------------------------------------------------------
function stripZeros(s) {
  return s.indexOf(".") < 0 ? s : s.replace(/0+$/, "").replace(/\.$/, "");
}

/** format(v, f".{p}g") */
export function fmtG(v, p = 6) {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  const e = v.toExponential(Math.max(p, 1) - 1);
  const [mant, ex] = e.split("e");
  const exp = parseInt(ex, 10);
  if (exp < -4 || exp >= p) {
    const a = Math.abs(exp);
    return `${stripZeros(mant)}e${exp < 0 ? "-" : "+"}${a < 10 ? "0" : ""}${a}`;
  }
  return stripZeros(v.toFixed(Math.max(0, p - 1 - exp)));
}

/** format(v, f".{d}f") */
export function fmtF(v, d) {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  const s = v.toFixed(d);
  return (Object.is(v, -0) || (v < 0 && !s.startsWith("-"))) ? "-" + s : s;
}

/** repr(float(v)) */
export function pyRepr(v) {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (v === 0) return Object.is(v, -0) ? "-0.0" : "0.0";
  const [mant, ex] = v.toExponential().split("e");
  const exp = parseInt(ex, 10);
  if (exp < -4 || exp >= 16) {
    const a = Math.abs(exp);
    return `${mant}e${exp < 0 ? "-" : "+"}${a < 10 ? "0" : ""}${a}`;
  }
  const s = String(v);
  return /[.e]/.test(s) ? s : s + ".0";
}

// ---------------------------------------------------------------------------------------------
// learning-rate schedules and optimizers: the rules of gradlib.optim, operation for operation
// ---------------------------------------------------------------------------------------------
export const SCHEDULES = ["constant", "inverse_time_decay", "exponential_decay", "step_decay",
  "linear_decay", "cosine_decay", "warmup"];

/** gradlib.experiments.learning_rate(schedule, lr, steps, decay, rate) as a function of t. */
export function learningRate(schedule, lr, steps, decay = 0.01, rate = 0.99) {
  switch (schedule) {
    case "constant": return () => lr;
    case "inverse_time_decay": return (t) => lr / (1.0 + decay * t);
    case "exponential_decay": return (t) => lr * Math.pow(rate, t);
    case "step_decay": {
      const every = Math.max(1, Math.floor(steps / 4));
      return (t) => lr * Math.pow(0.5, Math.floor(t / every));
    }
    case "linear_decay": return (t) => lr + (0.0 - lr) * Math.min(t, steps) / steps;
    case "cosine_decay":
      return (t) => 0.0 + (lr - 0.0) * (1.0 + Math.cos(Math.PI * (Math.min(t, steps) / steps))) / 2.0;
    case "warmup": {
      const w = Math.max(1, Math.floor(steps / 10));
      return (t) => (t < w ? lr * (t + 1.0) / (w + 1.0) : lr);
    }
    default: throw new Error(`schedule: unknown schedule ${schedule}`);
  }
}

export const OPTIMIZERS = ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "newton"];
const HYPER_DEFAULTS = { beta: 0.9, rho: 0.99, beta1: 0.9, beta2: 0.999, weight_decay: 0.01, damping: 0.0 };

class SingularHessian extends Error {}

function solve(A, b, n) {
  // Gaussian elimination with partial pivoting (LAPACK's getrf/getrs pivoting rule);
  // an exactly zero pivot means H + damping I is singular, as numpy.linalg.solve reports.
  const M = A.slice(); const x = b.slice(); const piv = [];
  for (let j = 0; j < n; j++) {
    let p = j;
    for (let i = j + 1; i < n; i++) if (Math.abs(M[i * n + j]) > Math.abs(M[p * n + j])) p = i;
    if (M[p * n + j] === 0) throw new SingularHessian();
    if (p !== j) {
      for (let k = 0; k < n; k++) { const t = M[j * n + k]; M[j * n + k] = M[p * n + k]; M[p * n + k] = t; }
      const t = x[j]; x[j] = x[p]; x[p] = t;
    }
    piv.push(p);
    for (let i = j + 1; i < n; i++) {
      const l = M[i * n + j] / M[j * n + j];
      M[i * n + j] = l;
      for (let k = j + 1; k < n; k++) M[i * n + k] -= l * M[j * n + k];
      x[i] -= l * x[j];
    }
  }
  for (let j = n - 1; j >= 0; j--) {
    let s = x[j];
    for (let k = j + 1; k < n; k++) s -= M[j * n + k] * x[k];
    x[j] = s / M[j * n + j];
  }
  return x;
}

/** An optimizer: {name, hyper, needsHessian, lr(t), init(n), update(x, g, state, h)} with the
 *  update rules of gradlib.optim (torch.optim's algorithms). x, g: plain arrays. */
export function makeOptimizer(name, lrFn, hyper = {}) {
  const hp = { ...HYPER_DEFAULTS, ...hyper };
  const lr = typeof lrFn === "function" ? lrFn : () => lrFn;
  const o = { name, hyper: hp, lr, needsHessian: name === "newton" };
  const zeros = (n) => new Array(n).fill(0);
  switch (name) {
    case "gd":
      o.init = () => ({ count: 0 });
      o.update = (x, g, s) => { const a = lr(s.count); return [x.map((v, i) => v - a * g[i]), { count: s.count + 1 }]; };
      break;
    case "momentum":
      o.init = (n) => ({ count: 0, b: zeros(n) });
      o.update = (x, g, s) => {
        const a = lr(s.count); const b = s.b.map((v, i) => hp.beta * v + g[i]);
        return [x.map((v, i) => v - a * b[i]), { count: s.count + 1, b }];
      };
      break;
    case "nesterov":
      o.init = (n) => ({ count: 0, b: zeros(n) });
      o.update = (x, g, s) => {
        const a = lr(s.count); const b = s.b.map((v, i) => hp.beta * v + g[i]);
        return [x.map((v, i) => v - a * (g[i] + hp.beta * b[i])), { count: s.count + 1, b }];
      };
      break;
    case "adagrad": {
      const eps = hyper.eps ?? 1e-10;
      o.init = (n) => ({ count: 0, s: zeros(n) });
      o.update = (x, g, st) => {
        const a = lr(st.count); const s = st.s.map((v, i) => v + g[i] * g[i]);
        return [x.map((v, i) => v - a * g[i] / (Math.sqrt(s[i]) + eps)), { count: st.count + 1, s }];
      };
      break;
    }
    case "rmsprop": {
      const eps = hyper.eps ?? 1e-8;
      o.init = (n) => ({ count: 0, v: zeros(n) });
      o.update = (x, g, st) => {
        const a = lr(st.count); const v = st.v.map((w, i) => hp.rho * w + (1 - hp.rho) * (g[i] * g[i]));
        return [x.map((w, i) => w - a * g[i] / (Math.sqrt(v[i]) + eps)), { count: st.count + 1, v }];
      };
      break;
    }
    case "adam":
    case "adamw": {
      const eps = hyper.eps ?? 1e-8;
      const b1 = hp.beta1, b2 = hp.beta2;
      o.init = (n) => ({ count: 0, m: zeros(n), v: zeros(n) });
      o.update = (x0, g, st) => {
        const a = lr(st.count);
        let x = x0;
        if (name === "adamw") { const d = a * hp.weight_decay; x = x0.map((w) => w - d * w); }
        const t = st.count + 1;
        const m = st.m.map((w, i) => b1 * w + (1 - b1) * g[i]);
        const v = st.v.map((w, i) => b2 * w + (1 - b2) * (g[i] * g[i]));
        const c1 = 1 - Math.pow(b1, t), c2 = 1 - Math.pow(b2, t);
        return [x.map((w, i) => w - a * (m[i] / c1) / (Math.sqrt(v[i] / c2) + eps)), { count: t, m, v }];
      };
      break;
    }
    case "newton":
      o.init = () => ({ count: 0 });
      o.update = (x, g, s, h) => {
        const a = lr(s.count); const n = g.length;
        const A = hp.damping ? h.map((v, k) => v + (Math.floor(k / n) === k % n ? hp.damping * 1.0 : 0.0)) : h;
        const d = solve(A, g, n);
        return [x.map((v, i) => v - a * d[i]), { count: s.count + 1 }];
      };
      break;
    default: throw new Error(`optimizer: unknown optimizer ${name}`);
  }
  return o;
}

/** gradlib.optim.descend on a surface compiled by gradlib.jsmath ({n, fg, h}). Returns
 *  {xs: Float64Array (k+1)*n, losses, grads, lrs, status, steps, message} or {error}. */
export function descend(surf, opt, x0, steps, tol = 1e-10, bound = 1e8) {
  const n = surf.n;
  const evaluate = (x) => { const v = surf.fg(...x); return [v[0], v.slice(1), Math.hypot(...v.slice(1))]; };
  let x = x0.slice();
  let [loss, g, gnorm] = evaluate(x);
  if (!(Number.isFinite(loss) && Number.isFinite(gnorm))) {
    return { error: `x0: f or its gradient is not finite at x0 = [${x.map(pyRepr).join(", ")}] (f = ${pyRepr(loss)}); start inside the function's domain` };
  }
  const xs = [x], losses = [loss], grads = [g], lrs = [];
  let state = opt.init(n);
  let h = opt.needsHessian ? surf.h(...x) : null;
  let k = 0, status = "max_steps", reason = "";
  const limit = Math.min(bound, Number.MAX_VALUE);
  for (;;) {
    if (gnorm <= tol) { status = "converged"; break; }
    if (k === steps) break;
    let xNew;
    try {
      [xNew, state] = opt.update(x, g, state, h);
    } catch (err) {
      if (!(err instanceof SingularHessian)) throw err;
      const where = x.map((v) => pyRepr(Math.round(v * 1e6) / 1e6 + 0)).join(", ");
      status = "diverged";
      reason = `stopped at step ${k + 1}: H + damping*I is singular at x = [${where}], so the Newton step is undefined; use damping > 0`;
      break;
    }
    if (!xNew.every((v) => -limit <= v && v <= limit)) {
      const what = xNew.every(Number.isFinite) ? `|x| exceeded ${bound.toExponential(0).replace(/e([+-])(\d)$/, "e$10$2")}` : "x became non-finite";
      status = "diverged"; reason = `diverged at step ${k + 1}: ${what}`;
      break;
    }
    [loss, g, gnorm] = evaluate(xNew);
    if (!(Number.isFinite(loss) && Number.isFinite(gnorm))) {
      status = "diverged";
      reason = `diverged at step ${k + 1}: ${Number.isFinite(loss) ? "the gradient" : "the loss"} became non-finite`;
      break;
    }
    lrs.push(opt.lr(k));
    k += 1;
    x = xNew;
    xs.push(x); losses.push(loss); grads.push(g);
    if (opt.needsHessian) h = surf.h(...x);
  }
  let message = reason;
  if (status === "converged") message = `converged in ${k} step${k !== 1 ? "s" : ""} (|grad| <= ${fmtG(tol)})`;
  else if (status === "max_steps") message = `stopped after ${k} steps without converging (|grad| = ${fmtG(gnorm, 3)} > tol = ${fmtG(tol)})`;
  return { xs: Float64Array.from(xs.flat()), losses: Float64Array.from(losses),
    grads: Float64Array.from(grads.flat()), lrs: Float64Array.from(lrs), status, steps: k, message, n };
}

// eigenvalues (ascending) of the symmetric part of a 2x2 Hessian; null if not finite
function eig2(h) {
  if (!h.every(Number.isFinite)) return null;
  const a = h[0], b = (h[1] + h[2]) / 2, d = h[3];
  const m = (a + d) / 2, r = Math.hypot((a - d) / 2, b);
  return [m - r, m + r];
}

/** gradlib.experiments.stability_factor */
export function stabilityFactor(name, hyper) {
  const beta = hyper.beta ?? 0.9;
  if (name === "gd") return 2.0;
  if (name === "momentum") return 2.0 * (1.0 + beta);
  if (name === "nesterov") return 2.0 * (1.0 + beta) / (1.0 + 2.0 * beta);
  return null;
}

/** gradlib.experiments.describe: the status line for a run. info: {global_min} */
export function describe(surf, info, path, opt) {
  const n = path.n, k = path.steps;
  const x = Array.from(path.xs.subarray(k * n, k * n + n));
  const loss = path.losses[k];
  const where = "(" + x.map((v) => fmtF(v, 3)).join(", ") + ")";
  const gl = Array.from(path.grads.subarray(k * n, k * n + n));
  const gnorm = Math.sqrt(gl.reduce((s, v) => s + v * v, 0));
  const fmin = info.global_min ?? null;
  if (path.status === "converged") {
    let text = `converged in ${k} step${k !== 1 ? "s" : ""}: f = ${fmtG(loss, 4)} at ${where}`;
    const lam = n === 2 ? eig2(surf.h(...x)) : null;
    if (lam && lam[0] < -1e-9 * Math.max(1.0, Math.abs(lam[1]))) {
      text += `, a saddle point (λmin = ${fmtG(lam[0], 3)} < 0), not a minimum`;
    } else if (fmin !== null && loss - fmin > 1e-6 * Math.max(1.0, Math.abs(fmin))) {
      text += `, a local minimum: the global minimum is f* = ${fmtG(fmin, 4)}`;
    }
    return text;
  }
  if (path.status === "max_steps") {
    const extra = fmin !== null ? ` (f − f* = ${fmtG(loss - fmin, 3)})` : "";
    return `stopped after ${k} steps: f = ${fmtG(loss, 4)}${extra}, |∇f| = ${fmtG(gnorm, 3)} (not converged yet: more steps or another lr)`;
  }
  const at = k + 1;
  const eigs = [];
  for (let t = 0; t <= k; t++) eigs.push(n === 2 ? eig2(surf.h(...path.xs.subarray(t * n, t * n + n))) : null);
  const factor = opt ? stabilityFactor(opt.name, opt.hyper) : null;
  if (factor !== null) {
    for (let t = 0; t <= k; t++) {
      const lam = eigs[t] ? eigs[t][1] : NaN;
      const r = opt.lr(t) * lam;
      if (Number.isFinite(r) && r > factor) {
        const line = factor === 2.0 ? "2" : fmtG(factor, 3);
        return `diverged at step ${at}: lr too large for this curvature (lr·λmax = ${fmtG(r, 3)} > ${line})`;
      }
    }
  }
  const lows = eigs.filter((e) => e).map((e) => e[0]);
  const low = lows.length ? Math.min(...lows) : NaN;
  const f0 = path.losses[0];
  if (lows.length && low < 0 && loss < f0 - 1e6 * (1.0 + Math.abs(f0))) {
    return `diverged at step ${at}: f is unbounded below and the path ran downhill along a direction of negative curvature (λmin = ${fmtG(low, 3)})`;
  }
  return path.message;
}

const PATH_COLOR = "#1f77b4", HEAD_COLOR = "#d55e00";

/** gradlib.experiments.descent_frame: settings -> frame (same layers, same labels). */
export function descentFrame(settings, surf, info) {
  const s = settings;
  const lrFn = learningRate(s.schedule, s.lr, s.steps, s.decay, s.rate);
  const opt = makeOptimizer(s.optimizer, lrFn, s.hyper || {});
  const path = descend(surf, opt, s.start, s.steps, s.tol ?? 1e-6);
  if (path.error) return errorFrame(`cannot run: ${path.error}`);
  const k = path.steps, n = path.n;
  const fmin = info.global_min ?? null;
  const pts = path.xs;
  const values = new Float64Array(k + 1);
  let log;
  if (fmin !== null) {
    log = true;
    let top = -Infinity;
    for (let t = 0; t <= k; t++) top = Math.max(top, path.losses[t] - fmin);
    const floor = Math.max(top, 1e-300) * 1e-16;
    for (let t = 0; t <= k; t++) values[t] = Math.max(path.losses[t] - fmin, floor);
  } else {
    let lo = Infinity, hi = -Infinity;
    for (let t = 0; t <= k; t++) { values[t] = path.losses[t]; lo = Math.min(lo, values[t]); hi = Math.max(hi, values[t]); }
    log = lo > 0 && hi / lo > 100;
  }
  const loss = new Float64Array(2 * (k + 1));
  for (let t = 0; t <= k; t++) { loss[2 * t] = t; loss[2 * t + 1] = values[t]; }
  const what = fmin !== null ? "f(x_t) − f*" : "f(x_t)";
  const diverged = path.status === "diverged";
  const xy2 = n === 2 ? pts : new Float64Array(0);
  const layers = [
    { panel: "surface", kind: "points", reveal: "all", xy: Float64Array.from((info.minima || []).flat()),
      style: { marker: "*", size: 13, fill: "#ffffff", edge: "#000000", label: "known minima" } },
    { panel: "surface", kind: "line", reveal: "upto", xy: xy2,
      style: { color: PATH_COLOR, width: 1.5, marker: "o", size: 3, label: "path x₀ … xₜ" } },
    { panel: "surface", kind: "points", reveal: "all", xy: xy2.slice(0, 2),
      style: { marker: "o", size: 9, fill: "#ffffff", edge: PATH_COLOR, width: 2, label: "start x₀" } },
    { panel: "surface", kind: "points", reveal: "at", xy: xy2,
      style: { marker: "o", size: 9, fill: HEAD_COLOR, edge: "#000000", label: "xₜ at the shown step" } },
    { panel: "surface", kind: "points", reveal: "end", xy: xy2.slice(2 * k, 2 * k + 2),
      style: { marker: diverged ? "X" : "s", size: 9, fill: PATH_COLOR, edge: "#000000",
        label: diverged ? "last finite point (diverged)" : "end of the run" } },
    { panel: "loss", kind: "line", reveal: "upto", xy: loss,
      style: { color: PATH_COLOR, width: 1.5, label: what } },
    { panel: "loss", kind: "points", reveal: "at", xy: loss,
      style: { marker: "o", size: 7, fill: HEAD_COLOR, edge: "#000000", label: "at the shown step" } },
  ];
  for (const l of layers) l.n = l.xy.length / 2;
  const kind = ["converged", "diverged", "max_steps"].includes(path.status) ? path.status : "info";
  return { layers, n_steps: k, status: describe(surf, info, path, opt), kind, path,
    charts: { loss: { ylog: log, title: `loss ${what}` + (log ? " (log scale)" : ""), xlim: [0, s.steps] } } };
}

export function errorFrame(text) {
  return { layers: [], n_steps: 0, status: text, kind: "error", charts: {} };
}

// ---------------------------------------------------------------------------------------------
// the 1-D quadratic explorer: gradlib.experiments.quadratic_frame
// ---------------------------------------------------------------------------------------------
const REGIME_TEXT = {
  "frozen": "lr = 0: the iterate never moves",
  "monotone": "0 < lr·a < 1: each step shrinks x by the same factor, from one side",
  "one step": "lr·a = 1: the first step lands exactly on the minimum",
  "oscillating": "1 < lr·a < 2: x jumps across the minimum and the jumps shrink",
  "bouncing": "lr·a = 2: x jumps between x₀ and −x₀ forever",
  "divergent": "lr·a > 2: x jumps across the minimum and the jumps grow: divergence",
};
const REGIME_KIND = { divergent: "diverged", bouncing: "max_steps", frozen: "max_steps",
  monotone: "converged", "one step": "converged", oscillating: "converged" };
const ITERATE_COLOR = "#d55e00";

const isClose = (u, v) => Math.abs(u - v) <= 1e-12 * Math.max(Math.abs(u), Math.abs(v));

/** gradlib.experiments.quadratic_regime */
export function quadraticRegime(a, lr) {
  const h = lr * a;
  if (!(h >= 0) || !Number.isFinite(h)) throw new Error(`lr must be a finite number >= 0, got ${pyRepr(lr)}`);
  if (h === 0) return "frozen";
  if (isClose(h, 1.0)) return "one step";
  if (isClose(h, 2.0)) return "bouncing";
  return h < 1 ? "monotone" : h < 2 ? "oscillating" : "divergent";
}

/** gradlib.experiments.quadratic_closed_form at k (capped at 1e6 in magnitude). */
export function quadraticClosedForm(a, lr, x0, k) {
  const r = 1.0 - lr * a;
  const logs = r !== 0 ? k * Math.log(Math.abs(r)) : (k === 0 ? 0.0 : -Infinity);
  const mag = Math.exp(Math.min(logs + Math.log(Math.abs(x0)), Math.log(1e6)));
  const sign = Math.sign(x0) * (k % 2 === 1 ? (r !== 0 ? Math.sign(r) : 1.0) : 1.0);
  return sign * mag;
}

function linspace(a, b, n) {
  // numpy.linspace: a + i * step, the last point exactly b
  const out = new Float64Array(n), step = (b - a) / (n - 1);
  for (let i = 0; i < n; i++) out[i] = a + i * step;
  out[n - 1] = b;
  return out;
}

function pairs(xs, ys) {
  const out = new Float64Array(2 * xs.length);
  for (let i = 0; i < xs.length; i++) { out[2 * i] = xs[i]; out[2 * i + 1] = ys[i]; }
  return out;
}

/** gradlib.experiments.quadratic_frame: {a, lr, x0, steps} -> frame. */
export function quadraticFrame(settings) {
  const a = settings.a, lr = settings.lr, x0 = settings.x0, steps = settings.steps;
  if (!(a > 0) || !Number.isFinite(a)) return errorFrame(`cannot run: a must be a positive finite number, got ${pyRepr(a)}`);
  if (!(x0 !== 0) || !Number.isFinite(x0)) return errorFrame(`cannot run: x0 must be a finite non-zero number, got ${pyRepr(x0)}`);
  let regime;
  try { regime = quadraticRegime(a, lr); } catch (err) { return errorFrame(`cannot run: ${err.message}`); }
  const surf = { n: 1, fg: (x) => [0.5 * a * (x * x), a * x], h: () => [a] };
  const path = descend(surf, makeOptimizer("gd", lr), [x0], steps, 0.0);
  if (path.error) return errorFrame(`cannot run: ${path.error}`);
  const span = 2.2 * Math.abs(x0);
  const s = linspace(-span, span, 200);
  const top = 0.5 * a * s[199] * s[199];
  const xs = path.xs, f = xs.map((v) => 0.5 * a * (v * v)), k = xs.map((_, i) => i);
  const kk = Array.from({ length: steps + 1 }, (_, i) => i);
  const lim = 1.6 * Math.abs(x0);
  const now = { marker: "o", size: 9, fill: ITERATE_COLOR, edge: "#000000", label: "xₖ at the shown step" };
  const layers = [
    { panel: "parabola", kind: "line", reveal: "all", xy: pairs(s, s.map((v) => 0.5 * a * (v * v))),
      style: { color: "#666666", width: 1.5, label: "f(x) = a/2 x²" } },
    { panel: "parabola", kind: "line", reveal: "upto", xy: pairs(xs, f),
      style: { color: ITERATE_COLOR, width: 1.0, marker: "o", size: 4, label: "iterates (xₖ, f(xₖ))" } },
    { panel: "parabola", kind: "points", reveal: "at", xy: pairs(xs, f), style: now },
    { panel: "xk", kind: "line", reveal: "all", xy: Float64Array.from([0, 0, steps, 0]),
      style: { color: "#999999", width: 0.8, label: "the minimum x = 0" } },
    { panel: "xk", kind: "line", reveal: "all", xy: pairs(kk, kk.map((t) => quadraticClosedForm(a, lr, x0, t))),
      style: { color: "#000000", width: 1.5, dash: [2, 3], label: "(1 − lr·a)ᵏ x₀" } },
    { panel: "xk", kind: "line", reveal: "upto", xy: pairs(k, xs),
      style: { color: PATH_COLOR, width: 1.0, marker: "o", size: 4, label: "xₖ (descend)" } },
    { panel: "xk", kind: "points", reveal: "at", xy: pairs(k, xs), style: now },
  ];
  for (const l of layers) l.n = l.xy.length / 2;
  return { layers, n_steps: path.steps, status: `${regime}: ${REGIME_TEXT[regime]}`, kind: REGIME_KIND[regime],
    charts: {
      parabola: { xlim: [-span, span], ylim: [-0.05 * top, top],
        title: `lr·a = ${fmtF(lr * a, 3)}: each step multiplies x by ${fmtF(1 - lr * a, 3)}` },
      xk: { xlim: [0, steps], ylim: [-lim, lim], title: `xₖ against k   (threshold lr = 2/a = ${fmtF(2 / a, 3)})` },
    } };
}

// ---------------------------------------------------------------------------------------------
// the optimizer race: gradlib.experiments.race_frame
// ---------------------------------------------------------------------------------------------
export const PATH_COLORS = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#000000"];

/** gradlib.experiments.race_ranking: indices best first. */
export function raceRanking(entries, gap) {
  const key = (e) => {
    const final = Number.isFinite(e.final_gap) ? e.final_gap : Infinity;
    if (!gap) return [final];
    return [e.status === "diverged" ? 1 : 0, e.steps_to_tol ?? Infinity, final];
  };
  const cmp = (u, v) => { for (let i = 0; i < u.length; i++) { if (u[i] < v[i]) return -1; if (u[i] > v[i]) return 1; } return 0; };
  return entries.map((_, i) => i).sort((i, j) => cmp(key(entries[i]), key(entries[j])));
}

/** gradlib.experiments.race_status */
export function raceStatus(entries, tol, gap) {
  const x0 = entries[0].path.xs;
  const where = `${entries.length} optimizers from (${fmtF(x0[0], 2)}, ${fmtF(x0[1], 2)})`;
  const head = gap ? `${where}; target f − f* ≤ ${fmtG(tol)}` : `${where}; f* unknown: ranked by final f`;
  const parts = raceRanking(entries, gap).map((i, r) => {
    const e = entries[i];
    let what;
    if (e.status === "diverged") what = `diverged at step ${e.path.steps + 1}`;
    else if (gap && e.steps_to_tol !== null) what = `${e.steps_to_tol} step${e.steps_to_tol !== 1 ? "s" : ""}`;
    else if (gap) what = `not reached (final f − f* = ${fmtG(e.final_gap, 3)})`;
    else what = `final f = ${fmtG(e.final_gap, 3)}`;
    return `${r + 1}. ${e.name}: ${what}`;
  });
  return `${head} · ${parts.join(", ")}`;
}

/** gradlib.experiments.race_frame: {lrs: [[name, lr], ...], steps, start, tol} -> frame.
 *  info: {global_min, minima}. */
export function raceFrame(settings, surf, info) {
  const fmin = info.global_min ?? null, gap = fmin !== null;
  const entries = [];
  for (const [name, lr] of settings.lrs) {
    const path = descend(surf, makeOptimizer(name, lr), settings.start, settings.steps, 0.0);
    if (path.error) return errorFrame(`cannot run: ${path.error}`);
    const k = path.steps;
    let hit = null;
    if (gap) for (let t = 0; t <= k; t++) if (path.losses[t] - fmin <= settings.tol) { hit = t; break; }
    entries.push({ name, path, status: path.status, steps_to_tol: hit,
      final_gap: gap ? path.losses[k] - fmin : path.losses[k] });
  }
  let log = gap;
  if (!gap) {
    let lo = Infinity, hi = -Infinity, any = false;
    for (const e of entries) for (const v of e.path.losses) if (Number.isFinite(v)) { any = true; lo = Math.min(lo, v); hi = Math.max(hi, v); }
    log = any && lo > 0 && hi / lo > 100;
  }
  const layers = [
    { panel: "surface", kind: "points", reveal: "all", xy: Float64Array.from((info.minima || []).flat()),
      style: { marker: "*", size: 13, fill: "#ffffff", edge: "#000000", label: "known minima" } },
    { panel: "surface", kind: "points", reveal: "all", xy: entries[0].path.xs.slice(0, 2),
      style: { marker: "o", size: 9, fill: "#ffffff", edge: "#000000", width: 2, label: "start x₀" } },
  ];
  const colors = entries.map((_, i) => PATH_COLORS[i % PATH_COLORS.length]);
  entries.forEach((e, i) => {
    const xs = e.path.xs, k = e.path.steps;
    layers.push({ panel: "surface", kind: "line", reveal: "upto", xy: xs,
      style: { color: colors[i], width: 1.3, marker: "o", size: 2, label: e.name } });
    layers.push({ panel: "surface", kind: "points", reveal: "at", xy: xs,
      style: { marker: "o", size: 7, fill: colors[i], edge: "#000000", label: e.name } });
    if (e.status === "diverged") {
      layers.push({ panel: "surface", kind: "points", reveal: "end", xy: xs.slice(2 * k, 2 * k + 2),
        style: { marker: "X", size: 10, fill: colors[i], edge: "#000000", label: `${e.name}: diverged here` } });
    }
  });
  entries.forEach((e, i) => {
    const L = e.path.losses, k = e.path.steps;
    const values = new Float64Array(k + 1);
    if (gap && log) {
      let top = -Infinity;
      for (let t = 0; t <= k; t++) top = Math.max(top, L[t] - fmin);
      const floor = Math.max(top, 1e-300) * 1e-16;
      for (let t = 0; t <= k; t++) values[t] = Math.max(L[t] - fmin, floor);
    } else values.set(L);
    const curve = pairs(Array.from(values, (_, t) => t), values);
    layers.push({ panel: "loss", kind: "line", reveal: "upto", xy: curve, style: { color: colors[i], width: 1.4, label: e.name } });
    layers.push({ panel: "loss", kind: "points", reveal: "at", xy: curve,
      style: { marker: "o", size: 6, fill: colors[i], edge: "#000000", label: e.name } });
  });
  for (const l of layers) l.n = l.xy.length / 2;
  const what = gap ? "f(x_t) − f*" : "f(x_t)";
  return { layers, n_steps: Math.max(...entries.map((e) => e.path.steps)),
    status: raceStatus(entries, settings.tol, gap), kind: "info",
    charts: { loss: { ylog: log, title: `loss ${what}` + (log ? " (log scale)" : ""), xlim: [0, settings.steps] } } };
}

// ---------------------------------------------------------------------------------------------
// the curvature explorer: gradlib.experiments_curvature.curvature_frame
// ---------------------------------------------------------------------------------------------
const CURV = { radii: [0.5, 1.0, 1.5], ellipse: 21, hyperbola: 11, glyph: 0.15, flat: 1e-8,
  up: "#1b7837", down: "#c51b7d", model: "#d95f02", point: "#ffd92f", lmax: "#d62728", lmin: "#1f77b4" };
const CURV_WORDS = { minimum: "curving up in every direction", maximum: "curving down in every direction",
  saddle: "up along one direction, down along the other", degenerate: "flat along some direction" };

/** gradlib.experiments_curvature.eig2 for one matrix h = [H00, H01, H10, H11]:
 *  {lam: [l1 <= l2], V: [v1x, v1y, v2x, v2y]} (NaN if h is not finite). */
export function eigSym2(h) {
  if (!h.every(Number.isFinite)) return { lam: [NaN, NaN], V: [NaN, NaN, NaN, NaN] };
  const a = h[0], b = (h[1] + h[2]) / 2, d = h[3];
  const m = (a + d) / 2, hh = (a - d) / 2, r = Math.hypot(hh, b);
  const ux = hh >= 0 ? hh + r : b, uy = hh >= 0 ? b : r - hh;
  const n = Math.hypot(ux, uy);
  const v2x = n > 0 ? ux / n : 0.0, v2y = n > 0 ? uy / n : 1.0;
  return { lam: [m - r, m + r], V: [-v2y, v2x, v2x, v2y] };
}

/** gradlib.experiments_curvature.eigen_kind */
export function eigenKind(lam) {
  const top = Math.max(Math.abs(lam[0]), Math.abs(lam[1]));
  if (top === 0 || Math.abs(lam[0]) <= CURV.flat * top || Math.abs(lam[1]) <= CURV.flat * top) return "degenerate";
  if (lam[0] > 0) return "minimum";
  if (lam[1] < 0) return "maximum";
  return "saddle";
}

function chunked(chunks) {
  const off = new Float64Array(chunks.length + 1);
  let total = 0;
  chunks.forEach((c, i) => { total += c.length / 2; off[i + 1] = total; });
  const xy = new Float64Array(2 * total);
  let at = 0;
  for (const c of chunks) { xy.set(c, at); at += c.length; }
  return [xy, off];
}

function curvGlyph(xs, eig, scale, ref, up) {
  const chunks = [];
  for (let t = 0; t < eig.length; t++) {
    const l = eig[t].lam, V = eig[t].V, pts = [];
    if (Number.isFinite(l[0]) && Number.isFinite(l[1])) {
      const top = Math.max(Math.abs(l[0]), Math.abs(l[1]));
      for (let i = 0; i < 2; i++) {
        const flat = Math.abs(l[i]) <= CURV.flat * top;
        if (flat || (l[i] > 0) !== up) continue;
        const L = scale * Math.abs(l[i]) / ref, vx = V[2 * i], vy = V[2 * i + 1];
        const px = xs[2 * t], py = xs[2 * t + 1];
        pts.push(px - L * vx, py - L * vy, px + L * vx, py + L * vy, NaN, NaN);
      }
    }
    chunks.push(pts);
  }
  return chunked(chunks);
}

function curvModel(xs, grads, eig) {
  const E = CURV.ellipse, Hn = CURV.hyperbola;
  const cosT = [], sinT = [], ch = [], sh = [];
  for (let j = 0; j < E; j++) { const th = 2 * Math.PI * j / (E - 1); cosT.push(Math.cos(th)); sinT.push(Math.sin(th)); }
  for (let j = 0; j < Hn; j++) { const s = -2.5 + 5.0 * j / (Hn - 1); ch.push(Math.cosh(s)); sh.push(Math.sinh(s)); }
  const chunks = [], targets = new Float64Array(xs.length).fill(NaN);
  for (let t = 0; t < eig.length; t++) {
    const l = eig[t].lam, V = eig[t].V, pts = [];
    const top = Number.isFinite(l[0]) && Number.isFinite(l[1]) ? Math.max(Math.abs(l[0]), Math.abs(l[1])) : 0.0;
    const gx = grads[2 * t], gy = grads[2 * t + 1];
    if (top > 0 && Math.abs(l[0]) > CURV.flat * top && Math.abs(l[1]) > CURV.flat * top && Number.isFinite(gx) && Number.isFinite(gy)) {
      const [v1x, v1y, v2x, v2y] = V;
      const g1 = v1x * gx + v1y * gy, g2 = v2x * gx + v2y * gy;
      const z1 = -g1 / l[0], z2 = -g2 / l[1];
      const cx = xs[2 * t] + (v1x * z1 + v2x * z2), cy = xs[2 * t + 1] + (v1y * z1 + v2y * z2);
      targets[2 * t] = cx; targets[2 * t + 1] = cy;
      const c0 = 0.5 * (g1 * g1 / l[0] + g2 * g2 / l[1]);
      if (c0 !== 0 && Number.isFinite(c0)) {
        for (const r of CURV.radii) {
          const c = r * r * c0, a1 = 2 * c / l[0], a2 = 2 * c / l[1];
          let branches;
          if (a1 > 0 && a2 > 0) {
            const A = Math.sqrt(a1), B = Math.sqrt(a2);
            branches = [[cosT.map((v) => A * v), sinT.map((v) => B * v)]];
          } else if (a1 > 0) {
            const A = Math.sqrt(a1), B = Math.sqrt(-a2);
            branches = [[ch.map((v) => A * v), sh.map((v) => B * v)], [ch.map((v) => -A * v), sh.map((v) => B * v)]];
          } else {
            const A = Math.sqrt(-a1), B = Math.sqrt(a2);
            branches = [[sh.map((v) => A * v), ch.map((v) => B * v)], [sh.map((v) => A * v), ch.map((v) => -B * v)]];
          }
          for (const [u1, u2] of branches) {
            for (let j = 0; j < u1.length; j++) pts.push(cx + (v1x * u1[j] + v2x * u2[j]), cy + (v1y * u1[j] + v2y * u2[j]));
            pts.push(NaN, NaN);
          }
        }
      }
    }
    chunks.push(pts);
  }
  const [xy, off] = chunked(chunks);
  return [xy, off, targets];
}

/** gradlib.experiments_curvature.curvature_frame: {optimizer, lr, beta, steps, start} -> frame.
 *  info: {global_min, minima, xlim}. */
export function curvatureFrame(settings, surf, info) {
  const name = settings.optimizer;
  if (!["gd", "momentum", "newton"].includes(name)) return errorFrame(`cannot run: optimizer must be one of 'gd', 'momentum', 'newton', got '${name}'`);
  const lr = name === "newton" ? 1.0 : settings.lr;
  if (!(lr > 0) || !Number.isFinite(lr)) return errorFrame(`cannot run: lr must be a finite number > 0, got ${pyRepr(lr)}`);
  const opt = name === "newton" ? makeOptimizer("newton", 1.0, { damping: 0.0 })
    : makeOptimizer(name, lr, name === "momentum" ? { beta: settings.beta } : {});
  const path = descend(surf, opt, settings.start, settings.steps, 1e-10);
  if (path.error) return errorFrame(`cannot run: ${path.error}`);
  const n = path.steps, xs = path.xs;
  const eig = [];
  for (let t = 0; t <= n; t++) eig.push(eigSym2(surf.h(xs[2 * t], xs[2 * t + 1])));
  const limit = name === "gd" ? 2.0 : name === "momentum" ? 2.0 * (1.0 + settings.beta) : null;
  const top = eig.map((e) => lr * e.lam[1]), low = eig.map((e) => lr * e.lam[0]);
  let big = 0.0, anyFinite = false;
  for (const e of eig) if (Number.isFinite(e.lam[0]) && Number.isFinite(e.lam[1])) { anyFinite = true; big = Math.max(big, Math.abs(e.lam[0]), Math.abs(e.lam[1])); }
  const ref = anyFinite && big > 0 ? big : 1.0;
  const scale = CURV.glyph * (info.xlim[1] - info.xlim[0]);
  const [upXY, upOff] = curvGlyph(xs, eig, scale, ref, true);
  const [downXY, downOff] = curvGlyph(xs, eig, scale, ref, false);
  const [modelXY, modelOff, targets] = curvModel(xs, path.grads, eig);
  const line = limit !== null ? limit : 2.0;
  const vals = top.concat(low).filter(Number.isFinite);
  const lo = vals.length ? Math.min(...vals) : 0.0, hi = vals.length ? Math.max(...vals) : line;
  const ylim = [Math.max(Math.min(1.1 * lo, -0.1 * line), -2.0 * line), Math.min(Math.max(1.1 * hi, 1.25 * line), 3.0 * line)];
  const ts = Array.from({ length: n + 1 }, (_, t) => t);
  const cursor = new Float64Array(4 * (n + 1));
  for (let t = 0; t <= n; t++) { cursor[4 * t] = t; cursor[4 * t + 1] = ylim[0]; cursor[4 * t + 2] = t; cursor[4 * t + 3] = ylim[1]; }
  const cursorOff = Float64Array.from({ length: n + 2 }, (_, i) => 2.0 * i);
  const layers = [
    { panel: "surface", kind: "points", reveal: "all", xy: Float64Array.from((info.minima || []).flat()),
      style: { marker: "*", size: 13, fill: "#ffffff", edge: "#000000", label: "known minima" } },
    { panel: "surface", kind: "line", reveal: "all", xy: xs,
      style: { color: "#222222", width: 1.0, marker: "o", size: 2, label: `path (${name})` } },
    { panel: "surface", kind: "segments-per-step", reveal: "at", xy: modelXY, offsets: modelOff,
      style: { color: CURV.model, width: 1.2, dash: [5, 3], label: "quadratic model's level sets at xₜ" } },
    { panel: "surface", kind: "segments-per-step", reveal: "at", xy: upXY, offsets: upOff,
      style: { color: CURV.up, width: 3.0, label: "eigen-direction, f curves up (λ > 0)" } },
    { panel: "surface", kind: "segments-per-step", reveal: "at", xy: downXY, offsets: downOff,
      style: { color: CURV.down, width: 3.0, label: "eigen-direction, f curves down (λ < 0)" } },
    { panel: "surface", kind: "points", reveal: "at", xy: targets,
      style: { marker: "X", size: 10, fill: CURV.model, edge: "#000000", label: "model's stationary point (Newton lands here)" } },
    { panel: "surface", kind: "points", reveal: "at", xy: xs,
      style: { marker: "o", size: 10, fill: CURV.point, edge: "#000000", width: 1.5, label: "xₜ at the shown step" } },
    { panel: "curvature", kind: "line", reveal: "all", xy: pairs(ts, top), style: { color: CURV.lmax, width: 1.8, label: "lr·λmax" } },
    { panel: "curvature", kind: "line", reveal: "all", xy: pairs(ts, low), style: { color: CURV.lmin, width: 1.0, label: "lr·λmin" } },
  ];
  if (limit !== null) {
    layers.push({ panel: "curvature", kind: "line", reveal: "all", xy: Float64Array.from([0.0, limit, Math.max(n, 1), limit]),
      style: { color: "#000000", width: 1.0, dash: [6, 4], label: `stability limit ${fmtG(limit, 3)}` } });
  }
  layers.push({ panel: "curvature", kind: "segments-per-step", reveal: "at", xy: cursor, offsets: cursorOff,
    style: { color: "#4d4d4d", width: 1.0, label: "step t" } });
  layers.push({ panel: "curvature", kind: "points", reveal: "at", xy: pairs(ts, top),
    style: { marker: "o", size: 7, fill: CURV.lmax, edge: "#000000", label: "lr·λmax at step t" } });
  for (const l of layers) l.n = l.xy.length / 2;
  // the status line: the start's curvature, where lr·λmax crosses the line, describe's verdict
  const parts = [];
  const l0 = eig[0].lam;
  parts.push(Number.isFinite(l0[0]) && Number.isFinite(l0[1])
    ? `start: eigenvalues ${fmtG(l0[0], 3)}, ${fmtG(l0[1], 3)} (${CURV_WORDS[eigenKind(l0)]})`
    : "start: the Hessian is not finite there");
  if (limit === null) parts.push("Newton divides each direction by its λ, so no lr·λ limit applies");
  else {
    const over = [];
    let peak = -Infinity, nf = 0;
    top.forEach((v, t) => { if (Number.isFinite(v)) { nf++; peak = Math.max(peak, v); if (v > limit) over.push(t); } });
    const ln = fmtG(limit, 3);
    if (over.length) parts.push(`lr·λmax above the limit ${ln} at ${over.length} of ${top.length} points (first at step ${over[0]}, last at step ${over[over.length - 1]})`);
    else if (nf) parts.push(`lr·λmax below the limit ${ln} all along (at most ${fmtG(peak, 3)})`);
    else parts.push(`lr·λmax is not finite anywhere (limit ${ln})`);
  }
  parts.push(describe(surf, info, path, opt));
  const key = limit !== null ? `limit ${fmtG(limit, 3)} (dashed)` : "Newton: no lr·λ limit";
  const kind = ["converged", "diverged", "max_steps"].includes(path.status) ? path.status : "info";
  return { layers, n_steps: n, status: parts.join(" · "), kind,
    charts: { curvature: { xlim: [0, Math.max(n, 1)], ylim, title: `lr·λ along the path, lr = ${fmtG(lr, 3)}; ${key}` } } };
}

// ---------------------------------------------------------------------------------------------
// drawing
// ---------------------------------------------------------------------------------------------
const STATUS_COLORS = { converged: "#1a7f37", diverged: "#b00020", max_steps: "#444444", error: "#b00020", info: "#222222" };
const FONT = "system-ui, -apple-system, 'DejaVu Sans', sans-serif";

function niceTicks(lo, hi, count = 4) {
  if (!(hi > lo)) { lo -= 1; hi += 1; }
  const raw = (hi - lo) / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) || 10 * mag;
  const a = Math.floor(lo / step + 1e-9) * step, b = Math.ceil(hi / step - 1e-9) * step;
  const ticks = [];
  for (let v = a; v <= b + step * 1e-6; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return { lo: a, hi: b, ticks };
}

function logTicks(lo, hi) {
  const a = Math.pow(10, Math.floor(Math.log10(lo)));
  const b = Math.max(Math.pow(10, Math.ceil(Math.log10(hi))), 10 * a);
  const e0 = Math.round(Math.log10(a)), e1 = Math.round(Math.log10(b));
  const every = Math.max(1, Math.ceil((e1 - e0 + 1) / 5));
  const ticks = [];
  for (let e = e1; e >= e0; e -= every) ticks.push(Math.pow(10, e));
  return { lo: a, hi: b, ticks };
}

function tickLabel(v, log) {
  if (log) { const e = Math.round(Math.log10(v)); return `1e${e}`; }
  const s = fmtG(v, 4);
  return s;
}

/** data -> pixel mapping of a panel: {x(v), y(v), inv(px, py), box} */
function transform(panel, lim) {
  const [bx, by, bw, bh] = panel.bbox;
  const xl = lim.xlim, yl = lim.ylim;
  const fx = lim.xlog ? Math.log10 : (v) => v, fy = lim.ylog ? Math.log10 : (v) => v;
  const x0 = fx(xl[0]), x1 = fx(xl[1]), y0 = fy(yl[0]), y1 = fy(yl[1]);
  const clamp = (p) => Math.max(-1e6, Math.min(1e6, p));
  return {
    box: [bx, by, bw, bh],
    x: (v) => clamp(bx + (fx(v) - x0) / (x1 - x0) * bw),
    y: (v) => clamp(by + bh - (fy(v) - y0) / (y1 - y0) * bh),
    inv: (px, py) => {
      const u = x0 + (px - bx) / bw * (x1 - x0), w = y0 + (by + bh - py) / bh * (y1 - y0);
      return [lim.xlog ? Math.pow(10, u) : u, lim.ylog ? Math.pow(10, w) : w];
    },
  };
}

function chartLimits(panel, chart, layers) {
  const ylog = chart.ylog ?? panel.ylog;
  let xlo = Infinity, xhi = -Infinity, ylo = Infinity, yhi = -Infinity;
  for (const l of layers) {
    const xy = l.data;
    for (let i = 0; i < l.n; i++) {
      const x = xy[2 * i], y = xy[2 * i + 1];
      if (!Number.isFinite(x) || !Number.isFinite(y) || (ylog && y <= 0)) continue;
      xlo = Math.min(xlo, x); xhi = Math.max(xhi, x); ylo = Math.min(ylo, y); yhi = Math.max(yhi, y);
    }
  }
  const xlim = chart.xlim || panel.xlim || (xhi > xlo ? [xlo, xhi] : [0, 1]);
  let yt;
  if (chart.ylim || panel.ylim) {
    // limits given: kept exactly (as the snapshot keeps them), ticks inside them
    const yl = chart.ylim || panel.ylim;
    const t = ylog ? logTicks(yl[0], yl[1]) : niceTicks(yl[0], yl[1]);
    const eps = 1e-9 * Math.abs(yl[1] - yl[0]);
    yt = { lo: yl[0], hi: yl[1], ticks: t.ticks.filter((v) => v >= yl[0] - eps && v <= yl[1] + eps) };
  } else if (!(yhi >= ylo)) {
    yt = ylog ? logTicks(0.1, 10) : niceTicks(0, 1);
  } else if (ylog) {
    yt = logTicks(ylo, yhi);
  } else {
    if (yhi - ylo <= 1e-12 * Math.max(1, Math.abs(yhi))) { ylo -= 1; yhi += 1; }
    yt = niceTicks(ylo, yhi);
  }
  const xt = niceTicks(xlim[0], xlim[1]);
  return { xlim: [xlim[0], xlim[1]], ylim: [yt.lo, yt.hi], xlog: false, ylog, xticks: xt.ticks.filter((v) => v >= xlim[0] && v <= xlim[1]), yticks: yt.ticks };
}

function drawChartAxes(ctx, panel, chart, lim, tr) {
  const [bx, by, bw, bh] = panel.bbox;
  ctx.save();
  ctx.fillStyle = "#ffffff"; ctx.fillRect(bx, by, bw, bh);
  ctx.strokeStyle = "rgba(0,0,0,0.12)"; ctx.lineWidth = 1;
  ctx.font = `11px ${FONT}`; ctx.fillStyle = "#222";
  ctx.textAlign = "center"; ctx.textBaseline = "top";
  for (const v of lim.xticks) {
    const px = Math.round(tr.x(v)) + 0.5;
    ctx.beginPath(); ctx.moveTo(px, by); ctx.lineTo(px, by + bh); ctx.stroke();
    ctx.fillText(tickLabel(v, false), px, by + bh + 4);
  }
  ctx.textAlign = "right"; ctx.textBaseline = "middle";
  for (const v of lim.yticks) {
    const py = Math.round(tr.y(v)) + 0.5;
    ctx.beginPath(); ctx.moveTo(bx, py); ctx.lineTo(bx + bw, py); ctx.stroke();
    ctx.fillText(tickLabel(v, lim.ylog), bx - 4, py);
  }
  ctx.strokeStyle = "#000"; ctx.lineWidth = 0.8;
  ctx.strokeRect(bx + 0.5, by + 0.5, bw - 1, bh - 1);
  ctx.textAlign = "center"; ctx.textBaseline = "bottom"; ctx.font = `13px ${FONT}`;
  ctx.fillText(chart.title || panel.title || "", bx + bw / 2, by - 4);
  ctx.textBaseline = "top"; ctx.font = `12px ${FONT}`;
  ctx.fillText(panel.xlabel || "", bx + bw / 2, by + bh + 18);
  ctx.restore();
}

function markerPath(ctx, m, x, y, r) {
  ctx.beginPath();
  switch (m) {
    case "s": ctx.rect(x - r * 0.85, y - r * 0.85, 1.7 * r, 1.7 * r); break;
    case "D": ctx.moveTo(x, y - r); ctx.lineTo(x + r, y); ctx.lineTo(x, y + r); ctx.lineTo(x - r, y); ctx.closePath(); break;
    case "^": ctx.moveTo(x, y - r); ctx.lineTo(x + r, y + r * 0.8); ctx.lineTo(x - r, y + r * 0.8); ctx.closePath(); break;
    case "*":
      for (let i = 0; i < 10; i++) {
        const a = -Math.PI / 2 + i * Math.PI / 5, q = i % 2 ? r * 0.45 : r;
        if (i) ctx.lineTo(x + q * Math.cos(a), y + q * Math.sin(a)); else ctx.moveTo(x + q * Math.cos(a), y + q * Math.sin(a));
      }
      ctx.closePath(); break;
    case "X": {
      const w = r * 0.35, a = r * 0.9;
      const pts = [[0, -w], [a - w, -a], [a, -a + w], [w, 0], [a, a - w], [a - w, a], [0, w], [-a + w, a], [-a, a - w], [-w, 0], [-a, -a + w], [-a + w, -a]];
      pts.forEach(([u, v], i) => (i ? ctx.lineTo(x + u, y + v) : ctx.moveTo(x + u, y + v)));
      ctx.closePath(); break;
    }
    default: ctx.arc(x, y, r, 0, 2 * Math.PI);
  }
}

function drawMarker(ctx, st, x, y, scale = 1) {
  const r = (st.size || 6) / 2 * scale;
  markerPath(ctx, st.marker || "o", x, y, r);
  ctx.fillStyle = st.fill || st.color || "#000"; ctx.fill();
  if (st.edge) { ctx.strokeStyle = st.edge; ctx.lineWidth = st.marker === "o" && st.width ? st.width : 1; ctx.stroke(); }
}

function visibleRange(layer, step, nSteps) {
  const n = layer.n;
  if (layer.kind === "segments-per-step") {
    // step t's polyline is xy[offsets[t] .. offsets[t + 1]] (the last one past the end)
    const off = layer.off, m = off.length - 1;
    if (layer.reveal !== "at") return [0, n];
    const t = Math.min(step, m - 1);
    return t >= 0 ? [off[t], off[t + 1]] : [0, 0];
  }
  switch (layer.reveal) {
    case "upto": return [0, Math.min(n, step + 1)];
    case "at": { const k = Math.min(step, n - 1); return k >= 0 ? [k, k + 1] : [0, 0]; }
    case "end": return step >= nSteps ? [0, n] : [0, 0];
    default: return [0, n];
  }
}

function drawImageLayer(ctx, layer, tr, step) {
  const imgs = layer.imgs || [], m = imgs.length;
  if (!m) return;
  const img = imgs[layer.reveal === "all" ? m - 1 : Math.max(0, Math.min(step, m - 1))];
  if (!img || !img.complete || !img.naturalWidth) return;
  const xy = layer.data;
  const px0 = tr.x(xy[0]), py0 = tr.y(xy[1]), px1 = tr.x(xy[2]), py1 = tr.y(xy[3]);
  ctx.save();
  ctx.globalAlpha = (layer.style || {}).alpha ?? 1;
  if ((layer.style || {}).smooth === false) ctx.imageSmoothingEnabled = false;   // crisp pixels (8×8 digits)
  ctx.drawImage(img, Math.min(px0, px1), Math.min(py0, py1), Math.abs(px1 - px0), Math.abs(py1 - py0));
  ctx.restore();
}

function drawTextLayer(ctx, layer, tr, a, b) {
  const st = layer.style || {}, xy = layer.data, texts = layer.texts || [];
  const size = st.size || 11, lh = size * 1.25;
  ctx.save();
  ctx.globalAlpha = st.alpha ?? 1;
  ctx.font = `${st.weight === "bold" ? "bold " : ""}${size}px ${FONT}`;
  ctx.textAlign = st.align || "center"; ctx.textBaseline = "middle";
  for (let i = a; i < b; i++) {
    const x = xy[2 * i], y = xy[2 * i + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y) || texts[i] == null) continue;
    const lines = String(texts[i]).split("\n"), px = tr.x(x), py = tr.y(y) - (lines.length - 1) * lh / 2;
    if (st.box) {
      const w = Math.max(...lines.map((t) => ctx.measureText(t).width)) + 6, h = lines.length * lh + 2;
      const left = ctx.textAlign === "left" ? px - 3 : ctx.textAlign === "right" ? px - w + 3 : px - w / 2;
      ctx.fillStyle = st.box; ctx.fillRect(left, py - lh / 2 - 1, w, h);
    }
    ctx.fillStyle = st.color || "#111";
    lines.forEach((t, j) => ctx.fillText(t, px, py + j * lh));
  }
  ctx.restore();
}

function drawLayer(ctx, layer, tr, step, nSteps) {
  if (layer.kind === "image") { drawImageLayer(ctx, layer, tr, step); return; }
  const [a, b] = visibleRange(layer, step, nSteps);
  if (b <= a) return;
  if (layer.kind === "text") { drawTextLayer(ctx, layer, tr, a, b); return; }
  const st = layer.style || {}, xy = layer.data;
  ctx.save();
  ctx.globalAlpha = st.alpha ?? 1;
  if (layer.kind === "line" || layer.kind === "segments-per-step") {
    ctx.strokeStyle = st.color || "#000"; ctx.lineWidth = st.width || 1.5;
    ctx.lineJoin = "round"; ctx.setLineDash(st.dash || []);
    ctx.beginPath();
    let pen = false;
    for (let i = a; i < b; i++) {
      const x = xy[2 * i], y = xy[2 * i + 1];
      if (!Number.isFinite(x) || !Number.isFinite(y)) { pen = false; continue; }
      const px = tr.x(x), py = tr.y(y);
      if (pen) ctx.lineTo(px, py); else { ctx.moveTo(px, py); pen = true; }
    }
    ctx.stroke();
    if (st.marker && layer.kind === "line") {
      ctx.fillStyle = st.color || "#000";
      const r = (st.size || 3) / 2;
      for (let i = a; i < b; i++) {
        const x = xy[2 * i], y = xy[2 * i + 1];
        if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
        markerPath(ctx, st.marker, tr.x(x), tr.y(y), r); ctx.fill();
      }
    }
  } else {
    for (let i = a; i < b; i++) {
      const x = xy[2 * i], y = xy[2 * i + 1];
      if (Number.isFinite(x) && Number.isFinite(y)) drawMarker(ctx, st, tr.x(x), tr.y(y));
    }
  }
  ctx.restore();
}

function drawLegend(ctx, panel, layers) {
  const entries = [];
  for (const l of layers) {
    const label = l.style && l.style.label;
    if (l.kind === "text" || l.kind === "image") continue;
    if (label && l.n > 0 && !entries.some((e) => e.label === label)) entries.push({ label, layer: l });
  }
  if (!entries.length) return;
  const [bx, by, bw] = panel.bbox;
  ctx.save();
  ctx.font = `10px ${FONT}`;
  const w = Math.max(...entries.map((e) => ctx.measureText(e.label).width)) + 34, lh = 14;
  const x = bx + bw - w - 6, y = by + 6, h = entries.length * lh + 6;
  ctx.globalAlpha = 0.85; ctx.fillStyle = "#ffffff"; ctx.fillRect(x, y, w, h);
  ctx.globalAlpha = 1; ctx.strokeStyle = "#bbbbbb"; ctx.lineWidth = 1; ctx.strokeRect(x + 0.5, y + 0.5, w - 1, h - 1);
  entries.forEach((e, i) => {
    const cy = y + 3 + lh * i + lh / 2, st = e.layer.style;
    if (e.layer.kind !== "points") {
      ctx.strokeStyle = st.color || "#000"; ctx.lineWidth = st.width || 1.5; ctx.setLineDash(st.dash || []);
      ctx.beginPath(); ctx.moveTo(x + 5, cy); ctx.lineTo(x + 25, cy); ctx.stroke(); ctx.setLineDash([]);
    } else {
      drawMarker(ctx, st, x + 15, cy, Math.min(1, 10 / (st.size || 6)));
    }
    ctx.fillStyle = "#111"; ctx.textBaseline = "middle"; ctx.textAlign = "left";
    ctx.fillText(e.label, x + 30, cy);
  });
  ctx.restore();
}

// ---------------------------------------------------------------------------------------------
// the view: a canvas, Play/Pause, a step slider, a status line (also the canvas's text alternative)
// ---------------------------------------------------------------------------------------------
const CSS = `
.gradlib-canvas{font-family:${FONT};color:#111;max-width:100%}
.gradlib-canvas canvas{display:block;max-width:100%;height:auto;background:#fff;cursor:crosshair}
.gradlib-canvas .gc-bar{display:flex;align-items:center;gap:8px;margin:4px 0;flex-wrap:wrap}
.gradlib-canvas button{font:inherit;padding:2px 10px;border:1px solid #555;border-radius:3px;background:#f4f4f4;color:#111;cursor:pointer;min-width:5.5em}
.gradlib-canvas button:focus-visible,.gradlib-canvas input:focus-visible{outline:2px solid #1f77b4;outline-offset:2px}
.gradlib-canvas .gc-step{width:260px}
.gradlib-canvas .gc-status{margin:2px 0 4px;font-size:14px;line-height:1.35}
`;

function ensureStyle(root) {
  const doc = root.ownerDocument || document;
  if (doc.getElementById("gradlib-canvas-style")) return;
  const style = doc.createElement("style");
  style.id = "gradlib-canvas-style"; style.textContent = CSS;
  doc.head.appendChild(style);
}

let uid = 0;

export function render({ model, el }) {
  ensureStyle(el);
  const id = `gc${++uid}${Math.random().toString(36).slice(2, 7)}`;
  const root = document.createElement("div");
  root.className = "gradlib-canvas";
  const canvas = document.createElement("canvas");
  canvas.setAttribute("role", "img");
  canvas.tabIndex = 0;
  const bar = document.createElement("div"); bar.className = "gc-bar";
  const play = document.createElement("button"); play.type = "button"; play.className = "gc-play";
  play.textContent = "▶ Play"; play.setAttribute("aria-label", "Play the run step by step");
  const stepLabel = document.createElement("label"); stepLabel.htmlFor = `${id}-step`; stepLabel.textContent = "step";
  const step = document.createElement("input"); step.type = "range"; step.id = `${id}-step`; step.className = "gc-step";
  step.min = "0"; step.max = "0"; step.value = "0";
  const readout = document.createElement("output"); readout.htmlFor = `${id}-step`; readout.className = "gc-readout";
  bar.append(play, stepLabel, step, readout);
  const status = document.createElement("div"); status.className = "gc-status"; status.id = `${id}-status`;
  status.setAttribute("role", "status"); status.setAttribute("aria-live", "polite");
  canvas.setAttribute("aria-describedby", status.id);
  root.append(canvas, bar, status);
  el.appendChild(root);

  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  let scene = null, image = null, frame = { layers: [], n_steps: 0, status: "", kind: "info", charts: {} };
  let layers = [], k = 0, playing = false, pos = 0, raf = 0, transforms = {};
  const dpr = Math.max(1, Math.min(2, window.devicePixelRatio || 1));

  function setScene() {
    scene = model.get("scene") || null;
    image = null;
    if (!scene || !scene.width) return;
    canvas.width = Math.round(scene.width * dpr); canvas.height = Math.round(scene.height * dpr);
    canvas.style.width = `${scene.width}px`;
    const bytes = toBytes(scene.image);
    if (bytes.length) {
      const img = new Image();
      const url = URL.createObjectURL(new Blob([bytes], { type: "image/png" }));
      img.onload = () => { if (scene && image === img) draw(); URL.revokeObjectURL(url); };
      img.src = url;
      image = img;
    }
  }

  function setFrame() {
    frame = model.get("frame") || frame;
    root.dataset.frameAt = String(performance.now());   // when the frame arrived (for latency tests)
    root.dataset.stepMs = frame.step_ms > 0 ? String(frame.step_ms) : "";   // Play's pace, if set
    layers = (frame.layers || []).map((l) => ({ ...l, data: f64(l.xy), n: l.n ?? f64(l.xy).length / 2,
      off: l.kind === "segments-per-step" ? f64(l.offsets ?? [0, 0]) : null,
      imgs: l.kind === "image" ? decodeImages(l.images) : null }));
    const n = frame.n_steps || 0;
    step.max = String(n);
    const want = model.get("step");
    k = want == null || want < 0 || want > n ? n : want;
    stopPlay(false);
    let text = frame.status || "";
    if (frame.kind !== "error" && !layers.some((l) => l.n > 0)) text = text || "nothing to draw for these settings";
    status.textContent = text;
    status.style.color = STATUS_COLORS[frame.kind] || STATUS_COLORS.info;
    canvas.setAttribute("aria-label", `${(scene && scene.alt) || "explorer"} ${text}`.trim());
    draw();
    root.dataset.drawMs = (performance.now() - Number(root.dataset.frameAt)).toFixed(2);
  }

  // An image layer's pictures decode once per frame; the view redraws as each one arrives.
  function decodeImages(list) {
    return (list || []).map((b) => {
      const img = new Image();
      const url = URL.createObjectURL(new Blob([toBytes(b)], { type: "image/png" }));
      img.onload = () => { URL.revokeObjectURL(url); if (layers.some((l) => l.imgs && l.imgs.includes(img))) draw(); };
      img.src = url;
      return img;
    });
  }

  // What does not change with the step (the picture, chart axes, legends, an error banner) is
  // drawn once per frame into two offscreen layers; a Play step pastes them around the layers.
  let under = null, over = null, cacheKey = null;

  function layerCanvas() {
    const c = document.createElement("canvas");
    c.width = canvas.width; c.height = canvas.height;
    const g = c.getContext("2d"); g.setTransform(dpr, 0, 0, dpr, 0, 0);
    return [c, g];
  }

  function prepare() {
    const key = [scene, frame, image && image.complete];
    if (cacheKey && cacheKey.every((v, i) => v === key[i])) return;
    cacheKey = key;
    const [u, ug] = layerCanvas(), [o, og] = layerCanvas();
    ug.fillStyle = "#ffffff"; ug.fillRect(0, 0, scene.width, scene.height);
    if (image && image.complete && image.naturalWidth) ug.drawImage(image, 0, 0, scene.width, scene.height);
    transforms = {};
    for (const panel of scene.panels || []) {
      const own = layers.filter((l) => l.panel === panel.name);
      if (panel.kind === "chart") {
        const chart = (frame.charts || {})[panel.name] || {};
        const lim = chartLimits(panel, chart, own);
        transforms[panel.name] = transform(panel, lim);
        drawChartAxes(ug, panel, chart, lim, transforms[panel.name]);
      } else {
        transforms[panel.name] = transform(panel, { xlim: panel.xlim, ylim: panel.ylim, xlog: panel.xlog, ylog: panel.ylog });
      }
      og.save(); og.beginPath(); og.rect(...panel.bbox); og.clip();
      drawLegend(og, panel, own);
      og.restore();
    }
    if (frame.kind === "error" && !layers.some((l) => l.n > 0)) {
      og.save(); og.fillStyle = "rgba(255,255,255,0.85)"; og.fillRect(0, scene.height / 2 - 16, scene.width, 32);
      og.fillStyle = STATUS_COLORS.error; og.font = `13px ${FONT}`; og.textAlign = "center"; og.textBaseline = "middle";
      og.fillText("No path for these settings: the message below says why.", scene.width / 2, scene.height / 2);
      og.restore();
    }
    under = u; over = o;
  }

  function draw() {
    const n = frame.n_steps || 0;
    step.value = String(k);
    readout.textContent = `t = ${k} / ${n}`;
    if (!scene || !scene.width) return;
    prepare();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(under, 0, 0);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    for (const panel of scene.panels || []) {
      const tr = transforms[panel.name];
      ctx.save();
      ctx.beginPath(); ctx.rect(...panel.bbox); ctx.clip();
      for (const layer of layers) if (layer.panel === panel.name) drawLayer(ctx, layer, tr, k, n);
      ctx.restore();
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(over, 0, 0);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  }

  let lastStep = 0;
  function tick(now) {
    if (!playing) return;
    const n = frame.n_steps || 0;
    if (frame.step_ms > 0) {
      // a paced run (a few meaningful steps): one step each step_ms
      if (now - lastStep < frame.step_ms) { raf = requestAnimationFrame(tick); return; }
      lastStep = now; pos += 1;
    } else {
      pos += Math.max(1, n / 240);
    }
    const next = Math.min(n, Math.floor(pos));
    if (next !== k) { k = next; draw(); }
    if (k >= n) { stopPlay(true); return; }
    raf = requestAnimationFrame(tick);
  }

  function startPlay() {
    const n = frame.n_steps || 0;
    if (n <= 0) return;
    if (k >= n) { k = 0; draw(); }
    pos = k; playing = true; lastStep = performance.now();
    play.textContent = "❚❚ Pause"; play.setAttribute("aria-label", "Pause");
    raf = requestAnimationFrame(tick);
  }

  function stopPlay(sync) {
    if (raf) cancelAnimationFrame(raf);
    raf = 0;
    if (playing) { playing = false; play.textContent = "▶ Play"; play.setAttribute("aria-label", "Play the run step by step"); }
    if (sync) syncStep();
  }

  function syncStep() {
    const n = frame.n_steps || 0;
    try { model.set("step", k >= n ? -1 : k); model.save_changes(); } catch (e) { /* read-only model */ }
  }

  play.addEventListener("click", () => (playing ? stopPlay(true) : startPlay()));
  step.addEventListener("input", () => { stopPlay(false); k = Number(step.value); draw(); });
  step.addEventListener("change", () => syncStep());
  canvas.addEventListener("click", (ev) => {
    if (!scene) return;
    const rect = canvas.getBoundingClientRect();
    const px = (ev.clientX - rect.left) * scene.width / rect.width, py = (ev.clientY - rect.top) * scene.height / rect.height;
    for (const panel of scene.panels || []) {
      const [bx, by, bw, bh] = panel.bbox;
      if (panel.kind === "image" && px >= bx && px <= bx + bw && py >= by && py <= by + bh && transforms[panel.name]) {
        const [x, y] = transforms[panel.name].inv(px, py);
        model.send({ type: "click", panel: panel.name, x, y });
      }
    }
  });

  const onScene = () => { setScene(); draw(); };
  const onFrame = () => setFrame();
  const onStep = () => {
    const want = model.get("step"), n = frame.n_steps || 0;
    const next = want == null || want < 0 || want > n ? n : want;
    if (!playing && next !== k) { k = next; draw(); }
  };
  model.on("change:scene", onScene);
  model.on("change:frame", onFrame);
  model.on("change:step", onStep);
  setScene(); setFrame();
  return () => {
    stopPlay(false);
    model.off("change:scene", onScene); model.off("change:frame", onFrame); model.off("change:step", onStep);
  };
}

// ---------------------------------------------------------------------------------------------
// static pages: plain HTML controls + a tiny model, the descent math computed here
// ---------------------------------------------------------------------------------------------
/** A minimal stand-in for an anywidget model (get/set/on/off/save_changes/send). */
export function localModel(state, onSend = () => {}) {
  const handlers = {};
  return {
    get: (key) => state[key],
    set: (key, value) => { state[key] = value; (handlers[`change:${key}`] || []).forEach((h) => h()); },
    on: (ev, h) => { (handlers[ev] = handlers[ev] || []).push(h); },
    off: (ev, h) => { handlers[ev] = (handlers[ev] || []).filter((x) => x !== h); },
    save_changes: () => {},
    send: (msg) => onSend(msg),
  };
}

const LABELS = { beta: "β (momentum)", rho: "ρ (average of g²)", beta1: "β1 (mean of g)", beta2: "β2 (mean of g²)", weight_decay: "weight decay", damping: "damping" };
const HYPER = { gd: [], momentum: ["beta"], nesterov: ["beta"], adagrad: [], rmsprop: ["rho"], adam: ["beta1", "beta2"], adamw: ["beta1", "beta2", "weight_decay"], newton: ["damping"] };
const RANGES = { beta: [0, 0.99, 0.01], rho: [0, 0.999, 0.001], beta1: [0, 0.99, 0.01], beta2: [0.9, 0.9999, 0.0001], weight_decay: [0, 0.2, 0.005], damping: [0, 20, 0.1] };

/** The descent explorer without a kernel. data: {surfaces: {name: {scene, info, default_lr}},
 *  schedules: {value: label}, settings, lr_range}; fns: {name: {n, fg, h}} from gradlib.jsmath. */
export function mountStatic(el, data, fns) {
  const id = `gs${++uid}${Math.random().toString(36).slice(2, 7)}`;
  const s = { ...data.settings, hyper: { ...HYPER_DEFAULTS, ...(data.settings.hyper || {}) } };
  const { select, range, cur, show } = controlForm(el, id);
  const names = Object.keys(data.surfaces);
  const surface = select("surface", "surface", names.map((n) => [n, n]), s.surface);
  const optimizer = select("optimizer", "optimizer", OPTIMIZERS.map((n) => [n, n]), s.optimizer);
  const [lo, hi] = data.lr_range || [-5, 1];
  const pow10 = (v) => Math.pow(10, v);
  const lr = range("lr", "learning rate lr", lo, hi, 0.01, (v) => fmtG(v, 3), pow10);
  lr._set(s.lr, Math.log10(s.lr));
  const hyper = {};
  for (const key of Object.keys(RANGES)) {
    const [a, b, d] = RANGES[key];
    hyper[key] = range(key, LABELS[key], a, b, d, (v) => fmtG(v, 4));
    hyper[key]._set(s.hyper[key], s.hyper[key]);
  }
  const schedule = select("schedule", "schedule", Object.entries(data.schedules), s.schedule);
  const decay = range("decay", "decay", -4, 0, 0.05, (v) => fmtG(v, 3), pow10);
  decay._set(s.decay, Math.log10(s.decay));
  const rate = range("rate", "rate", 0.9, 1, 0.001, (v) => fmtG(v, 4));
  rate._set(s.rate, s.rate);
  const steps = range("steps", "steps", 10, 1000, 10, (v) => String(v));
  steps._set(s.steps, s.steps);
  const x0 = range("x0", "start x₀", 0, 1, 0.005, (v) => fmtF(v, 2));
  const y0 = range("y0", "start y₀", 0, 1, 0.005, (v) => fmtF(v, 2));
  const host = document.createElement("div");
  el.append(host);

  function setWindow(name, start) {
    const info = data.surfaces[name].info;
    for (const [r, lim, v] of [[x0, info.xlim, start[0]], [y0, info.ylim, start[1]]]) {
      r.min = String(lim[0]); r.max = String(lim[1]); r.step = String((lim[1] - lim[0]) / 200);
      r._set(v, v);
    }
  }
  setWindow(s.surface, s.start);

  const model = localModel({ scene: data.surfaces[s.surface].scene, frame: null, step: -1 }, (msg) => {
    if (msg.type === "click" && msg.panel === "surface") {
      x0._set(msg.x, msg.x); y0._set(msg.y, msg.y);
      update();
    }
  });

  function read() {
    const opt = optimizer.value;
    const hp = {};
    for (const key of HYPER[opt]) hp[key] = cur[key];
    return { surface: surface.value, optimizer: opt, lr: cur.lr, hyper: hp,
      schedule: schedule.value, decay: cur.decay, rate: cur.rate,
      steps: cur.steps, start: [cur.x0, cur.y0], tol: data.settings.tol ?? 1e-6 };
  }

  function update() {
    const st = read();
    for (const key of Object.keys(RANGES)) show(key, HYPER[st.optimizer].includes(key));
    show("decay", st.schedule === "inverse_time_decay");
    show("rate", st.schedule === "exponential_decay");
    let frame;
    const f = fns[st.surface];
    try {
      frame = f ? descentFrame(st, f, data.surfaces[st.surface].info)
        : errorFrame(`this page cannot compute paths on ${st.surface}: its formula has no JavaScript form`);
    } catch (err) {
      frame = errorFrame(`cannot run: ${err.message}`);
    }
    model.set("step", -1);
    model.set("frame", frame);
    el.dataset.status = frame.status;
  }

  surface.addEventListener("change", () => {
    const entry = data.surfaces[surface.value];
    model.set("scene", entry.scene);
    setWindow(surface.value, entry.info.start);
    const d = entry.default_lr && entry.default_lr[optimizer.value];
    if (d) lr._set(d, Math.log10(d));
    update();
  });
  optimizer.addEventListener("change", () => {
    const d = data.surfaces[surface.value].default_lr && data.surfaces[surface.value].default_lr[optimizer.value];
    if (d) lr._set(d, Math.log10(d));
    update();
  });
  for (const c of [lr, schedule, decay, rate, steps, x0, y0, ...Object.values(hyper)]) c.addEventListener("input", update);
  schedule.addEventListener("change", update);
  render({ model, el: host });
  update();
  return model;
}

/** A grid of labelled controls for a kernel-free explorer: {select, range, cur, show, form}.
 *  Range inputs keep the exact value in `cur[key]` until the learner moves them. */
function controlForm(el, id) {
  const form = document.createElement("div");
  form.className = "gradlib-static-controls";
  form.style.cssText = "display:grid;grid-template-columns:max-content 1fr;gap:4px 10px;align-items:center;max-width:560px;margin-bottom:6px";
  const rows = {}, cur = {};
  function row(key, label, input, readout) {
    const l = document.createElement("label"); l.htmlFor = `${id}-${key}`; l.textContent = label;
    input.id = `${id}-${key}`; input.name = key;
    const cell = document.createElement("div"); cell.style.cssText = "display:flex;gap:8px;align-items:center";
    cell.append(input);
    if (readout) { readout.htmlFor = input.id; cell.append(readout); }
    form.append(l, cell);
    rows[key] = [l, cell];
    return input;
  }
  function select(key, label, options, value) {
    const sel = document.createElement("select");
    for (const [v, text] of options) { const o = document.createElement("option"); o.value = v; o.textContent = text; sel.append(o); }
    sel.value = value;
    return row(key, label, sel);
  }
  function range(key, label, min, max, stepSize, fmt, map = (v) => v) {
    const r = document.createElement("input"); r.type = "range"; r.min = String(min); r.max = String(max); r.step = String(stepSize);
    r.style.width = "220px";
    const out = document.createElement("output");
    r._set = (exact, shown) => { cur[key] = exact; r.value = String(shown); out.textContent = fmt(exact); };
    r.addEventListener("input", () => { cur[key] = map(Number(r.value)); out.textContent = fmt(cur[key]); });
    row(key, label, r, out);
    return r;
  }
  const show = (key, on) => rows[key].forEach((e) => { e.style.display = on ? "" : "none"; });
  el.append(form);
  return { select, range, cur, show, form };
}

function runFrame(make) {
  try { return make(); } catch (err) { return errorFrame(`cannot run: ${err.message}`); }
}

/** The 1-D quadratic explorer without a kernel. data: {scene, settings: {a, lr, x0, steps}}. */
export function mountStaticQuadratic(el, data) {
  const id = `gq${++uid}${Math.random().toString(36).slice(2, 7)}`;
  const s = data.settings;
  const { range, cur } = controlForm(el, id);
  const a = range("a", "curvature a = f''", 0.5, 5, 0.05, (v) => fmtF(v, 2)); a._set(s.a, s.a);
  const lr = range("lr", "learning rate lr", 0, 2, 0.005, (v) => fmtF(v, 3)); lr._set(s.lr, s.lr);
  const steps = range("steps", "steps", 1, 60, 1, (v) => String(v)); steps._set(s.steps, s.steps);
  const host = document.createElement("div"); el.append(host);
  const model = localModel({ scene: data.scene, frame: null, step: -1 });
  function update() {
    const frame = runFrame(() => quadraticFrame({ a: cur.a, lr: cur.lr, x0: s.x0, steps: cur.steps }));
    model.set("step", -1); model.set("frame", frame); el.dataset.status = frame.status;
  }
  for (const c of [a, lr, steps]) c.addEventListener("input", update);
  render({ model, el: host });
  update();
  return model;
}

/** The optimizer race without a kernel. data: {surfaces: {name: {scene, info, default_lr}},
 *  optimizers, settings: {surface, lrs, steps, start, tol}, lr_range}; fns from gradlib.jsmath. */
export function mountStaticRace(el, data, fns) {
  const id = `gr${++uid}${Math.random().toString(36).slice(2, 7)}`;
  const s = data.settings;
  const { select, range, cur } = controlForm(el, id);
  const names = Object.keys(data.surfaces);
  const surface = select("surface", "surface", names.map((n) => [n, n]), s.surface);
  const steps = range("steps", "steps", 10, 1000, 10, (v) => String(v)); steps._set(s.steps, s.steps);
  const x0 = range("x0", "start x₀", 0, 1, 0.005, (v) => fmtF(v, 2));
  const y0 = range("y0", "start y₀", 0, 1, 0.005, (v) => fmtF(v, 2));
  const [lo, hi] = data.lr_range || [-5, 1];
  const lrs = {};
  for (const [name, value] of s.lrs) {
    lrs[name] = range(`lr_${name}`, `lr ${name}`, lo, hi, 0.01, (v) => fmtG(v, 3), (v) => Math.pow(10, v));
    lrs[name]._set(value, Math.log10(value));
  }
  function setWindow(name, start) {
    const info = data.surfaces[name].info;
    for (const [r, lim, v] of [[x0, info.xlim, start[0]], [y0, info.ylim, start[1]]]) {
      r.min = String(lim[0]); r.max = String(lim[1]); r.step = String((lim[1] - lim[0]) / 200);
      r._set(v, v);
    }
  }
  setWindow(s.surface, s.start);
  const host = document.createElement("div"); el.append(host);
  const model = localModel({ scene: data.surfaces[s.surface].scene, frame: null, step: -1 }, (msg) => {
    if (msg.type === "click" && msg.panel === "surface") { x0._set(msg.x, msg.x); y0._set(msg.y, msg.y); update(); }
  });
  function update() {
    const name = surface.value, f = fns[name];
    const st = { lrs: s.lrs.map(([n]) => [n, cur[`lr_${n}`]]), steps: cur.steps, start: [cur.x0, cur.y0], tol: s.tol };
    const frame = f ? runFrame(() => raceFrame(st, f, data.surfaces[name].info))
      : errorFrame(`this page cannot compute paths on ${name}: its formula has no JavaScript form`);
    model.set("step", -1); model.set("frame", frame); el.dataset.status = frame.status;
  }
  surface.addEventListener("change", () => {
    const entry = data.surfaces[surface.value];
    model.set("scene", entry.scene);
    setWindow(surface.value, entry.info.start);
    for (const [n] of s.lrs) { const d = entry.default_lr && entry.default_lr[n]; if (d) lrs[n]._set(d, Math.log10(d)); }
    update();
  });
  for (const c of [steps, x0, y0, ...Object.values(lrs)]) c.addEventListener("input", update);
  render({ model, el: host });
  update();
  return model;
}

/** The curvature explorer without a kernel. data: {surfaces: {name: {scene, info}}, lr_range,
 *  settings: {surface, optimizer, lr, beta, steps, start}}; fns from gradlib.jsmath. */
export function mountStaticCurvature(el, data, fns) {
  const id = `gk${++uid}${Math.random().toString(36).slice(2, 7)}`;
  const s = data.settings;
  const { select, range, cur, show } = controlForm(el, id);
  const names = Object.keys(data.surfaces);
  const surface = select("surface", "surface", names.map((n) => [n, n]), s.surface);
  const optimizer = select("optimizer", "optimizer", ["gd", "momentum", "newton"].map((n) => [n, n]), s.optimizer);
  const [lo, hi] = data.lr_range || [-5, 0];
  const lr = range("lr", "learning rate lr", lo, hi, 0.01, (v) => fmtG(v, 3), (v) => Math.pow(10, v)); lr._set(s.lr, Math.log10(s.lr));
  const beta = range("beta", "β (momentum)", 0, 0.99, 0.01, (v) => fmtF(v, 2)); beta._set(s.beta, s.beta);
  const steps = range("steps", "steps", 1, 2000, 1, (v) => String(v)); steps._set(s.steps, s.steps);
  const x0 = range("x0", "start x₀", 0, 1, 0.005, (v) => fmtF(v, 2));
  const y0 = range("y0", "start y₀", 0, 1, 0.005, (v) => fmtF(v, 2));
  function setWindow(name, start) {
    const info = data.surfaces[name].info;
    for (const [r, lim, v] of [[x0, info.xlim, start[0]], [y0, info.ylim, start[1]]]) {
      r.min = String(Math.min(lim[0], v)); r.max = String(Math.max(lim[1], v)); r.step = String((lim[1] - lim[0]) / 200);
      r._set(v, v);
    }
  }
  setWindow(s.surface, s.start);
  const host = document.createElement("div"); el.append(host);
  const model = localModel({ scene: data.surfaces[s.surface].scene, frame: null, step: -1 }, (msg) => {
    if (msg.type === "click" && msg.panel === "surface") { x0._set(msg.x, msg.x); y0._set(msg.y, msg.y); update(); }
  });
  function update() {
    const name = surface.value, f = fns[name];
    show("lr", optimizer.value !== "newton"); show("beta", optimizer.value === "momentum");
    const st = { optimizer: optimizer.value, lr: cur.lr, beta: cur.beta, steps: cur.steps, start: [cur.x0, cur.y0] };
    const frame = f ? runFrame(() => curvatureFrame(st, f, data.surfaces[name].info))
      : errorFrame(`this page cannot compute paths on ${name}: its formula has no JavaScript form`);
    model.set("step", -1); model.set("frame", frame); el.dataset.status = frame.status;
  }
  surface.addEventListener("change", () => {
    const entry = data.surfaces[surface.value];
    model.set("scene", entry.scene);
    setWindow(surface.value, entry.info.start);
    const d = entry.info.default_lr; if (d) lr._set(d, Math.log10(d));
    update();
  });
  optimizer.addEventListener("change", update);
  for (const c of [lr, beta, steps, x0, y0]) c.addEventListener("input", update);
  render({ model, el: host });
  update();
  return model;
}

// ---- momentum explorer (notebook 06) ----
// gradlib.experiments_momentum.momentum_frame, operation for operation; the rate map itself is
// the scene's picture (one per method and kappa, rendered by the kernel and embedded).
const MOM_METHODS = { momentum: "heavy-ball momentum", nesterov: "Nesterov momentum" };
const MOM_PATH = "#d62728";

/** experiments_momentum.rate_map at one (lr, beta) over the eigenvalues lam. */
export function momentumRate(lam, lr, beta, method) {
  let top = -Infinity;
  for (const l of lam) {
    let r;
    if (method === "momentum") {
      const a = (1.0 + beta) - lr * l, disc = a * a - 4.0 * beta;
      r = disc >= 0 ? (Math.abs(a) + Math.sqrt(Math.max(disc, 0.0))) / 2.0 : Math.sqrt(beta);
    } else {
      const shrink = 1.0 - lr * l, T = (1.0 + beta) * shrink, D = beta * shrink, disc = T * T - 4.0 * D;
      r = disc >= 0 ? (Math.abs(T) + Math.sqrt(Math.max(disc, 0.0))) / 2.0 : Math.sqrt(Math.max(D, 0.0));
      if (Number.isNaN(r)) r = Infinity;
    }
    top = Math.max(top, r);
  }
  return top;
}

/** experiments_momentum.optimum for eigenvalues between mu and L. */
export function momentumOptimum(mu, L, method) {
  if (method === "nesterov") {
    const root = Math.sqrt(3.0 * L / mu + 1.0);
    return { lr: 4.0 / (3.0 * L + mu), beta: (root - 2.0) / (root + 2.0), rate: 1.0 - 2.0 / root };
  }
  const root = Math.sqrt(L / mu), rate = (root - 1.0) / (root + 1.0);
  return { lr: 4.0 / (Math.sqrt(L) + Math.sqrt(mu)) ** 2, beta: rate * rate, rate };
}

function momentumLimit(lamMax, beta, method) {
  const factor = method === "momentum" ? 2.0 * (1.0 + beta) : 2.0 * (1.0 + beta) / (1.0 + 2.0 * beta);
  return factor / lamMax;
}

/** experiments_momentum.measured_rate of distances e (at least 8 of them). */
export function measuredRate(e) {
  let n = e.length;
  for (let i = 0; i < e.length; i++) if (!(e[i] > 1e-250 * e[0])) { n = i; break; }
  if (n < 8) return n === 1 ? 0.0 : Math.exp((Math.log(e[n - 1]) - Math.log(e[0])) / (n - 1));
  const w = Math.floor(n / 4), k1 = Math.floor(n / 4), k2 = n - w;
  let lo = -Infinity, hi = -Infinity;
  for (let i = k1; i < k1 + w; i++) lo = Math.max(lo, e[i]);
  for (let i = k2; i < k2 + w; i++) hi = Math.max(hi, e[i]);
  return Math.exp((Math.log(hi) - Math.log(lo)) / (k2 - k1));
}

/** experiments_momentum.momentum_describe */
export function momentumDescribe(method, kappa, lr, beta, rate, measured, path) {
  const best = momentumOptimum(1.0, kappa, method);
  const gdRate = (kappa - 1.0) / (kappa + 1.0);
  const text = `best pair for κ = ${fmtG(kappa, 3)}: lr* = ${fmtG(best.lr, 3)} together with ` +
    `β* = ${fmtF(best.beta, 2)}, ρ* = ${fmtF(best.rate, 3)} (at another lr, another β ` +
    `is best); plain GD's best ρ = ${fmtF(gdRate, 3)}`;
  if (rate >= 1) {
    const limit = momentumLimit(kappa, beta, method);
    const where = path.status === "diverged" ? `the run left the box at step ${path.steps + 1}` : `measured ${fmtF(measured, 3)}`;
    return `diverges: lr = ${fmtG(lr, 3)} is above the stability limit ${fmtG(limit, 3)} for this β ` +
      `(ρ = ${fmtF(rate, 3)} ≥ 1; ${where}). ${text}`;
  }
  const steps6 = rate > 0 ? Math.ceil(Math.log(1e-6) / Math.log(rate)) : 1;
  return `ρ = ${fmtF(rate, 3)} per step from the iteration matrix, ${fmtF(measured, 3)} ` +
    `measured on this run: the error shrinks 10⁶-fold in about ${steps6} steps. ${text}`;
}

/** experiments_momentum.momentum_frame: settings {method, kappa, lr, beta, steps}, info {H, start}
 *  (H row-major, from the kernel's quadratic_hessian) -> frame. */
export function momentumFrame(settings, info) {
  const { method, lr, beta, steps } = settings;
  const kappa = Number(settings.kappa);
  if (!(method in MOM_METHODS)) throw new Error(`method must be one of 'momentum', 'nesterov', got '${method}'`);
  const [h00, h01, h10, h11] = info.H;
  const surf = { n: 2, fg: (x, y) => {
    const u = x * h00 + y * h10, v = x * h01 + y * h11;        // x @ H
    return [0.5 * (u * x + v * y), h00 * x + h01 * y, h10 * x + h11 * y];
  } };
  const path = descend(surf, makeOptimizer(method, lr, { beta }), info.start.slice(), steps, 0.0);
  if (path.error) return errorFrame(`cannot run: ${path.error}`);
  const k = path.steps, xs = path.xs;
  const lam = [1.0, kappa];
  const rate = momentumRate(lam, lr, beta, method);
  const e = new Float64Array(k + 1);
  for (let t = 0; t <= k; t++) e[t] = Math.sqrt(xs[2 * t] * xs[2 * t] + xs[2 * t + 1] * xs[2 * t + 1]);
  const measured = e.length >= 8 ? measuredRate(e) : NaN;
  const best = momentumOptimum(1.0, kappa, method);
  const lrMax = 1.1 * (method === "momentum" ? 4.0 : 2.0) / kappa;
  const betas = linspace(0.0, 0.99, 50);
  const limit = betas.map((b) => momentumLimit(kappa, b, method));
  let top = -Infinity;
  for (let t = 0; t <= k; t++) top = Math.max(top, path.losses[t]);
  const ks = new Float64Array(k + 1), floor = new Float64Array(k + 1);
  for (let t = 0; t <= k; t++) { ks[t] = t; floor[t] = Math.max(path.losses[t], top * 1e-16); }
  const now = { marker: "o", size: 8, fill: "#ffd92f", edge: "#000000", label: "xₖ at the shown step" };
  const loss = pairs(ks, floor);
  const layers = [
    { panel: "path", kind: "line", reveal: "upto", xy: xs,
      style: { color: MOM_PATH, width: 1.1, marker: "o", size: 3, label: "path x₀, x₁, …" } },
    { panel: "path", kind: "points", reveal: "all", xy: xs.slice(0, 2),
      style: { marker: "o", size: 8, fill: "#ffffff", edge: MOM_PATH, label: "start x₀" } },
    { panel: "path", kind: "points", reveal: "at", xy: xs, style: now },
    { panel: "map", kind: "line", reveal: "all", xy: pairs(limit, betas),
      style: { color: "#000000", width: 1.0, dash: [5, 3], label: "stability limit" } },
    { panel: "map", kind: "points", reveal: "all", xy: Float64Array.of(best.lr, best.beta),
      style: { marker: "*", size: 14, fill: "#ffffff", edge: "#000000", label: "best (lr, β)" } },
    { panel: "map", kind: "points", reveal: "all", xy: Float64Array.of(2.0 / (1.0 + kappa), 0.0),
      style: { marker: "D", size: 7, fill: "#ffffff", edge: "#000000", label: "best plain GD (β = 0)" } },
    { panel: "map", kind: "points", reveal: "all", xy: Float64Array.of(Math.min(lr, lrMax), beta),
      style: { marker: rate >= 1 ? "X" : "o", size: 10, fill: MOM_PATH, edge: "#ffffff", label: "your (lr, β)" } },
    { panel: "loss", kind: "line", reveal: "upto", xy: loss, style: { color: MOM_PATH, width: 1.2, label: "f(xₖ)" } },
    { panel: "loss", kind: "points", reveal: "at", xy: loss, style: now },
  ];
  for (const l of layers) l.n = l.xy.length / 2;
  return { layers, n_steps: k, status: momentumDescribe(method, kappa, lr, beta, rate, measured, path),
    kind: rate >= 1 ? "diverged" : "info", path,
    charts: { loss: { ylog: true, xlim: [0.0, Math.max(steps, 1)], title: `f(xₖ): lr = ${fmtG(lr, 3)}, β = ${fmtF(beta, 2)}` } } };
}

/** The momentum explorer without a kernel. data: {scenes: {"method|kappa": scene},
 *  infos: {kappa: {H, start}}, kappas, methods, settings: {method, kappa, angle, lr, beta, steps}};
 *  the kappa menu offers the kappas whose rate map was rendered. */
export function mountStaticMomentum(el, data) {
  const id = `gm${++uid}${Math.random().toString(36).slice(2, 7)}`;
  const s = data.settings;
  const { select, range, cur, form } = controlForm(el, id);
  const method = select("method", "method", data.methods, s.method);
  const kappa = select("kappa", "condition number κ", data.kappas.map((k) => [k, fmtG(Number(k), 3)]), s.kappa);
  const lr = range("lr", "learning rate lr", -4, 0, 0.01, (v) => fmtG(v, 3), (v) => Math.pow(10, v)); lr._set(s.lr, Math.log10(s.lr));
  const beta = range("beta", "β (momentum)", 0, 0.99, 0.01, (v) => fmtF(v, 2)); beta._set(s.beta, s.beta);
  const steps = range("steps", "steps", 20, 500, 10, (v) => String(v)); steps._set(s.steps, s.steps);
  const button = document.createElement("button"); button.type = "button"; button.textContent = "use the best (lr, β)";
  form.append(document.createElement("span"), button);
  const host = document.createElement("div"); el.append(host);
  const sceneOf = () => data.scenes[`${method.value}|${kappa.value}`];
  const model = localModel({ scene: sceneOf(), frame: null, step: -1 });
  function update() {
    const st = { method: method.value, kappa: Number(kappa.value), lr: cur.lr, beta: cur.beta, steps: cur.steps };
    const frame = runFrame(() => momentumFrame(st, data.infos[kappa.value]));
    model.set("step", -1); model.set("frame", frame); el.dataset.status = frame.status;
  }
  function newScene() { model.set("scene", sceneOf()); update(); }
  method.addEventListener("change", newScene);
  kappa.addEventListener("change", newScene);
  button.addEventListener("click", () => {
    const best = momentumOptimum(1.0, Number(kappa.value), method.value);
    const l = Math.min(Math.max(best.lr, 1e-4), 1.0), b = Math.min(Math.max(best.beta, 0.0), 0.99);
    lr._set(l, Math.log10(l)); beta._set(b, b); update();
  });
  for (const c of [lr, beta, steps]) c.addEventListener("input", update);
  render({ model, el: host });
  update();
  return model;
}
// ---- end of the momentum explorer (notebook 06) ----

// ---- Newton explorer (notebook 05) ----
// gradlib.experiments_curvature.newton_frame, operation for operation: gradient descent,
// momentum, Newton and damped Newton from one start (descend per runner), |∇f| along each run.
const NEWTON_RUNNERS = ["gradient descent", "momentum", "Newton", "damped Newton"];
const NEWTON_COLORS = ["#0072b2", "#e69f00", "#009e73", "#cc79a7"];

// experiments_curvature._f_text: a tiny |f| carries rounding noise in its leading digits
const fText = (v) => (!(Math.abs(v) < 1e-8) ? `f = ${fmtG(v, 4)}` : "|f| < 1e-08");

const coord3 = (v) => fmtF(!(Math.abs(v) < 5e-4) ? v : 0.0, 3);   // experiments_curvature._coord

/** gradlib.experiments_curvature.newton_status */
export function newtonStatus(surf, paths) {
  const x0 = paths[0].xs;
  const parts = [`from (${fmtF(x0[0], 2)}, ${fmtF(x0[1], 2)})`];
  paths.forEach((path, i) => {
    const label = NEWTON_RUNNERS[i], k = path.steps;
    const ex = path.xs[2 * k], ey = path.xs[2 * k + 1], value = path.losses[k];
    const at = `(${coord3(ex)}, ${coord3(ey)})`;
    if (path.status === "diverged") { parts.push(`${label}: ${path.message}; last finite point ${at}, ${fText(value)}`); return; }
    let text;
    if (path.status === "converged") {
      text = `${label}: converged after ${k} steps at ${at}, ${fText(value)}`;
      const e = eigSym2(surf.h(ex, ey));
      if (Number.isFinite(e.lam[0]) && Number.isFinite(e.lam[1])) text += `, a ${eigenKind(e.lam)} of f`;
    } else {
      text = `${label}: not converged after ${k} steps (|∇f| = ${fmtG(Math.hypot(path.grads[2 * k], path.grads[2 * k + 1]), 2)}) at ${at}, ${fText(value)}`;
    }
    parts.push(text);
  });
  return parts.join(" · ");
}

/** gradlib.experiments_curvature.newton_frame: {start, steps, lr, beta, damping} -> frame.
 *  info: {minima}. */
export function newtonFrame(settings, surf, info) {
  const bad = (name, what) => errorFrame(`cannot run: ${name} must be ${what}, got ${pyRepr(settings[name])}`);
  if (!(settings.lr > 0 && Number.isFinite(settings.lr))) return bad("lr", "a finite number > 0");
  if (!(settings.beta >= 0 && settings.beta < 1)) return bad("beta", "a number in [0, 1)");
  if (!(settings.damping > 0 && Number.isFinite(settings.damping))) return bad("damping", "a finite number > 0");
  const opts = [makeOptimizer("gd", settings.lr), makeOptimizer("momentum", settings.lr, { beta: settings.beta }),
    makeOptimizer("newton", 1.0, { damping: 0.0 }), makeOptimizer("newton", 1.0, { damping: settings.damping })];
  const paths = [];
  for (const o of opts) {
    const path = descend(surf, o, settings.start, settings.steps, 1e-10);
    if (path.error) return errorFrame(`cannot run: ${path.error}`);
    paths.push(path);
  }
  const layers = [
    { panel: "surface", kind: "points", reveal: "all", xy: Float64Array.from((info.minima || []).flat()),
      style: { marker: "*", size: 13, fill: "#ffffff", edge: "#000000", label: "known minima" } },
    { panel: "surface", kind: "points", reveal: "all", xy: paths[0].xs.slice(0, 2),
      style: { marker: "o", size: 9, fill: "#ffffff", edge: "#000000", width: 2, label: "start x₀ (click to move)" } },
  ];
  paths.forEach((p, i) => {
    const label = NEWTON_RUNNERS[i], color = NEWTON_COLORS[i], k = p.steps;
    layers.push({ panel: "surface", kind: "line", reveal: "upto", xy: p.xs,
      style: { color, width: 1.3, marker: "o", size: 2, label } });
    layers.push({ panel: "surface", kind: "points", reveal: "at", xy: p.xs,
      style: { marker: "o", size: 7, fill: color, edge: "#000000", label } });
    if (p.status === "diverged") {
      layers.push({ panel: "surface", kind: "points", reveal: "end", xy: p.xs.slice(2 * k, 2 * k + 2),
        style: { marker: "X", size: 10, fill: color, edge: "#000000", label: `${label}: stopped here` } });
    }
  });
  paths.forEach((p, i) => {
    const label = NEWTON_RUNNERS[i], color = NEWTON_COLORS[i], k = p.steps;
    const curve = new Float64Array(2 * (k + 1));
    for (let t = 0; t <= k; t++) { curve[2 * t] = t; curve[2 * t + 1] = Math.max(Math.hypot(p.grads[2 * t], p.grads[2 * t + 1]), 1e-16); }
    layers.push({ panel: "grad", kind: "line", reveal: "upto", xy: curve, style: { color, width: 1.4, label } });
    layers.push({ panel: "grad", kind: "points", reveal: "at", xy: curve,
      style: { marker: "o", size: 6, fill: color, edge: "#000000", label } });
  });
  for (const l of layers) l.n = l.xy.length / 2;
  const longest = Math.max(...paths.map((p) => p.steps));
  return { layers, n_steps: longest, status: newtonStatus(surf, paths), kind: "info",
    charts: { grad: { ylog: true, title: "|∇f(xₜ)| along each run (log scale)", xlim: [0, Math.max(longest, 1)] } } };
}

/** The Newton explorer without a kernel. data: {surfaces: {name: {scene, info}},
 *  settings: {surface, start, steps, lr, beta, damping}}; fns from gradlib.jsmath. */
export function mountStaticNewton(el, data, fns) {
  const id = `gn${++uid}${Math.random().toString(36).slice(2, 7)}`;
  const s = data.settings;
  const { select, range, cur } = controlForm(el, id);
  const names = Object.keys(data.surfaces);
  const surface = select("surface", "surface", names.map((n) => [n, n]), s.surface);
  const x0 = range("x0", "start x", 0, 1, 0.005, (v) => fmtF(v, 2));
  const y0 = range("y0", "start y", 0, 1, 0.005, (v) => fmtF(v, 2));
  const lr = range("lr", "lr (GD, momentum)", -5, 0, 0.01, (v) => fmtG(v, 3), (v) => Math.pow(10, v)); lr._set(s.lr, Math.log10(s.lr));
  const damping = range("damping", "damping μ", -2, 3, 0.01, (v) => fmtG(v, 3), (v) => Math.pow(10, v)); damping._set(s.damping, Math.log10(s.damping));
  const steps = range("steps", "steps", 1, 500, 1, (v) => String(v)); steps._set(s.steps, s.steps);
  function setWindow(name, start) {
    const info = data.surfaces[name].info;
    for (const [r, lim, v] of [[x0, info.xlim, start[0]], [y0, info.ylim, start[1]]]) {
      r.min = String(Math.min(lim[0], v)); r.max = String(Math.max(lim[1], v)); r.step = String((lim[1] - lim[0]) / 200);
      r._set(v, v);
    }
  }
  setWindow(s.surface, s.start);
  const host = document.createElement("div"); el.append(host);
  const model = localModel({ scene: data.surfaces[s.surface].scene, frame: null, step: -1 }, (msg) => {
    if (msg.type === "click" && msg.panel === "surface") { x0._set(msg.x, msg.x); y0._set(msg.y, msg.y); update(); }
  });
  function update() {
    const name = surface.value, f = fns[name];
    const st = { start: [cur.x0, cur.y0], steps: cur.steps, lr: cur.lr, beta: s.beta, damping: cur.damping };
    const frame = f ? runFrame(() => newtonFrame(st, f, data.surfaces[name].info))
      : errorFrame(`this page cannot compute paths on ${name}: its formula has no JavaScript form`);
    model.set("step", -1); model.set("frame", frame); el.dataset.status = frame.status;
  }
  surface.addEventListener("change", () => {
    const entry = data.surfaces[surface.value];
    model.set("scene", entry.scene);
    setWindow(surface.value, entry.info.start);
    const d = entry.info.default_lr; if (d) lr._set(d, Math.log10(d));
    update();
  });
  for (const c of [x0, y0, lr, damping, steps]) c.addEventListener("input", update);
  render({ model, el: host });
  update();
  return model;
}
// ---- end of the Newton explorer (notebook 05) ----

// ---- precomputed grids (explorers whose math stays in the kernel: MLPs, data sets) ----
/** An explorer without a kernel from frames computed in advance (gradlib.widgets.canvas.
 *  grid_static_data). data: {controls: [{name, label, kind: "range"|"select", labels,
 *  initial}], scenes: [scene], frames: {"i|j|…": {scene, frame}}, note}. Sliders move over the
 *  values' indices (their readout is the value's label); Play and scrubbing run as live. */
export function mountStaticGrid(el, data) {
  const id = `gg${++uid}${Math.random().toString(36).slice(2, 7)}`;
  const { select, range, cur, form } = controlForm(el, id);
  const inputs = data.controls.map((c) => {
    if (c.kind === "select") {
      return select(c.name, c.label, c.labels.map((text, i) => [String(i), text]), String(c.initial));
    }
    const r = range(c.name, c.label, 0, c.labels.length - 1, 1, (i) => c.labels[i]);
    r._set(c.initial, c.initial);
    return r;
  });
  if (data.note) {
    const note = document.createElement("p");
    note.className = "gradlib-static-note";
    note.style.cssText = "grid-column:1 / span 2;margin:0;font-size:0.85em;color:#444";
    note.textContent = data.note;
    form.append(note);
  }
  const host = document.createElement("div"); el.append(host);
  const keyOf = () => data.controls.map((c, i) => (c.kind === "select" ? inputs[i].value : String(cur[c.name]))).join("|");
  const first = data.frames[keyOf()];
  const model = localModel({ scene: data.scenes[first ? first.scene : 0], frame: null, step: -1 });
  let shownScene = first ? first.scene : 0;
  function update() {
    const entry = data.frames[keyOf()];
    if (!entry) {
      const frame = errorFrame("this page has no precomputed run for these settings");
      model.set("frame", frame); el.dataset.status = frame.status; return;
    }
    if (entry.scene !== shownScene) { shownScene = entry.scene; model.set("scene", data.scenes[entry.scene]); }
    model.set("step", -1); model.set("frame", entry.frame); el.dataset.status = entry.frame.status;
  }
  inputs.forEach((input, i) => input.addEventListener(data.controls[i].kind === "select" ? "change" : "input", update));
  render({ model, el: host });
  update();
  return model;
}
// ---- end of precomputed grids ----

export default { render };
