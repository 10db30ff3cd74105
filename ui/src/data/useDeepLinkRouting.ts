import { useCallback } from "react";

import { onDeepLink } from "../ipc";
import { screenFromDeepLink } from "../lib/deepLink";
import { useBackendEvent } from "../lib/useBackendEvent";

/** Follows `patchbay://<screen>` links to that screen. Mount once, at the app root. */
export function useDeepLinkRouting(screenIds: readonly string[]): void {
  const follow = useCallback(
    (url: string) => {
      const id = screenFromDeepLink(url, screenIds);
      if (id !== null) window.location.hash = `#/${id}`;
    },
    [screenIds],
  );
  useBackendEvent(onDeepLink, follow, "app links");
}
