import { afterEach, describe, expect, it, vi } from "vitest";

import { applyRememberedFontStacks, readStacks, shortenFontStacks } from "./fontStacks";

/** Give each probe line a width by its font-family (jsdom lays nothing out). */
function widths(byFamily: Record<string, number>) {
  return vi.spyOn(HTMLElement.prototype, "getBoundingClientRect").mockImplementation(function (
    this: HTMLElement,
  ) {
    const width = byFamily[this.style.fontFamily] ?? 0;
    return { width, height: 10, x: 0, y: 0, top: 0, left: 0, right: width, bottom: 10 } as DOMRect;
  });
}

const root = document.documentElement;

afterEach(() => {
  root.removeAttribute("style");
  document.head.innerHTML = "";
  localStorage.clear();
});

function tokens() {
  const style = document.createElement("style");
  style.textContent =
    ":root { --font-sans: system-ui, sans-serif; --font-mono: ui-monospace, monospace; --text-md: 13px; }";
  document.head.appendChild(style);
}

describe("shortenFontStacks", () => {
  it("drops a first name that ends in the generic family anyway", () => {
    tokens();
    widths({
      "system-ui, sans-serif": 512.5,
      "sans-serif": 512.5,
      "ui-monospace, monospace": 700,
      monospace: 700,
    });
    expect(shortenFontStacks()).toEqual(["--font-sans", "--font-mono"]);
    expect(root.style.getPropertyValue("--font-sans")).toBe("sans-serif");
    expect(root.style.getPropertyValue("--font-mono")).toBe("monospace");
    // The probe is gone again.
    expect(document.body.childElementCount).toBe(0);
  });

  it("keeps a stack whose first name is a font of its own", () => {
    tokens();
    // system-ui is another font (San Francisco, Segoe UI, Cantarell); ui-monospace is not.
    widths({
      "system-ui, sans-serif": 498.25,
      "sans-serif": 512.5,
      "ui-monospace, monospace": 700,
      monospace: 700,
    });
    expect(shortenFontStacks()).toEqual(["--font-mono"]);
    expect(root.style.getPropertyValue("--font-sans")).toBe("");
  });

  it("changes nothing without layout", () => {
    tokens();
    widths({});
    expect(shortenFontStacks()).toEqual([]);
    expect(root.getAttribute("style")).toBeNull();
  });
});

describe("the remembered measurement", () => {
  const same = {
    "system-ui, sans-serif": 512.5,
    "sans-serif": 512.5,
    "ui-monospace, monospace": 700,
    monospace: 700,
  };

  it("is used by the next start at once, without measuring", () => {
    tokens();
    widths(same);
    expect(applyRememberedFontStacks()).toBeNull();
    shortenFontStacks();
    root.removeAttribute("style");

    // The next start: nothing lays out (widths of 0), yet the stacks are shortened.
    widths({});
    expect(applyRememberedFontStacks()).toEqual(["--font-sans", "--font-mono"]);
    expect(root.style.getPropertyValue("--font-sans")).toBe("sans-serif");
    expect(root.style.getPropertyValue("--font-mono")).toBe("monospace");
  });

  it("is not used once the stacks in the style sheets changed", () => {
    tokens();
    widths(same);
    shortenFontStacks();
    root.removeAttribute("style");
    document.head.innerHTML = "";

    const style = document.createElement("style");
    style.textContent =
      ":root { --font-sans: Inter, sans-serif; --font-mono: ui-monospace, monospace; }";
    document.head.appendChild(style);
    expect(applyRememberedFontStacks()).toBeNull();
    expect(root.getAttribute("style")).toBeNull();
  });

  it("is corrected when the fonts changed: the check after the first screen puts the stack back", () => {
    tokens();
    widths(same);
    const stacks = readStacks();
    shortenFontStacks(document, stacks);
    expect(applyRememberedFontStacks(document, stacks)).toEqual(["--font-sans", "--font-mono"]);

    // A font for system-ui was installed: measured again (with the stacks of the style
    // sheets, not the shortened ones on <html>), --font-sans goes back to the full stack.
    widths({ ...same, "system-ui, sans-serif": 498.25 });
    expect(shortenFontStacks(document, stacks)).toEqual(["--font-mono"]);
    expect(root.style.getPropertyValue("--font-sans")).toBe("");
    expect(getComputedStyle(root).getPropertyValue("--font-sans").trim()).toBe(
      "system-ui, sans-serif",
    );
    expect(applyRememberedFontStacks(document, stacks)).toEqual(["--font-mono"]);
  });

  it("is written again only when a measurement finds something else", () => {
    tokens();
    widths(same);
    const stacks = readStacks();
    const setItem = vi.spyOn(Storage.prototype, "setItem");
    shortenFontStacks(document, stacks);
    expect(setItem).toHaveBeenCalledTimes(1);
    shortenFontStacks(document, stacks);
    expect(setItem).toHaveBeenCalledTimes(1);
    widths({ ...same, "system-ui, sans-serif": 498.25 });
    shortenFontStacks(document, stacks);
    expect(setItem).toHaveBeenCalledTimes(2);
    expect(applyRememberedFontStacks(document, stacks)).toEqual(["--font-mono"]);
  });

  it("is not kept from a measurement without layout", () => {
    tokens();
    widths({});
    shortenFontStacks();
    expect(applyRememberedFontStacks()).toBeNull();
  });
});
