/**
 * The window's theme: `<html data-theme="light|dark">` forces one, no attribute follows the
 * OS (styles/tokens.css). The last theme is remembered in localStorage so the next start
 * paints in it before the backend answers.
 */
import type { Theme } from "../../bindings/Theme";

const STORAGE_KEY = "patchbay.theme";

export function applyTheme(theme: Theme, remember = true): void {
  const root = document.documentElement;
  if (theme === "system") delete root.dataset.theme;
  else root.dataset.theme = theme;
  if (remember) {
    try {
      localStorage.setItem(STORAGE_KEY, theme);
    } catch {
      // Storage may be unavailable; the backend's answer applies the theme anyway.
    }
  }
}

/** Apply the remembered theme (before the first render). */
export function applyRememberedTheme(): void {
  try {
    const t = localStorage.getItem(STORAGE_KEY);
    if (t === "light" || t === "dark" || t === "system") applyTheme(t, false);
  } catch {
    // No storage: the OS theme until the settings load.
  }
}
