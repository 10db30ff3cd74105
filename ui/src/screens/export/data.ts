/** The Export screen's query and mutation. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import type { ExportClient } from "../../bindings/ExportClient";
import type { ExportVia } from "../../bindings/ExportVia";
import { queryKeys } from "../../data/keys";
import { exportPreview, exportWrite } from "../../ipc";

/**
 * What `client` would get for `names` through `via` (empty `names` through the gateway: the
 * one `/mcp` entry); not fetched while `enabled` is false (nothing selected).
 */
export function useExportPreview(
  client: ExportClient,
  via: ExportVia,
  names: string[],
  enabled: boolean,
) {
  return useQuery({
    queryKey: queryKeys.exportPreview(client, via, names),
    queryFn: () => exportPreview(client, names, via),
    enabled,
  });
}

/** Writes the entries; afterwards every preview is fetched again (it now says "unchanged"). */
export function useExportWrite() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({
      client,
      names,
      via,
    }: {
      client: ExportClient;
      names: string[];
      via: ExportVia;
    }) => exportWrite(client, names, via),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.exports }),
  });
}
