import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import type { ActionView } from "../bindings/ActionView";
import type { Health } from "../bindings/Health";
import type { OwnerKind } from "../bindings/OwnerKind";
import {
  appStatus,
  listActions,
  oauthStatus,
  removeAction,
  setActionEnabled,
  testAction,
} from "../ipc";

export const queryKeys = {
  actions: ["actions"] as const,
  appStatus: ["app-status"] as const,
  oauthStatus: (kind: OwnerKind, name: string) => ["oauth-status", kind, name] as const,
};

export function useActions() {
  return useQuery({ queryKey: queryKeys.actions, queryFn: listActions });
}

export function useAppStatus() {
  return useQuery({ queryKey: queryKeys.appStatus, queryFn: appStatus });
}

/** Whether an OAuth action or connection is connected (only fetched when `enabled`). */
export function useOAuthStatus(kind: OwnerKind, name: string, enabled = true) {
  return useQuery({
    queryKey: queryKeys.oauthStatus(kind, name),
    queryFn: () => oauthStatus(kind, name),
    enabled,
  });
}

/** Replaces one action (by name) in the cached list. */
function patchAction(
  list: ActionView[] | undefined,
  name: string,
  patch: (a: ActionView) => ActionView,
): ActionView[] | undefined {
  return list?.map((a) => (a.name === name ? patch(a) : a));
}

/**
 * Enable/disable an action: the list shows the new state at once and goes back
 * if the backend refuses (the caller reports the error).
 */
export function useSetActionEnabled() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ name, enabled }: { name: string; enabled: boolean }) =>
      setActionEnabled(name, enabled),
    onMutate: async ({ name, enabled }) => {
      await qc.cancelQueries({ queryKey: queryKeys.actions });
      const previous = qc.getQueryData<ActionView[]>(queryKeys.actions);
      qc.setQueryData<ActionView[]>(queryKeys.actions, (list) =>
        patchAction(list, name, (a) => ({ ...a, enabled })),
      );
      return { previous };
    },
    onError: (_error, _vars, context) => {
      if (context?.previous) qc.setQueryData(queryKeys.actions, context.previous);
      void qc.invalidateQueries({ queryKey: queryKeys.actions });
    },
    // On success the cache already shows it; the backend's db-changed event refreshes the rest.
    onSuccess: (saved) => {
      qc.setQueryData<ActionView[]>(queryKeys.actions, (list) =>
        patchAction(list, saved.name, (a) => ({ ...a, enabled: saved.enabled })),
      );
    },
  });
}

/** Test Connection: the stored health comes back and replaces the row's. */
export function useTestAction() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => testAction(name),
    onSuccess: (health: Health, name) => {
      qc.setQueryData<ActionView[]>(queryKeys.actions, (list) =>
        patchAction(list, name, (a) => ({ ...a, health })),
      );
    },
  });
}

export function useRemoveAction() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => removeAction(name),
    onSuccess: (_removed, name) => {
      qc.setQueryData<ActionView[]>(queryKeys.actions, (list) =>
        list?.filter((a) => a.name !== name),
      );
      qc.removeQueries({ queryKey: queryKeys.oauthStatus("action", name) });
    },
  });
}
