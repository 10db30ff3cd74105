import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import type { ActionView } from "../bindings/ActionView";
import type { Health } from "../bindings/Health";
import type { OwnerKind } from "../bindings/OwnerKind";
import { queryKeys } from "./keys";
import {
  appStatus,
  callbackUrls,
  listIdps,
  trayHost,
  listActions,
  listConnections,
  listProviders,
  listTokens,
  oauthStatus,
  pendingApprovals,
  pendingGatewayConsents,
  removeAction,
  setActionEnabled,
  testAction,
} from "../ipc";

export function useActions() {
  return useQuery({ queryKey: queryKeys.actions, queryFn: listActions });
}

/** How often the waiting approvals and consents are asked for again (see below). */
const PENDING_POLL_MS = 2000;

/**
 * Tool calls waiting for the user's confirmation, oldest first. The backend's db-changed
 * event invalidates this at once; polling (`poll`, every 2 s) is a fallback that also moves
 * expired requests out. One observer polls (`screens/prompts.tsx`, always mounted); the
 * prompt it mounts reads the same query without a timer of its own, so the backend is not
 * asked twice as often while a prompt shows.
 */
export function usePendingApprovals(poll = true) {
  return useQuery({
    queryKey: queryKeys.pendingApprovals,
    queryFn: pendingApprovals,
    refetchInterval: poll ? PENDING_POLL_MS : false,
  });
}

/** Local apps' browser sign-ins waiting for the user's consent (as `usePendingApprovals`). */
export function usePendingConsents(poll = true) {
  return useQuery({
    queryKey: queryKeys.pendingConsents,
    queryFn: pendingGatewayConsents,
    refetchInterval: poll ? PENDING_POLL_MS : false,
  });
}

export function useAppStatus() {
  return useQuery({ queryKey: queryKeys.appStatus, queryFn: appStatus });
}

/** The provider gallery (a data file in core: it never changes while the app runs). */
export function useProviders(enabled = true) {
  return useQuery({
    queryKey: queryKeys.providers,
    queryFn: listProviders,
    staleTime: Infinity,
    enabled,
  });
}

/** Text tokens and HTTP request tokens (the Tokens screen, and the action form's picker). */
export function useTokens(enabled = true) {
  return useQuery({ queryKey: queryKeys.tokens, queryFn: listTokens, enabled });
}

/** OAuth connections (their screen, and the action form's picker). */
export function useConnections(enabled = true) {
  return useQuery({ queryKey: queryKeys.connections, queryFn: listConnections, enabled });
}

/** The redirect URIs to register with a provider (they follow the port in Settings). */
export function useCallbackUrls() {
  return useQuery({ queryKey: queryKeys.callbackUrls, queryFn: callbackUrls, staleTime: Infinity });
}

/** Whether the desktop shows a tray (asked each time Settings opens: a panel may come or go). */
export function useTrayHost() {
  return useQuery({ queryKey: queryKeys.trayHost, queryFn: trayHost, staleTime: 0 });
}

/** The enterprise identity providers (only fetched when `enabled`). */
export function useIdps(enabled = true) {
  return useQuery({ queryKey: queryKeys.idps, queryFn: listIdps, enabled });
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
