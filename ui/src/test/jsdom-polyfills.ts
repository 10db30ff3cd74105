/**
 * What Radix needs from a browser that jsdom lacks (ResizeObserver for menus and
 * popovers, pointer capture for toasts and switches, scrollIntoView for menus).
 * Loaded by `test/setup.ts` for every test file.
 */
class NoopResizeObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
}

if (typeof window !== "undefined") {
  if (!("ResizeObserver" in window)) {
    Object.defineProperty(window, "ResizeObserver", {
      value: NoopResizeObserver,
      configurable: true,
      writable: true,
    });
  }
  const stubs: [string, () => unknown][] = [
    ["hasPointerCapture", () => false],
    ["setPointerCapture", () => undefined],
    ["releasePointerCapture", () => undefined],
    ["scrollIntoView", () => undefined],
  ];
  for (const [method, impl] of stubs) {
    if (!(method in Element.prototype)) {
      Object.defineProperty(Element.prototype, method, {
        value: impl,
        configurable: true,
        writable: true,
      });
    }
  }
}

export {};
