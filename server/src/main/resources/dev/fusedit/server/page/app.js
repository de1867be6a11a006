// The page's one job: send the form as a streamed generation request, show its progress events,
// and add each finished image to the gallery. No libraries: everything comes from the server's jar.
"use strict";

const $ = (id) => document.getElementById(id);

fetch("/v1/models").then((r) => r.json()).then((m) => {
  const model = m.data[0];
  $("model").textContent = model.id + " · " + model.default_size;
  $("guidance").value = model.default_guidance;
}).catch(() => {});

$("form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = { prompt: $("prompt").value, n: Number($("n").value), stream: true,
                 steps: Number($("steps").value), guidance: Number($("guidance").value) };
  if ($("seed").value !== "") body.seed = Number($("seed").value);
  $("generate").disabled = true;
  setStatus("sending…");
  $("progress").value = 0;
  try {
    const response = await fetch("/v1/images/generations", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    if (!response.ok) {
      const error = await response.json().catch(() => ({ error: { message: response.statusText } }));
      throw new Error(error.error.message);
    }
    await readEvents(response, (name, data) => onEvent(name, data, body.prompt));
  } catch (e) {
    setStatus(e.message, true);
  } finally {
    $("generate").disabled = false;
  }
});

function onEvent(name, data, prompt) {
  if (name === "queued") {
    setStatus(data.requests_ahead > 0 ? "queued behind " + data.requests_ahead + " request(s)" : "starting…");
  } else if (name === "progress") {
    const fraction = (data.images_done * data.steps + data.step) / (data.images * data.steps);
    $("progress").value = Math.min(1, fraction);
    setStatus("step " + data.step + " of " + data.steps + " · about " + Math.ceil(data.eta_seconds) + " s left");
  } else if (name === "image_generation.completed") {
    addImage(data, prompt);
  } else if (name === "done") {
    $("progress").value = 1;
    setStatus("done · " + data.size + ", " + data.steps + " steps, guidance " + data.guidance);
  } else if (name === "error") {
    setStatus(data.error.message, true);
  }
}

function addImage(data, prompt) {
  const src = "data:image/png;base64," + data.b64_json;
  const figure = document.createElement("figure");
  const img = document.createElement("img");
  img.src = src;
  img.alt = prompt;
  const caption = document.createElement("figcaption");
  const link = document.createElement("a");
  link.href = src;
  link.download = "fusedit-" + data.seed + ".png";
  link.textContent = "download";
  caption.append(prompt + " · seed " + data.seed + " · ", link);
  figure.append(img, caption);
  $("gallery").prepend(figure);
}

function setStatus(text, isError) {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "muted";
}

// Server-Sent Events from a POST response (EventSource only does GET): split on blank lines.
async function readEvents(response, handle) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = "message", data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) name = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      if (data) handle(name, JSON.parse(data));
    }
  }
}
