/** What the action form reads besides the action itself (its own hooks; keys shared app-wide). */
import { useQuery } from "@tanstack/react-query";

import { callbackUrls, listConnections, listTokens, oauthStatus } from "../../ipc";

export const formKeys = {
  tokens: ["tokens"] as const,
  connections: ["connections"] as const,
  callbackUrls: ["callback-urls"] as const,
  oauthStatus: (name: string) => ["oauth-status", "action", name] as const,
};

export function useTokenList(enabled: boolean) {
  return useQuery({ queryKey: formKeys.tokens, queryFn: listTokens, enabled });
}

export function useConnectionList(enabled: boolean) {
  return useQuery({ queryKey: formKeys.connections, queryFn: listConnections, enabled });
}

export function useCallbackUrls(enabled: boolean) {
  return useQuery({
    queryKey: formKeys.callbackUrls,
    queryFn: callbackUrls,
    enabled,
    staleTime: Infinity,
  });
}

/** The stored sign-in of an OAuth action (only asked for an action saved with OAuth). */
export function useOAuthStatus(name: string | null, enabled: boolean) {
  return useQuery({
    queryKey: formKeys.oauthStatus(name ?? ""),
    queryFn: () => oauthStatus("action", name ?? ""),
    enabled: enabled && name !== null,
  });
}
