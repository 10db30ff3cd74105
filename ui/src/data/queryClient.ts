import { QueryClient } from "@tanstack/react-query";

import type { IpcError } from "../ipc";

// Every queryFn goes through ipc.ts, which only ever rejects with IpcError.
declare module "@tanstack/react-query" {
  interface Register {
    defaultError: IpcError;
  }
}

/**
 * Backend calls are local IPC: failures are deterministic (a locked vault, a
 * bad row), so retrying only delays the error. Freshness comes from the
 * `db-changed` event (see useDataChangedSync), not from polling.
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: false },
      mutations: { retry: false },
    },
  });
}
