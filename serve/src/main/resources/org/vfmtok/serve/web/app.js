// The page of `vfm serve`: plain JS, no build step, no network beyond this server.
"use strict";
const $ = (id) => document.getElementById(id);
let classNames = [];
const chosen = [];

function showError(message) {
  const e = $("error");
  e.textContent = message;
  e.hidden = !message;
}

function renderChosen() {
  const box = $("chosen");
  box.textContent = "";
  for (const c of chosen) {
    const chip = document.createElement("span");
    chip.className = "chip";
    chip.title = "click to remove";
    chip.textContent = c + " " + classNames[c] + " \u00d7";
    chip.onclick = () => { chosen.splice(chosen.indexOf(c), 1); renderChosen(); };
    box.appendChild(chip);
  }
}

function filterClasses() {
  const q = $("search").value.trim().toLowerCase();
  const list = $("classList");
  list.textContent = "";
  let shown = 0;
  for (let i = 0; i < classNames.length && shown < 200; i++) {
    if (q && !classNames[i].toLowerCase().includes(q) && String(i) !== q) continue;
    const o = document.createElement("option");
    o.value = i;
    o.textContent = i + " \u2014 " + classNames[i];
    list.appendChild(o);
    shown++;
  }
}

function addClass(i) {
  if (!chosen.includes(i)) chosen.push(i);
  renderChosen();
}

function params() {
  return {
    classes: chosen.join(","),
    per_class: $("perClass").value,
    seed: $("seed").value,
    cfg_scale: $("cfg").value,
    top_k: $("topk").value,
    top_p: $("topp").value,
    temperature: $("temperature").value,
  };
}

function figure(src, caption) {
  const f = document.createElement("figure");
  const img = document.createElement("img");
  img.src = src;
  img.alt = caption;
  const c = document.createElement("figcaption");
  c.textContent = caption;
  f.append(img, c);
  return f;
}

// Server-sent events read with fetch (not EventSource) so that a refused request's JSON error can be shown.
async function generate() {
  showError("");
  if (chosen.length === 0) { showError("choose at least one class"); return; }
  const button = $("generate"), bar = $("progress"), status = $("status"), results = $("results");
  button.disabled = true;
  bar.hidden = false;
  bar.value = 0;
  status.textContent = "queued";
  results.textContent = "";
  try {
    const res = await fetch("/v1/generate/stream?" + new URLSearchParams(params()));
    if (!res.ok) {
      let message = res.status + " " + res.statusText;
      try { message = (await res.json()).error || message; } catch (ignored) { /* not JSON */ }
      throw new Error(message);
    }
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        let name = "message", data = "";
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) name = line.slice(6).trim();
          else if (line.startsWith("data:")) data += line.slice(5).trim();
        }
        if (!data) continue;
        const payload = JSON.parse(data);
        if (name === "progress") {
          bar.max = payload.total;
          bar.value = payload.done;
          status.textContent = payload.done + " / " + payload.total + " tokens";
        } else if (name === "image") {
          results.appendChild(figure("data:image/png;base64," + payload.png_base64, payload.class + " " + payload.class_name));
        } else if (name === "done") {
          status.textContent = "done in " + Math.round(payload.timing_ms.total) + " ms";
        } else if (name === "error") {
          throw new Error(payload.error);
        }
      }
    }
  } catch (e) {
    status.textContent = "";
    showError(e.message);
  } finally {
    button.disabled = false;
    bar.hidden = true;
  }
}

async function reconstruct() {
  showError("");
  const file = $("upload").files[0];
  if (!file) { showError("choose an image file first"); return; }
  const out = $("recResult");
  out.textContent = "working...";
  try {
    const res = await fetch("/v1/reconstruct", { method: "POST", body: file, headers: { "Accept": "application/json" } });
    const body = await res.json();
    if (!res.ok) throw new Error(body.error || res.status);
    out.textContent = "";
    out.appendChild(figure("data:image/png;base64," + body.input_png_base64, "input"));
    out.appendChild(figure("data:image/png;base64," + body.png_base64,
      "PSNR " + body.psnr.toFixed(2) + " dB, SSIM " + body.ssim.toFixed(3)));
  } catch (e) {
    out.textContent = "";
    showError(e.message);
  }
}

async function init() {
  try {
    const info = await (await fetch("/v1/info")).json();
    classNames = info.classes;
    if (info.random_weights) { $("banner").textContent = info.banner; $("banner").hidden = false; }
    $("model").textContent = "model " + info.model + ": " + info.tokens + " tokens per " + info.image_size + " px image, " +
      classNames.length + " classes, batch of " + info.max_batch + " rows";
    if (!info.guidance) $("cfg").value = "1";
    filterClasses();
    addClass(classNames.length > 207 ? 207 : 0);
  } catch (e) {
    showError("cannot reach the server: " + e.message);
  }
  $("search").addEventListener("input", filterClasses);
  $("classList").addEventListener("change", (e) => addClass(Number(e.target.value)));
  $("generate").addEventListener("click", generate);
  $("reconstruct").addEventListener("click", reconstruct);
}

init();
