import { useEffect, useRef, useState, type RefObject } from "react";

import { copyText } from "../../lib/clipboard";

export type CopyState = "idle" | "copied" | "failed";

/**
 * Copy `text` to the clipboard. "copied" reverts to "idle" after 2 s; when the clipboard
 * is out of reach the element behind the returned ref gets selected for ⌘C / Ctrl+C and
 * the state is "failed".
 */
export function useCopy<T extends HTMLElement>(
  text: string,
): { state: CopyState; copy: () => Promise<void>; ref: RefObject<T | null> } {
  const [state, setState] = useState<CopyState>("idle");
  const ref = useRef<T>(null);

  useEffect(() => {
    if (state !== "copied") return;
    const t = window.setTimeout(() => setState("idle"), 2000);
    return () => window.clearTimeout(t);
  }, [state]);

  async function copy() {
    if (await copyText(text)) {
      setState("copied");
      return;
    }
    const el = ref.current;
    if (el) window.getSelection()?.selectAllChildren(el);
    setState("failed");
  }

  return { state, copy, ref };
}
