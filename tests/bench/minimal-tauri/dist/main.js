// Render a short list from JS, then (after the next painted frame, as Patchbay's UI
// does) tell the app it is ready: it writes PATCHBAY_READY_FILE. The marks are
// performance.now() values, for the benchmark's start-up breakdown (as Patchbay's).
const script = performance.now();
const items = ["github", "linear", "notion", "sentry", "slack"];
const list = document.getElementById("list");
for (const name of items) {
  const li = document.createElement("li");
  li.textContent = name;
  list.appendChild(li);
}
const listed = performance.now();
requestAnimationFrame(() => {
  setTimeout(() => {
    window.__TAURI__.core
      .invoke("app_ready", { marks: { script, listed, now: performance.now() } })
      .catch((e) => console.error(e));
  }, 0);
});
