/** The Gateway screen's queries and changes. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import type { GatewayKeyForm } from "../../bindings/GatewayKeyForm";
import type { GatewayKeyView } from "../../bindings/GatewayKeyView";
import { queryKeys } from "../../data/keys";
import {
  addGatewayKey,
  gatewayStatus,
  listGatewayKeys,
  revokeGatewayKey,
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
