// descend explore: the page draws; every number comes from the server (descend itself).
// window.explorer holds the page's state for scripts and tests.
"use strict";

const explorer = window.explorer = {
  iteration: 0, loss: null, diverged: false, running: false, message: "",
  result: null, overlay: null, example: null, request: null, pathDrawn: 0,
};
const $ = (id) => document.getElementById(id);
const PALETTE = ["#440154", "#482475", "#414487", "#355f8d", "#2a788e", "#21918c", "#22a884",
                 "#44bf70", "#7ad151", "#bddf26", "#fde725", "#fde725", "#fde725", "#fde725"];
let datasets = {}, uploaded = null, timer = null, pending = null;

// -- talking to the server -------------------------------------------------------------
async function post(path, body) {
  const answer = await fetch(path, {method: "POST", headers: {"Content-Type": "application/json"},
                                    body: JSON.stringify(body)});
  const data = await answer.json();
  if (!answer.ok) throw new Error(data.error || `the server answered ${answer.status}`);
  return data;
}

// The slider is a share of 2/L on a log scale, 1/1000 to 10: the server turns it into a
// rate with its own L, so the rate shown is always the rate run.
function shareFromSlider() { return Math.pow(10, -3 + 4 * Number($("learning-rate").value) / 1000); }

function sliderFor(rate) {
  const r = explorer.result.rates.two_over_L;
  return 1000 * (Math.log10(rate / r) + 3) / 4;
}

function numberOrNull(id) { const v = $(id).value.trim(); return v === "" ? null : Number(v); }

function request() {
  const ds = $("dataset").value;
  const features = [$("feature-1").value, $("feature-2").value].filter((f) => f);
  const fixedRate = !$("auto-rate").checked && ["gd", "nesterov", "sgd"].includes($("solver").value);
  const req = {
    dataset: ds, model: $("model").value, solver: $("solver").value,
    standardize: $("standardize").checked, alpha: numberOrNull("alpha") ?? 0,
    batch_size: numberOrNull("batch-size"), max_iter: numberOrNull("max-iter"),
  };
  if (fixedRate && explorer.result) req.rate_share = shareFromSlider(); else req.learning_rate = "auto";
  if (ds !== "upload" || features.length) req.features = features;
  if (ds === "upload") {
    req.csv = uploaded; req.target = $("target").value;
    if (explorer.freshUpload) { req.fresh = true; delete req.model; }
  }
  return req;
}

async function fetchRun() {
  const req = request();
  explorer.request = req;
  $("status").textContent = "computing...";
  try {
    const result = await post("/api/run", req);
    if (explorer.request !== req) return;            // a newer request is on its way
    const first = !explorer.result;
    explorer.result = result;
    explorer.freshUpload = false;
    $("model").value = result.model;
    if (explorer.overlay && (explorer.overlay.dataset !== result.dataset || explorer.overlay.model !== result.model ||
        explorer.overlay.data.features.join() !== result.data.features.join())) explorer.overlay = null;
    explorer.iteration = 0;
    explorer.diverged = false;
    explorer.message = "";
    $("message").textContent = "";
    if (first && req.learning_rate === "auto") $("learning-rate").value = sliderFor(result.rates.one_over_L);
    $("status").textContent = `${result.iterations} iterations of ${result.solver}`;
    const notes = [];
    const rate = result.learning_rate_used, stable = result.rates.stable;
    if (rate !== "auto" && stable && rate > stable && !result.diverged) {
      notes.push(`this rate is above ${fmt(stable)}, the largest sure to be stable (the solver's bound from L); ` +
                 "it may still converge where the loss curves less than L (the log-loss away from its optimum)");
    }
    if (result.warnings.length) notes.push("the fit warned: " + result.warnings.join(" "));
    $("notes").textContent = notes.join("\n");
    placeMarks();
    draw();
  } catch (error) {
    explorer.message = error.message;
    $("message").textContent = error.message;
    $("status").textContent = "";
  }
}

function refit() {                                     // debounced: sliders fire many events
  clearTimeout(pending);
  pending = setTimeout(async () => {
    const wasRunning = explorer.running;
    stop();
    await fetchRun();
    if (wasRunning) start();
  }, 120);
}

// -- the animation ---------------------------------------------------------------------
function last() { return explorer.result ? explorer.result.path.length - 1 : 0; }

function advance() {
  if (!explorer.result) return;
  if (explorer.iteration < last()) explorer.iteration += 1;
  if (explorer.iteration >= last()) stop();
  draw();
}

function start() {
  if (!explorer.result) return;
  if (explorer.iteration >= last()) explorer.iteration = 0;
  explorer.running = true;
  clearInterval(timer);
  timer = setInterval(advance, 1000 / Number($("speed").value));
}

