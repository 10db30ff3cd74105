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
 * So before the first render, one line of text is measured in each stack and in its generic
 * fallback alone, at the body's size. Equal widths: the first name resolves to the fallback's
 * font, and the stack becomes the fallback alone (the same font, without the failed look-ups).
 * Different widths (San Francisco on macOS, Segoe UI on Windows, Cantarell where installed):
 * the stack stays as it is.
 */

/** Each stack's custom property and the generic family it falls back to. */
export const FONT_STACKS = [
  ["--font-sans", "sans-serif"],
  ["--font-mono", "monospace"],
] as const;

/** Wide enough that two different fonts cannot give the same width by chance. */
const SAMPLE =
  "Patchbay: 0123456789 AaBbCcDdEeFfGgHhIiJjKkLlMmNnOoPpQqRrSsTtUuVvWwXxYyZz {}[]()/@#%&?!";

/**
 * Measure and, where a stack's first name resolves to its fallback, set the property on
 * `<html>` to the fallback. Returns the properties changed. Without layout (widths of 0, as in
 * tests) nothing changes.
 */
export function shortenFontStacks(doc: Document = document): string[] {
  const root = doc.documentElement;
  const styles = getComputedStyle(root);
  const probe = doc.createElement("div");
  probe.setAttribute("aria-hidden", "true");
  // Off screen, out of the flow, at the body's size: the look-ups it causes are ones the
  // first screen needs anyway.
  probe.style.cssText =
    "position:absolute;left:-10000px;top:0;visibility:hidden;white-space:nowrap;" +
    "font-size:var(--text-md);font-weight:400;";
  const pairs = FONT_STACKS.map(([property, fallback]) => {
    const stack = styles.getPropertyValue(property).trim();
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
  const changed: string[] = [];
  for (const { property, fallback, stack, full, alone } of pairs) {
    const a = full.getBoundingClientRect().width;
    const b = alone.getBoundingClientRect().width;
    if (stack !== "" && stack !== fallback && a > 0 && a === b) {
      root.style.setProperty(property, fallback);
      changed.push(property);
    }
  }
  probe.remove();
  return changed;
}
