import { useId, useMemo, useState } from "react";

import { Button } from "../../components/Button";
import { SearchField } from "../../components/SearchField";
import { useActions } from "../../data/queries";
import { ActionsEmpty, ActionsError } from "./ActionsStates";
import { ActionsTable, ActionsTableSkeleton } from "./ActionsTable";
import { filterActions } from "./format";

import "./ActionsScreen.css";

export function ActionsScreen() {
  const titleId = useId();
  const actions = useActions();
  const [query, setQuery] = useState("");
  const all = actions.data;
  const visible = useMemo(() => (all ? filterActions(all, query) : []), [all, query]);
  const filtering = query.trim() !== "";

  let body;
  if (actions.isPending) {
    body = <ActionsTableSkeleton />;
  } else if (actions.isError && all === undefined) {
    body = (
      <ActionsError
        error={actions.error}
        retrying={actions.isFetching}
        onRetry={() => void actions.refetch()}
      />
    );
  } else if (!all || all.length === 0) {
    body = <ActionsEmpty />;
  } else {
    body = <ActionsTable actions={visible} query={query} onClearQuery={() => setQuery("")} />;
  }

  return (
    <section className="screen" aria-labelledby={titleId}>
      <header className="screen__header">
        <div className="screen__heading">
          <h1 id={titleId} className="screen__title">
            Actions
          </h1>
          {all && (
            <span className="screen__count" aria-live="polite" data-testid="actions-count">
              {filtering ? `${visible.length} of ${all.length}` : all.length}
            </span>
          )}
        </div>
        {all && all.length > 0 && (
          <SearchField
            className="screen__search"
            label="Search actions"
            placeholder="Search name, URL or description"
            value={query}
            onValueChange={setQuery}
            data-testid="actions-search"
          />
        )}
      </header>
      {all && actions.isError && (
        <div className="inline-error" role="alert">
          <span>Couldn’t refresh: {actions.error.message}</span>
          <Button variant="ghost" size="sm" onClick={() => void actions.refetch()}>
            Retry
          </Button>
        </div>
      )}
      <div className="screen__body">{body}</div>
    </section>
  );
}
