import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";

import { ErrorNotice } from "./ErrorNotice";
import { LoadingRow } from "./LoadingRow";

type Options = {
  /** Plural noun for the messages: "connections" → "Loading connections…". */
  noun: string;
  /** `data-testid` of the error notice. */
  errorTestId: string;
  /** Shown when the list loaded and is empty. */
  empty: ReactNode;
};

/**
 * What a list screen shows instead of its list: loading, an error with Retry (only when
 * nothing was loaded before), or its empty state. `null` when there is a list to show.
 */
export function listState<T>(
  query: UseQueryResult<T[]>,
  { noun, errorTestId, empty }: Options,
): ReactNode | null {
  if (query.isPending) {
    return <LoadingRow>Loading {noun}…</LoadingRow>;
  }
  if (query.isError && query.data === undefined) {
    return (
      <ErrorNotice
        error={query.error}
        title={`Couldn’t load ${noun}`}
        onRetry={() => void query.refetch()}
        retrying={query.isFetching}
        testId={errorTestId}
      />
    );
  }
  if (!query.data || query.data.length === 0) return empty;
  return null;
}
