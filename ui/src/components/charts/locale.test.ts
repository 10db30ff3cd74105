import { afterEach, describe, expect, it, vi } from "vitest";

afterEach(() => {
  // Back to jsdom's own getter.
  delete (navigator as { language?: string }).language;
});

describe("the chart's language guard", () => {
  it("replaces a language Intl refuses (LANG=C gives 'C') before uPlot loads", async () => {
    Object.defineProperty(navigator, "language", { value: "C", configurable: true });
    expect(() => new Intl.NumberFormat(navigator.language)).toThrow(RangeError);
    vi.resetModules();
    await import("./uplot");
    expect(() => new Intl.NumberFormat(navigator.language)).not.toThrow();
    expect(navigator.language).not.toBe("C");
  });

  it("leaves a usable language as it is", async () => {
    Object.defineProperty(navigator, "language", { value: "de-DE", configurable: true });
    vi.resetModules();
    await import("./locale");
    expect(navigator.language).toBe("de-DE");
  });
});
