/** The Export screen's query and mutation. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import type { ExportClient } from "../../bindings/ExportClient";
import { queryKeys } from "../../data/keys";
import { exportPreview, exportWrite } from "../../ipc";

/** What `client` would get for `names` (not fetched while nothing is selected). */
export function useExportPreview(client: ExportClient, names: string[]) {
  return useQuery({
    queryKey: queryKeys.exportPreview(client, names),
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
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.exports }),
  });
}
