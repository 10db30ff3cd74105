/**
 * What Radix needs from a browser that jsdom lacks (ResizeObserver for menus and
 * popovers, pointer capture for toasts and switches, scrollIntoView for menus, matchMedia
 * for uPlot, which reads the pixel ratio when it loads: a light screen at ratio 1).
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
  if (typeof window.matchMedia !== "function") {
    const matchMedia = (query: string) => ({
      matches: false,
      media: query,
      onchange: null,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
      addListener: () => undefined,
      removeListener: () => undefined,
      dispatchEvent: () => false,
    });
    for (const target of [window, globalThis]) {
      Object.defineProperty(target, "matchMedia", {
        value: matchMedia,
        configurable: true,
        writable: true,
      });
    }
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
