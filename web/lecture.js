// The landing page: load Pyodide from this site, preload tinybackprop, and redraw each circuit on every edit.
import { loadPyodide } from "./static/pyodide/pyodide.mjs";

const status = document.getElementById("status");
// A long circuit (the neuron) is drawn smaller to fit, down to this scale, then it scrolls.
const MIN_SCALE = 0.7;

// Four significant digits, as tinybackprop's drawing shows numbers.
function show(number) {
  return String(Number(number.toPrecision(4)));
}

// The inputs of a circuit's form as {name: number}, or the name of the first that is not a number.
function readInputs(form) {
  const numbers = {};
  for (const input of form.querySelectorAll("input")) {
    if (input.value.trim() === "" || !Number.isFinite(input.valueAsNumber)) {
      return { invalid: input.name };
    }
    numbers[input.name] = input.valueAsNumber;
  }
  return { numbers };
}

function redraw(evaluate, section) {
  const result = section.querySelector(".result");
  const { numbers, invalid } = readInputs(section.querySelector("form"));
  if (invalid) {
    result.textContent = `${invalid}: type a number`;
    result.classList.add("error");
    return;
  }
  const answer = JSON.parse(evaluate(section.dataset.circuit, JSON.stringify(numbers)));
  if (answer.error) {
    result.textContent = answer.error;
    result.classList.add("error");
    return;
  }
  result.classList.remove("error");
  result.replaceChildren();
  const f = document.createElement("span");
  f.className = "data";
  f.dataset.name = "f";
  f.textContent = `f = ${show(answer.f)}`;
  result.append(f);
  for (const [name, grad] of Object.entries(answer.grads)) {
    const g = document.createElement("span");
    g.className = "grad";
    g.dataset.name = name;
    g.textContent = `∂f/∂${name} = ${show(grad)}`;
    result.append(g);
  }
  const picture = section.querySelector(".picture");
  picture.innerHTML = answer.svg;
  fit(picture);
}

// Shrink a picture wider than its box, keeping its numbers readable (never below MIN_SCALE).
function fit(picture) {
  const svg = picture.querySelector("svg");
  if (!svg) {
    return;
  }
  const natural = Number(svg.getAttribute("width"));
  const width = Math.min(natural, Math.max(picture.clientWidth, natural * MIN_SCALE));
  svg.style.width = `${width}px`;
  svg.style.height = "auto";
}

async function main() {
  const started = performance.now();
  const pyodide = await loadPyodide({
    indexURL: new URL("static/pyodide/", location.href).href,
    lockFileURL: new URL("static/pyodide/pyodide-lock.json", location.href).href,
    packages: ["tinybackprop"],
  });
  const source = await (await fetch("lecture.py")).text();
  pyodide.FS.writeFile("/home/pyodide/lecture.py", source);
  const lecture = pyodide.pyimport("lecture");
  const evaluate = lecture.evaluate;
  for (const section of document.querySelectorAll(".circuit")) {
    section.querySelector("form").addEventListener("input", () => redraw(evaluate, section));
    section.querySelector("form").addEventListener("submit", (event) => event.preventDefault());
    redraw(evaluate, section);
  }
  addEventListener("resize", () => document.querySelectorAll(".picture").forEach(fit));
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  status.textContent = `Python (Pyodide ${pyodide.version}) and tinybackprop are ready (${seconds} s). Edit any input.`;
  status.dataset.ready = "true";
}

main().catch((error) => {
  status.textContent = `Python could not start here: ${error.message}`;
  status.classList.add("error");
});
