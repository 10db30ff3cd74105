/** A connection's sign-in in the system browser, from its row or its dialog. */
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useRef, useState } from "react";

import type { GrantView } from "../../bindings/GrantView";
import { queryKeys } from "../../data/keys";
import { cancelConnect, connect, toIpcError, type IpcError } from "../../ipc";

export type SignIn =
  | { phase: "idle" }
  | { phase: "waiting"; name: string }
  | { phase: "connected"; name: string; grant: GrantView }
  | { phase: "failed"; name: string; error: IpcError };

/**
 * Connect a connection in the system browser: `waiting` until the sign-in comes back,
 * then `connected` or `failed` (a cancel goes back to `idle`). Other work in the window
 * goes on meanwhile; `cancel` stops the wait.
 */
export function useSignIn() {
  const queryClient = useQueryClient();
  const [state, setState] = useState<SignIn>({ phase: "idle" });
  const run = useRef(0);
  const waitingFor = useRef<string | null>(null);

  const start = useCallback(
    async (name: string): Promise<GrantView | null> => {
      const id = ++run.current;
      waitingFor.current = name;
      setState({ phase: "waiting", name });
      try {
        const grant = await connect("connection", name);
        queryClient.setQueryData(queryKeys.oauthStatus("connection", name), grant);
        if (run.current === id) setState({ phase: "connected", name, grant });
        return grant;
      } catch (e) {
        const error = toIpcError(e);
        if (run.current === id) {
          setState(
            error.code === "cancelled" ? { phase: "idle" } : { phase: "failed", name, error },
          );
        }
        return null;
      } finally {
        if (run.current === id) waitingFor.current = null;
        void queryClient.invalidateQueries({ queryKey: queryKeys.oauthStatus("connection", name) });
      }
    },
    [queryClient],
  );

  const cancel = useCallback(async () => {
    const name = waitingFor.current;
    run.current += 1;
    waitingFor.current = null;
    setState({ phase: "idle" });
    if (name !== null) {
      try {
        await cancelConnect("connection", name);
      } catch {
        // Nothing was waiting any more: the sign-in already ended.
      }
    }
  }, []);

  const reset = useCallback(() => {
    run.current += 1;
    setState({ phase: "idle" });
  }, []);

  return { state, start, cancel, reset };
}