function stop() { explorer.running = false; clearInterval(timer); }

// -- drawing ---------------------------------------------------------------------------
function frame(canvas, x0, x1, y0, y1, logY, xName, yName) {
  const ctx = canvas.getContext("2d"), w = canvas.width, h = canvas.height, m = 42;
  ctx.clearRect(0, 0, w, h);
  ctx.fillStyle = "#222"; ctx.font = "12px sans-serif";
  if (xName) ctx.fillText(xName, w / 2 - 20, h - 6);
  if (yName) { ctx.save(); ctx.translate(12, h / 2 + 20); ctx.rotate(-Math.PI / 2); ctx.fillText(yName, 0, 0); ctx.restore(); }
  const ty = (y) => logY ? Math.log10(y) : y;
  const Y0 = ty(y0), Y1 = ty(y1);
  const px = (x) => m + (x - x0) / (x1 - x0 || 1) * (w - m - 10);
  const py = (y) => h - m + 10 - (ty(y) - Y0) / (Y1 - Y0 || 1) * (h - m - 10);
  ctx.strokeStyle = "#888"; ctx.strokeRect(m, 10, w - m - 10, h - m - 10);
  ctx.fillStyle = "#444"; ctx.font = "11px sans-serif";
  ctx.textAlign = "left"; ctx.fillText(fmt(x0), px(x0), h - m + 24);     // x ticks below the box,
  ctx.textAlign = "right"; ctx.fillText(fmt(x1), px(x1), h - m + 24);    // within its width
  ctx.fillText(fmt(y0), m - 3, py(y0)); ctx.fillText(fmt(y1), m - 3, py(y1) + 9);   // y ticks at its left
  ctx.textAlign = "left";
  return {ctx, px, py};
}

function fmt(v) { return v === null || v === undefined ? "-" : Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : (+v.toPrecision(4)).toString(); }

function polyline(ctx, points, px, py) {
  ctx.beginPath();
  let on = false;
  for (const p of points) {
    if (!p || p.some((v) => v === null)) { on = false; continue; }
    if (on) ctx.lineTo(px(p[0]), py(p[1])); else ctx.moveTo(px(p[0]), py(p[1]));
    on = true;
  }
  ctx.stroke();
}

function surfacePoint(result, row) {            // (w, b) for one feature, (w1, w2) for two
  return [row[0], row[1]];
}

function drawSurface() {
  const res = explorer.result, s = res.surface, [x0, x1, y0, y1] = s.extent;
  const {ctx, px, py} = frame($("surface"), x0, x1, y0, y1, false, s.params[0], s.params[1]);
  ctx.save(); ctx.beginPath(); ctx.rect(42, 10, $("surface").width - 52, $("surface").height - 52); ctx.clip();
  s.contours.forEach((c, k) => { ctx.strokeStyle = PALETTE[k]; ctx.lineWidth = 1; for (const line of c.lines) polyline(ctx, line, px, py); });
  for (const [run, color, width] of [[explorer.overlay, "rgba(120,120,120,0.8)", 1.5], [res, "#d62728", 2]]) {
    if (!run) continue;
    const k = run === res ? explorer.iteration : run.path.length - 1;
    const pts = run.path.slice(0, k + 1).map((r) => surfacePoint(run, r));
    ctx.strokeStyle = color; ctx.lineWidth = width; polyline(ctx, pts, px, py);
    ctx.fillStyle = color;
    for (const p of pts) if (p[0] !== null) { ctx.beginPath(); ctx.arc(px(p[0]), py(p[1]), 2.5, 0, 7); ctx.fill(); }
    if (run === res) explorer.pathDrawn = pts.length;
  }
  if (res.optimum) {
    const o = res.data.features.length === 1 ? [res.optimum.coef[0], res.optimum.intercept] : res.optimum.coef;
    ctx.fillStyle = "gold"; ctx.strokeStyle = "#000"; ctx.beginPath(); ctx.arc(px(o[0]), py(o[1]), 6, 0, 7); ctx.fill(); ctx.stroke();
  }
  ctx.restore();
  const names = s.params;
  $("surface-caption").textContent = `loss J over (${names[0]}, ${names[1]})` +
    (s.fixed_intercept !== null ? `, b fixed at ${fmt(s.fixed_intercept)}` : "") + "; gold: the optimum";
}

