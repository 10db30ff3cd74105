/** The Export screen's query and mutation. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import type { ExportClient } from "../../bindings/ExportClient";
import { exportPreview, exportWrite } from "../../ipc";

export const exportKeys = {
  all: ["export"] as const,
  preview: (client: ExportClient, names: readonly string[]) => ["export", client, names] as const,
};

/** What `client` would get for `names` (not fetched while nothing is selected). */
export function useExportPreview(client: ExportClient, names: string[]) {
  return useQuery({
    queryKey: exportKeys.preview(client, names),
    queryFn: () => exportPreview(client, names),
    enabled: names.length > 0,
  });
}

/** Writes the entries; afterwards every preview is fetched again (it now says "unchanged"). */
export function useExportWrite() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ client, names }: { client: ExportClient; names: string[] }) =>
      exportWrite(client, names),
    onSettled: () => qc.invalidateQueries({ queryKey: exportKeys.all }),
  });
}
