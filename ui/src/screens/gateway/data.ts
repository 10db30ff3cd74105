/** The Gateway screen's queries and changes. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import type { GatewayClientForm } from "../../bindings/GatewayClientForm";
import type { GatewayClientView } from "../../bindings/GatewayClientView";
import type { GatewayKeyForm } from "../../bindings/GatewayKeyForm";
import type { GatewayKeyView } from "../../bindings/GatewayKeyView";
import { queryKeys } from "../../data/keys";
import {
  addGatewayClient,
  addGatewayKey,
  gatewayStatus,
  listGatewayClients,
  listGatewayKeys,
  reactivateGatewayClient,
  revokeGatewayClient,
  revokeGatewayKey,
  rotateGatewayClientSecret,
  setGatewayEnabled,
} from "../../ipc";

/** How often the screen asks again while it is shown (recent clients, another process). */
export const GATEWAY_REFRESH_MS = 5_000;

/** The gateway's state and recent clients, asked again every few seconds while shown. */
export function useGateway() {
  return useQuery({
    queryKey: queryKeys.gateway,
    queryFn: gatewayStatus,
    refetchInterval: GATEWAY_REFRESH_MS,
  });
}

export function useGatewayKeys() {
  return useQuery({ queryKey: queryKeys.gatewayKeys, queryFn: listGatewayKeys });
}

/** The switch: the answer says how starting or stopping went. */
export function useSetGatewayEnabled() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (enabled: boolean) => setGatewayEnabled(enabled),
    onSuccess: (view) => {
      qc.setQueryData(queryKeys.gateway, view);
      // The Settings screen shows the switch's state too.
      void qc.invalidateQueries({ queryKey: queryKeys.settings });
    },
  });
}

export function useAddGatewayKey() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (form: GatewayKeyForm) => addGatewayKey(form),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: queryKeys.gatewayKeys });
      void qc.invalidateQueries({ queryKey: queryKeys.gateway });
    },
  });
}

export function useRevokeGatewayKey() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => revokeGatewayKey(name),
    onSuccess: (revoked) => {
      qc.setQueryData<GatewayKeyView[]>(queryKeys.gatewayKeys, (list) =>
        list?.map((k) => (k.name === revoked.name ? revoked : k)),
      );
      void qc.invalidateQueries({ queryKey: queryKeys.gateway });
    },
  });
}

export function useGatewayClients() {
  return useQuery({ queryKey: queryKeys.gatewayClients, queryFn: listGatewayClients });
}

/**
 * Making a client, and rotating a secret: the answer holds a secret shown once, so the
 * mutation cache forgets it as soon as nothing shows it (`gcTime: 0`).
 */
export function useAddGatewayClient() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (form: GatewayClientForm) => addGatewayClient(form),
    gcTime: 0,
    onSuccess: () => void qc.invalidateQueries({ queryKey: queryKeys.gatewayClients }),
  });
}

export function useRotateGatewayClientSecret() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => rotateGatewayClientSecret(name),
    gcTime: 0,
    onSuccess: () => void qc.invalidateQueries({ queryKey: queryKeys.gatewayClients }),
  });
}

/** Revoke or re-activate: the answer is the client as it is now. */
export function useSetGatewayClientRevoked() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ name, revoked }: { name: string; revoked: boolean }) =>
      revoked ? revokeGatewayClient(name) : reactivateGatewayClient(name),
    onSuccess: (now) => {
      qc.setQueryData<GatewayClientView[]>(queryKeys.gatewayClients, (list) =>
        list?.map((c) => (c.name === now.name ? now : c)),
      );
    },
  });
}