function drawLoss() {
  const res = explorer.result, useGap = res.gap !== null;
  const series = (run) => (useGap && run.gap ? run.gap : run.loss).map((v) => v !== null && v > 0 ? v : null);
  const runs = [explorer.overlay, res].filter((r) => r);
  const all = runs.flatMap(series).filter((v) => v !== null && isFinite(v));
  if (!all.length) return;
  const lo = Math.max(Math.min(...all), 1e-16), hi = Math.max(...all) * 1.5;
  const n = Math.max(...runs.map((r) => r.loss.length)) - 1;
  const {ctx, px, py} = frame($("loss"), 0, Math.max(n, 1), lo, hi, true, "iteration", useGap ? "J - J*" : "J");
  for (const run of runs) {
    const k = run === res ? explorer.iteration : run.loss.length - 1;
    ctx.strokeStyle = run === res ? "#1f77b4" : "rgba(120,120,120,0.8)"; ctx.lineWidth = 2;
    polyline(ctx, series(run).slice(0, k + 1).map((v, i) => v === null ? null : [i, Math.min(Math.max(v, lo), hi)]), px, py);
  }
  $("loss-caption").textContent = useGap ? "J - J* (log scale) per iteration" : "J (log scale) per iteration: no finite optimum";
}

function drawData() {
  const res = explorer.result, d = res.data, one = d.features.length === 1;
  const xs = d.x.map((r) => r[0]), ys = one ? d.y : d.x.map((r) => r[1]);
  const pad = (a) => { const lo = Math.min(...a), hi = Math.max(...a), m = (hi - lo) * 0.05 || 1; return [lo - m, hi + m]; };
  const [x0, x1] = pad(xs), [y0, y1] = pad(one && res.model === "logistic" ? [0, 1] : ys);
  const {ctx, px, py} = frame($("data"), x0, x1, y0, y1, false, d.features[0],
                              one ? d.target : d.features[1]);
  const ylo = Math.min(...d.y), yhi = Math.max(...d.y);
  d.x.forEach((row, j) => {
    const value = d.y[j];
    ctx.fillStyle = res.model === "logistic" ? (value > 0.5 ? "#1f77b4" : "#ff7f0e") : PALETTE[Math.round(9 * (value - ylo) / ((yhi - ylo) || 1))];
    if (one) ctx.fillStyle = "#1f77b4";
    ctx.beginPath(); ctx.arc(px(xs[j]), py(ys[j]), j === explorer.exampleRow ? 5 : 2.5, 0, 7); ctx.fill();
  });
  ctx.save(); ctx.beginPath(); ctx.rect(42, 10, $("data").width - 52, $("data").height - 52); ctx.clip();
  const fit = res.fit[Math.min(explorer.iteration, res.fit.length - 1)];
  if (fit) { ctx.strokeStyle = "#d62728"; ctx.lineWidth = 2; polyline(ctx, fit, px, py); }
  ctx.restore();
  explorer.dataScale = {px, py, xs, ys};
}

function draw() {
  const res = explorer.result;
  if (!res) return;
  const k = explorer.iteration;
  explorer.loss = res.loss[k];
  if (res.diverged && k >= Math.min(res.runaway, last())) {
    explorer.diverged = true;
    explorer.message = res.message;
    $("message").textContent = `The descent flies off: ${res.message}`;
  }
  drawSurface(); drawLoss(); drawData();
  $("status").textContent = `iteration ${k} of ${last()}, loss ${fmt(explorer.loss)}` +
    (res.gap && res.gap[k] !== null ? `, J - J* ${fmt(res.gap[k])}` : "");
  if (explorer.example !== null && !explorer.running) showExample();
}

// -- one example through the chain rule --------------------------------------------------
async function showExample() {
  const res = explorer.result;
  const k = Math.min(explorer.iteration, res.path.length - 1);
  try {
    const e = await post("/api/example", {run: explorer.request, iteration: k, index: explorer.example});
    const v = (a) => "(" + a.map(fmt).join(", ") + ")";
    const logistic = res.model === "logistic";
    const lines = [
      `example ${e.index} at iteration ${e.iteration}: x = ${v(e.x)}, y = ${fmt(e.y)}`,
      `z = w . x + b = ${fmt(e.z)}`,
      logistic ? `a = sigma(z) = ${fmt(e.a)}` : `a = z = ${fmt(e.a)}`,
      `delta = a - y = ${fmt(e.delta)}`,
      `dL/da = ${fmt(e.dL_da)}   da/dz = ${fmt(e.da_dz)}`,
      ...e.dz_dw.map((x, j) => `dL/dw${j + 1} = dL/da . da/dz . dz/dw${j + 1} = ${fmt(e.dL_da)} . ${fmt(e.da_dz)} . ${fmt(x)} = ${fmt(e.dL_dw[j])}`),
      "",
      `the whole set: J = ${fmt(e.loss)}, gradient (w..., b) = ${v(e.gradient)}`,
      e.after ? `the update (step ${fmt(e.learning_rate)}${e.standardized ? ", taken on the standardized parameters" : ": w - step . gradient"}): ${v(e.before)} -> ${v(e.after)}` : "the last iterate",
    ];
    $("formulas").textContent = lines.join("\n");
  } catch (error) { $("formulas").textContent = error.message; }
}

