/**
 * Shorter font stacks where the platform font names resolve to the generic fallback anyway.
 *
 * `--font-sans` is `system-ui, sans-serif` and `--font-mono` is `ui-monospace, monospace`.
 * On a Linux desktop without the font system-ui names (GNOME's Cantarell, say) and everywhere
 * for ui-monospace (a macOS name), WebKitGTK looks the first name up in fontconfig, finds
 * nothing it may use, and only then takes the generic family. It does so once for every size
 * and weight on the screen, and each look-up costs a hundred or so fontconfig matches: on the
 * first screen that was about half of the first layout's time.
 *
 * So one line of text is measured in each stack and in its generic fallback alone, at the
 * body's size. Equal widths: the first name resolves to the fallback's font, and the stack
 * becomes the fallback alone (the same font, without the failed look-ups). Different widths
 * (San Francisco on macOS, Segoe UI on Windows, Cantarell where installed): the stack stays as
 * it is.
 *
 * The measurement itself costs those look-ups (13 ms of a 443 ms release start-up), so its
 * result is remembered (localStorage, as the theme is): a start that knows it shortens the
 * stacks at once, before the first render, and measures again once the first screen is shown
 * (off the path to the first paint), correcting the page and the remembered result if the
 * fonts changed meanwhile. Only the first start, or one after the stacks in the CSS changed,
 * measures before its first render.
 */

/** Each stack's custom property and the generic family it falls back to. */
export const FONT_STACKS = [
  ["--font-sans", "sans-serif"],
  ["--font-mono", "monospace"],
] as const;

/** Wide enough that two different fonts cannot give the same width by chance. */
const SAMPLE =
  "Patchbay: 0123456789 AaBbCcDdEeFfGgHhIiJjKkLlMmNnOoPpQqRrSsTtUuVvWwXxYyZz {}[]()/@#%&?!";

/** Where the measurement's result is kept between starts. */
const STORAGE_KEY = "patchbay.fontStacks";

/** Each stack's custom property → its value in the style sheets (`tokens.css`). */
export type Stacks = Record<string, string>;

/** A measurement: the stacks measured, and the properties found to end in their fallback. */
type Remembered = { stacks: Stacks; short: string[] };

/** The stacks as the style sheets give them (read before any are shortened on `<html>`). */
export function readStacks(doc: Document = document): Stacks {
  const styles = getComputedStyle(doc.documentElement);
  return Object.fromEntries(
    FONT_STACKS.map(([property]) => [property, styles.getPropertyValue(property).trim()]),
  );
}

function remembered(stacks: Stacks): string[] | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (raw === null) return null;
    const r = JSON.parse(raw) as Partial<Remembered>;
    const same =
      typeof r.stacks === "object" &&
      r.stacks !== null &&
      FONT_STACKS.every(([property]) => r.stacks?.[property] === stacks[property]);
    if (!same || !Array.isArray(r.short)) return null;
    return FONT_STACKS.map(([property]) => property).filter((p) => r.short?.includes(p));
  } catch {
    // No storage, or not ours: measure.
    return null;
  }
}

function remember(stacks: Stacks, short: string[]): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ stacks, short } satisfies Remembered));
  } catch {
    // No storage: the next start measures again.
  }
}

/** Set the shortened properties on `<html>` and take the override off the others. */
function apply(doc: Document, short: readonly string[]): void {
  const root = doc.documentElement;
  for (const [property, fallback] of FONT_STACKS) {
    if (short.includes(property)) root.style.setProperty(property, fallback);
    else root.style.removeProperty(property);
  }
}

/**
 * Shorten the stacks as the last measurement found, if it measured these same stacks.
 * Returns the properties shortened, or null when there is no such measurement (the caller
 * then measures before the first render).
 */
export function applyRememberedFontStacks(
  doc: Document = document,
  stacks: Stacks = readStacks(doc),
): string[] | null {
  const short = remembered(stacks);
  if (short !== null) apply(doc, short);
  return short;
}

/**
 * Measure `stacks` (by default as the style sheets give them) and, where a stack's first name
 * resolves to its fallback, set the property on `<html>` to the fallback; take it off where
 * it does not (any more). Remembers the result for the next start. Returns the properties
 * shortened. Without layout (widths of 0, as in tests) nothing changes and nothing is kept.
 */
export function shortenFontStacks(
  doc: Document = document,
  stacks: Stacks = readStacks(doc),
): string[] {
  const probe = doc.createElement("div");
  probe.setAttribute("aria-hidden", "true");
  // Off screen, out of the flow, at the body's size: the look-ups it causes are ones the
  // first screen needs anyway.
  probe.style.cssText =
    "position:absolute;left:-10000px;top:0;visibility:hidden;white-space:nowrap;" +
    "font-size:var(--text-md);font-weight:400;";
  const pairs = FONT_STACKS.map(([property, fallback]) => {
    const stack = stacks[property] ?? "";
    const span = (family: string) => {
      const s = doc.createElement("span");
      s.style.fontFamily = family;
      s.textContent = SAMPLE;
      probe.appendChild(s);
      probe.appendChild(doc.createElement("br"));
      return s;
    };
    return { property, fallback, stack, full: span(stack), alone: span(fallback) };
  });
  doc.body.appendChild(probe);
  const short: string[] = [];
  let laidOut = false;
  for (const { property, fallback, stack, full, alone } of pairs) {
    const a = full.getBoundingClientRect().width;
    const b = alone.getBoundingClientRect().width;
    if (a > 0 && b > 0) laidOut = true;
    if (stack !== "" && stack !== fallback && a > 0 && a === b) short.push(property);
  }
  probe.remove();
  if (!laidOut) return [];
  apply(doc, short);
  // Written only when it changed: the check after each first screen usually finds what
  // the last start found, and a storage write a quit can cut short is then not made.
  const before = remembered(stacks);
  if (before === null || before.join() !== short.join()) remember(stacks, short);
  return short;
}
