/**
 * uPlot formats numbers with `new Intl.NumberFormat(navigator.language)` as it loads; under
 * `LANG=C` WebKit reports the language "C", which Intl refuses (RangeError), and the chart
 * module fails to load. Such a language is replaced (for this page) by one Intl takes.
 * Imported before uPlot (see `./uplot.ts`).
 */
function usable(tag: string): boolean {
  try {
    new Intl.NumberFormat(tag);
    return true;
  } catch {
    return false;
  }
}

if (typeof navigator !== "undefined" && !usable(navigator.language)) {
  const fallback = (navigator.languages ?? []).find(usable) ?? "en-US";
  Object.defineProperty(navigator, "language", { value: fallback, configurable: true });
}

export {};
