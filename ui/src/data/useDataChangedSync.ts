import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";

import { onDataChanged } from "../ipc";

/**
 * Subscribes once to the backend's `db-changed` event and invalidates every
 * query on each event, so all screens refetch what they show. Mount once, at
 * the app root.
 */
export function useDataChangedSync(): void {
  const queryClient = useQueryClient();

  useEffect(() => {
    let disposed = false;
    let unlisten: (() => void) | undefined;

    onDataChanged(() => {
      void queryClient.invalidateQueries();
    }).then(
      (fn) => {
        if (disposed) fn();
        else unlisten = fn;
      },
      (error: unknown) => {
        console.error("Could not subscribe to data changes", error);
      },
    );

    return () => {
      disposed = true;
      unlisten?.();
    };
  }, [queryClient]);
}
