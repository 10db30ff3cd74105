/** Settings: the query, saving, the theme that follows them, and the start-up report. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useLayoutEffect, useRef, useSyncExternalStore } from "react";

import type { Settings } from "../../bindings/Settings";
import { queryKeys } from "../../data/keys";
import { appReady, getSettings, saveSettings } from "../../ipc";
import { firstScreenShown, markStartup, startupMarks } from "../../lib/startup";
import { applyTheme } from "./theme";

export function useSettings() {
  return useQuery({ queryKey: queryKeys.settings, queryFn: getSettings });
}

export function useSaveSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (s: Settings) => saveSettings(s),
    onSuccess: (view) => {
      qc.setQueryData(queryKeys.settings, view);
      // The callback URLs shown elsewhere follow the port.
      void qc.invalidateQueries({ queryKey: queryKeys.callbackUrls });
    },
  });
}

/**
 * Keeps the window's theme on the saved one (also when another process changes it: every
 * query refetches on db-changed). Mount once, at the app root.
 */
export function useThemeFromSettings(): void {
  const { data } = useSettings();
  const theme = data?.effective.theme;
  useEffect(() => {
    if (theme) applyTheme(theme);
  }, [theme]);
}

let startupMs: number | null = null;
const startupListeners = new Set<() => void>();

/** Milliseconds from the app's start to its first rendered screen (null before that). */
export function startupTime(): number | null {
  return startupMs;
}

/** `startupTime()`, re-rendering when it arrives (a screen may be open before it does). */
export function useStartupTime(): number | null {
  return useSyncExternalStore((changed) => {
    startupListeners.add(changed);
    return () => startupListeners.delete(changed);
  }, startupTime);
}

/**
 * Once `rendered` is true, after the next frame is painted, tell the app its first screen
 * is up (once per page): it records the start-up time (and the benchmark waits for it).
 */
export function useReportReady(rendered: boolean): void {
  const sent = useRef(false);
  // Layout effects run as the commit lands in the DOM, before the browser paints it.
  useLayoutEffect(() => {
    markStartup("rendered");
  }, []);
  useLayoutEffect(() => {
    if (rendered) markStartup("listed");
  }, [rendered]);
  // A layout effect too: the frame asked for here is the one that paints the list. (Preact
  // runs passive effects only after a frame: asked from one, it would be the frame after.)
  useLayoutEffect(() => {
    if (!rendered || sent.current || startupMs !== null) return;
    markStartup("effects");
    const frame = requestAnimationFrame(() => {
      sent.current = true;
      markStartup("frame");
      setTimeout(() => {
        appReady({ ...startupMarks(), now: performance.now() }).then(
          (ms) => {
            startupMs = ms;
            for (const changed of startupListeners) changed();
          },
          () => {
            // Only a measurement: the app works the same without it.
          },
        );
        firstScreenShown();
      }, 0);
    });
    return () => cancelAnimationFrame(frame);
  }, [rendered]);
}
