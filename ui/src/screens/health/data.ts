/** The Health screen's data: confirmation counts, and the Test / Test all runs. */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";

import type { Health } from "../../bindings/Health";
import type { SeriesWindow } from "../../bindings/SeriesWindow";
import { errorToast, toast } from "../../components/kit";
import { queryKeys } from "../../data/keys";
import { useTestAction } from "../../data/queries";
import { approvalCounts, healthSeries, toIpcError } from "../../ipc";
import { testResultToast } from "../../components/health/format";
import { runLimited, TEST_ALL_CONCURRENCY, testAllToast, type TestOutcome } from "./model";

/** Approved / denied / expired per action (refetched on db-changed like every query). */
export function useApprovalCounts() {
  return useQuery({ queryKey: queryKeys.approvalCounts, queryFn: approvalCounts });
}

/** Every action's calls, errors and latency per hour over `window` (the sparklines, the chart). */
export function useHealthSeries(window: SeriesWindow) {
  return useQuery({
    queryKey: queryKeys.healthSeries(window),
    queryFn: () => healthSeries(window),
    // A new hour starts a new point even when nothing was written.
    refetchInterval: 60_000,
  });
}

export type TestAllProgress = { done: number; total: number; cancelling: boolean };

/**
 * Test one action (the row's button) or all of them (at most TEST_ALL_CONCURRENCY at
 * once). `testing` holds the names whose test is running now.
 */
export function useHealthTests() {
  const qc = useQueryClient();
  const { mutateAsync } = useTestAction();
  const [testing, setTesting] = useState<ReadonlySet<string>>(() => new Set());
  const [progress, setProgress] = useState<TestAllProgress | null>(null);
  const cancelled = useRef(false);

  // Leaving the screen stops starting new tests (the running ones finish in the backend).
  useEffect(() => {
    cancelled.current = false;
    return () => {
      cancelled.current = true;
    };
  }, []);

  const run = useCallback(
    async (name: string): Promise<Health> => {
      setTesting((s) => new Set(s).add(name));
      try {
        return await mutateAsync(name);
      } finally {
        setTesting((s) => {
          const next = new Set(s);
          next.delete(name);
          return next;
        });
        // The test moved the breaker too, and this app's own writes raise no db-changed.
        void qc.invalidateQueries({ queryKey: queryKeys.actions });
      }
    },
    [mutateAsync, qc],
  );

  const testOne = useCallback(
    (name: string) => {
      run(name).then(
        (health) => toast(testResultToast(name, health)),
        (e: unknown) => toast(errorToast(`Couldn’t test ${name}`, e)),
      );
    },
    [run],
  );

  const testAll = useCallback(
    async (names: readonly string[]) => {
      cancelled.current = false;
      const total = names.length;
      const outcomes: TestOutcome[] = [];
      setProgress({ done: 0, total, cancelling: false });
      await runLimited(
        names,
        TEST_ALL_CONCURRENCY,
        async (name) => {
          try {
            outcomes.push({ name, health: await run(name) });
          } catch (e) {
            outcomes.push({ name, error: toIpcError(e).message });
          }
          setProgress((p) => p && { ...p, done: p.done + 1 });
        },
        () => cancelled.current,
      );
      setProgress(null);
      toast(testAllToast(outcomes, total, cancelled.current && outcomes.length < total));
    },
    [run],
  );

  const cancel = useCallback(() => {
    cancelled.current = true;
    setProgress((p) => p && { ...p, cancelling: true });
  }, []);

  return { testing, progress, testOne, testAll, cancel };
}
