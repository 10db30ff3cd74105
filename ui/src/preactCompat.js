// What `react` resolves to (vite.config.ts): Preact's compat layer, with one change. (Plain
// JavaScript: the app's types stay React's, and TypeScript cannot re-export `export =`.)
//
// Preact's `useId` counts per render root, and a root rendered again starts over: two
// checkboxes in a dialog then both got "P0-0", and a label's `for` found another element.
// React's ids are unique in the document; so are these (the app renders only in the browser,
// so they need not match a server's).
import compat, { useState } from "preact/compat";

export * from "preact/compat";

let next = 0;

/** @returns {string} an id no other element in the document has */
export function useId() {
  const [id] = useState(() => `:p${(next++).toString(36)}:`);
  return id;
}

export default { ...compat, useId };
