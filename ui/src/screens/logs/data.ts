import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import type { LogEntry } from "../../bindings/LogEntry";
import type { LogQuery } from "../../bindings/LogQuery";
import { errorToast, toast } from "../../components/kit";
import { queryKeys } from "../../data/keys";
import { exportLogs, getLog, listLogs, logHistogram } from "../../ipc";
import { appendRows, followQuery, MAX_ROWS, TAIL_INTERVAL_MS } from "./model";

/**
 * The rows `query` matches, oldest first. The first fetch loads them all; every later
 * one (live tail's poll, or the refetch after `db-changed`) asks only for rows after the
 * last one loaded and appends them.
 */
export function useLogs(query: LogQuery, tail: boolean) {
  const qc = useQueryClient();
  return useQuery({
    queryKey: queryKeys.logs(query),
    queryFn: async (): Promise<LogEntry[]> => {
      const loaded = qc.getQueryData<LogEntry[]>(queryKeys.logs(query));
      if (loaded && loaded.length > 0) {
        const newer = await listLogs(followQuery(query, loaded));
        return appendRows(loaded, newer, query.limit ?? MAX_ROWS);
      }
      return listLogs(query);
    },
    refetchInterval: tail ? TAIL_INTERVAL_MS : false,
    // 100,000 rows: compared by identity, not walked (appendRows keeps the array when nothing is new).
    structuralSharing: false,
  });
}

/** The rows `query` selects per time bucket (the histogram above the list). */
export function useLogHistogram(query: LogQuery, tail: boolean) {
  return useQuery({
    queryKey: queryKeys.logHistogram(query),
    queryFn: () => logHistogram(query),
    refetchInterval: tail ? TAIL_INTERVAL_MS : false,
    // The old bars stay while new filters load (no jump to empty).
    placeholderData: (previous) => previous,
  });
}

/** The whole row for the details pane (rows never change, so it is fetched once). */
export function useLogEntry(id: number | null) {
  return useQuery({
    queryKey: queryKeys.log(id),
    queryFn: () => (id === null ? null : getLog(id)),
    enabled: id !== null,
    staleTime: Infinity,
  });
}

/**
 * Export what the filters select (whole rows, redacted as stored) as JSON lines into the
 * Downloads folder; the toast says where.
 */
export function useExportLogs() {
  return useMutation({
    mutationFn: (query: LogQuery) => exportLogs({ ...query, afterId: null, brief: null }),
    onSuccess: (r) =>
      toast({
        title: `Exported ${r.rows.toLocaleString("en-US")} ${r.rows === 1 ? "row" : "rows"}`,
        description: r.path,
        tone: "success",
      }),
    onError: (e) => toast(errorToast("Couldn’t export the logs", e)),
  });
}
