import { useQuery } from "@tanstack/react-query";

import { appStatus, listActions } from "../ipc";

export const queryKeys = {
  actions: ["actions"] as const,
  appStatus: ["app-status"] as const,
};

export function useActions() {
  return useQuery({ queryKey: queryKeys.actions, queryFn: listActions });
}

export function useAppStatus() {
  return useQuery({ queryKey: queryKeys.appStatus, queryFn: appStatus });
}
