import { afterEach, describe, expect, it, vi } from "vitest";

import { shortenFontStacks } from "./fontStacks";

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