function pick(event) {
  const s = explorer.dataScale;
  if (!s) return;
  const r = $("data").getBoundingClientRect();
  const mx = (event.clientX - r.left) * $("data").width / r.width, my = (event.clientY - r.top) * $("data").height / r.height;
  let best = 0, bestD = Infinity;
  s.xs.forEach((x, j) => { const d = (s.px(x) - mx) ** 2 + (s.py(s.ys[j]) - my) ** 2; if (d < bestD) { best = j; bestD = d; } });
  explorer.exampleRow = best;
  explorer.example = explorer.result.data.index[best];
  draw(); showExample();
}

// -- the controls --------------------------------------------------------------------------
function placeMarks() {
  const rates = explorer.result.rates;
  for (const [id, rate] of [["mark-1", rates.one_over_L], ["mark-2", rates.two_over_L]]) {
    $(id).style.left = `${sliderFor(rate) / 10}%`;
  }
  const used = explorer.result.learning_rate_used;
  $("rate-value").textContent = used === "auto" ? "auto" : fmt(used);
  if (used !== "auto") $("learning-rate").value = sliderFor(used);
}

function fillFeatures() {
  const info = datasets[$("dataset").value];
  $("upload-row").hidden = $("dataset").value !== "upload";
  if ($("dataset").value === "upload") {
    for (const id of ["feature-1", "feature-2"]) $(id).disabled = false;
    return fillUploadFeatures();
  }
  const columns = $("dataset").value === "upload" ? (explorer.uploadColumns || []) : info.columns;
  for (const [id, k] of [["feature-1", 0], ["feature-2", 1]]) {
    const sel = $(id);
    sel.innerHTML = (k === 1 ? "<option value=''>(none)</option>" : "") + columns.map((c) => `<option>${c}</option>`).join("");
    sel.value = info.features[k] || (k === 0 && columns[0]) || "";
    sel.disabled = ["blobs", "moons", "circles", "xor", "line"].includes($("dataset").value);
  }
  if (info.model) $("model").value = info.model;
}

function fillUploadFeatures() {                    // the columns other than the target
  const others = (explorer.uploadColumns || []).filter((c) => c !== $("target").value);
  $("feature-1").innerHTML = others.map((c) => `<option>${c}</option>`).join("");
  $("feature-2").innerHTML = "<option value=''>(none)</option>" + others.map((c) => `<option>${c}</option>`).join("");
  $("feature-1").value = others[0] || "";
  $("feature-2").value = "";
}

async function init() {
  datasets = await (await fetch("/api/datasets")).json();
  $("dataset").innerHTML = Object.keys(datasets).map((d) => `<option>${d}</option>`).join("");
  fillFeatures();
  $("dataset").addEventListener("change", () => { fillFeatures(); explorer.example = null; refit(); });
  for (const id of ["feature-1", "feature-2", "model", "solver", "standardize", "alpha", "batch-size", "max-iter", "target", "auto-rate"]) {
    $(id).addEventListener("change", refit);
  }
  $("learning-rate").addEventListener("input", () => {
    $("auto-rate").checked = false;
    if (explorer.result) $("rate-value").textContent = fmt(shareFromSlider() * explorer.result.rates.two_over_L);
    refit();
  });
  $("target").addEventListener("change", fillUploadFeatures);
  $("run").addEventListener("click", start);
  $("pause").addEventListener("click", stop);
  $("step").addEventListener("click", () => { stop(); advance(); });
  $("reset").addEventListener("click", () => { stop(); explorer.iteration = 0; explorer.diverged = false; $("message").textContent = ""; draw(); });
  $("overlay").addEventListener("click", () => { explorer.overlay = explorer.result; draw(); });
  $("speed").addEventListener("input", () => { if (explorer.running) start(); });
  $("data").addEventListener("click", pick);
  $("upload").addEventListener("change", async () => {
    const file = $("upload").files[0];
    if (!file) return;
    if (file.size > datasets.upload.max_bytes) {
      $("message").textContent = `${file.name} is ${file.size} bytes; the explorer takes files up to ${datasets.upload.max_bytes}.`;
      return;
    }
    uploaded = await file.text();
    try {
      const header = (await post("/api/columns", {csv: uploaded})).columns;   // read as descend reads files
      explorer.uploadColumns = header;
      $("target").innerHTML = header.map((c) => `<option>${c}</option>`).join("");
      $("target").value = header[header.length - 1];
      fillUploadFeatures();
      explorer.freshUpload = true;
      refit();
    } catch (error) { $("message").textContent = error.message; }
  });
  await fetchRun();
}

init();
