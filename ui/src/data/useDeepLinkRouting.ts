import { useEffect } from "react";

import { onDeepLink } from "../ipc";
import { screenFromDeepLink } from "../lib/deepLink";

/** Follows `patchbay://<screen>` links to that screen. Mount once, at the app root. */
export function useDeepLinkRouting(screenIds: readonly string[]): void {
  useEffect(() => {
    let disposed = false;
    let unlisten: (() => void) | undefined;
    onDeepLink((url) => {
      const id = screenFromDeepLink(url, screenIds);
      if (id !== null) window.location.hash = `#/${id}`;
    }).then(
      (fn) => {
        if (disposed) fn();
        else unlisten = fn;
      },
      (error: unknown) => {
        console.error("Could not subscribe to app links", error);
      },
    );
    return () => {
      disposed = true;
      unlisten?.();
    };
  }, [screenIds]);
}
