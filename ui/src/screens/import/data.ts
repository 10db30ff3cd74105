/** The Import card's query and mutation. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import type { ImportForm } from "../../bindings/ImportForm";
import { queryKeys } from "../../data/keys";
import { importApply, importScan } from "../../ipc";

/** The dry run of every source; not asked while `enabled` is false (before the first paint). */
export function useImportScan(enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.importScan,
    queryFn: importScan,
    enabled,
    retry: false,
    // The files change outside the app only: read them again when the card opens again.
    staleTime: Infinity,
    gcTime: 0,
  });
}

/** Imports; afterwards the actions, tokens and the files are read again. */
export function useImportApply() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (form: ImportForm) => importApply(form),
    onSettled: async () => {
      await Promise.all([
        qc.invalidateQueries({ queryKey: queryKeys.actions }),
        qc.invalidateQueries({ queryKey: queryKeys.tokens }),
        qc.invalidateQueries({ queryKey: queryKeys.importScan }),
      ]);
    },
  });
}
