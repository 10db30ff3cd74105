/**
 * Patchbay's component kit: Radix primitives (the `radix-ui` package) with our own styles,
 * on the design tokens in `styles/tokens.css`. Screens import controls from here only.
 */
export {};
