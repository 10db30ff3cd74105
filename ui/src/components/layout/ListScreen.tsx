/**
 * The frame of the list screens (Actions, OAuth Connections, Tokens, Health): a titled
 * header with the count and the screen's buttons, over its body. The `.screen*` styles are
 * global (styles/screen.css); the list rows of Connections and Tokens are here.
 */
import type { UseQueryResult } from "@tanstack/react-query";
import { useId, type ReactNode } from "react";

import type { IpcError } from "../../ipc";
import { Button, ErrorNotice } from "../kit";

import "./ListScreen.css";

type Props = {
  title: ReactNode;
  testId?: string;
  /** Next to the title (once there is something to count). */
  count?: ReactNode;
  countTestId?: string;
  /** Announce changes of the count (a search narrows it). */
  countLive?: boolean;
  /** The header's right side: the screen's buttons. */
  tools?: ReactNode;
  children: ReactNode;
};

export function ListScreen({
  title,
  testId,
  count,
  countTestId,
  countLive,
  tools,
  children,
}: Props) {
  const titleId = useId();
  return (
    <section className="screen" aria-labelledby={titleId} data-testid={testId}>
      <header className="screen__header">
        <div className="screen__heading">
          <h1 id={titleId} className="screen__title">
            {title}
          </h1>
          {count !== undefined && (
            <span
              className="screen__count"
              aria-live={countLive ? "polite" : undefined}
              data-testid={countTestId}
            >
              {count}
            </span>
          )}
        </div>
        {tools}
      </header>
      {children}
    </section>
  );
}

/** A list that loaded before but failed to refresh: a line with Retry above it. */
export function RefreshError({ query }: { query: UseQueryResult<unknown> }) {
  if (query.data === undefined || !query.isError) return null;
  return (
    <div className="inline-error" role="alert">
      <span>Couldn’t refresh: {query.error.message}</span>
      <Button variant="ghost" size="sm" onClick={() => void query.refetch()}>
        Retry
      </Button>
    </div>
  );
}

/** Why the last change to an item failed, with what to do about it. */
export type ListNotice = { title: string; error: IpcError; details?: ReactNode };

/**
 * The scrolling body of a list of cards (Connections, Tokens): a failed refresh, the last
 * failed change (dismissible), then the content.
 */
export function ListBody({
  query,
  notice,
  noticeTestId,
  onDismissNotice,
  children,
}: {
  query: UseQueryResult<unknown>;
  notice: ListNotice | null;
  noticeTestId: string;
  onDismissNotice: () => void;
  children: ReactNode;
}) {
  return (
    <div className="conn-scroll">
      {query.data !== undefined && query.isError && (
        <ErrorNotice
          error={query.error}
          title="Couldn’t refresh the list"
          onRetry={() => void query.refetch()}
          retrying={query.isFetching}
        />
      )}
      {notice && (
        <ErrorNotice error={notice.error} title={notice.title} testId={noticeTestId}>
          {notice.details}
          <Button size="sm" variant="ghost" onClick={onDismissNotice}>
            Dismiss
          </Button>
        </ErrorNotice>
      )}
      {children}
    </div>
  );
}
