import { useCallback } from "react";

import { toast } from "../components/kit";
import { onSignInReturned, type SignInReturned } from "../ipc";
import { useBackendEvent } from "../lib/useBackendEvent";

/**
 * A sign-in link (`dev.patchbay.app:/oauth/callback`) reached the app, which came forward.
 * When a pending sign-in took it, the Connect that started it reports how it ended; a link
 * nothing was waiting for (an old tab, a replay) is explained here. Mount once, at the root.
 */
export function useSignInReturned(): void {
  const show = useCallback((r: SignInReturned) => {
    if (r.matched) return;
    toast({ title: r.title, description: r.message, tone: r.ok ? "success" : "error" });
  }, []);
  useBackendEvent(onSignInReturned, show, "sign-in links");
}
