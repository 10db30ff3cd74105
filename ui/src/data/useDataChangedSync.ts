import { useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";

import { onDataChanged } from "../ipc";
import { useBackendEvent } from "../lib/useBackendEvent";

/**
 * Subscribes once to the backend's `db-changed` event and invalidates every
 * query on each event, so all screens refetch what they show. Mount once, at
 * the app root.
 */
export function useDataChangedSync(): void {
  const queryClient = useQueryClient();
  const refetchAll = useCallback(() => {
    void queryClient.invalidateQueries();
  }, [queryClient]);
  useBackendEvent<void>(onDataChanged, refetchAll, "data changes");
}
