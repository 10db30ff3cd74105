/**
 * Chart colours from the design tokens (tokens.css), read when a chart is drawn, and a hook
 * that changes when the theme does (the OS scheme, or `<html data-theme>`), so charts redraw
 * in the new palette.
 */
import { useEffect, useState } from "react";

export type ChartColors = {
  calls: string;
  callsFill: string;
  errors: string;
  p50: string;
  p95: string;
  axis: string;
  grid: string;
  font: string;
};

function token(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const v = style.getPropertyValue(name).trim();
  return v === "" ? fallback : v;
}

/** A `#rrggbb` colour at `alpha` (other colour forms come back as they are). */
export function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{6})$/i.exec(color);
  if (!m?.[1]) return color;
  const n = parseInt(m[1], 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

export function chartColors(): ChartColors {
  const s = getComputedStyle(document.documentElement);
  const accent = token(s, "--accent", "#5443e6");
  return {
    calls: accent,
    callsFill: withAlpha(accent, 0.18),
    errors: token(s, "--danger-dot", "#e5484d"),
    p50: token(s, "--info-fg", "#0b6a75"),
    p95: token(s, "--warning-icon", "#c27c00"),
    axis: token(s, "--text-muted", "#5d5d68"),
    grid: token(s, "--border", "#e6e6ea"),
    font: `${token(s, "--text-xs", "11px")} ${token(s, "--font-sans", "system-ui, sans-serif")}`,
  };
}

/** A number that changes whenever the theme may have changed. */
export function useThemeKey(): number {
  const [key, setKey] = useState(0);
  useEffect(() => {
    const bump = () => setKey((k) => k + 1);
    const media = window.matchMedia?.("(prefers-color-scheme: dark)");
    media?.addEventListener?.("change", bump);
    const observer = new MutationObserver(bump);
    observer.observe(document.documentElement, {
      attributes: true,
      attributeFilter: ["data-theme"],
    });
    return () => {
      media?.removeEventListener?.("change", bump);
      observer.disconnect();
    };
  }, []);
  return key;
}
