import { useId, useMemo, useState } from "react";

import { SearchField } from "../../components/SearchField";
import { Button } from "../../components/kit";
import { useActions } from "../../data/queries";
import { navigate, useSubRoute } from "../../lib/useHashRoute";
import { ActionForm } from "../action-form/ActionForm";
import { ActionsEmpty, ActionsError } from "./ActionsStates";
import { ActionsTable, ActionsTableSkeleton } from "./ActionsTable";
import { filterActions } from "./format";

import "./ActionsScreen.css";

/** `#/actions/new` → null (add), `#/actions/NAME/edit` → NAME, anything else → undefined (list). */
export function formTarget(parts: readonly string[]): string | null | undefined {
  if (parts.length === 1 && parts[0] === "new") return null;
  if (parts.length === 2 && parts[1] === "edit") return parts[0];
  return undefined;
}

export function ActionsScreen() {
  const target = formTarget(useSubRoute());
  if (target !== undefined) {
    return <ActionForm key={target ?? ""} original={target} onClose={() => navigate("actions")} />;
  }
  return <ActionsList />;
}

function ActionsList() {
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
        <div className="screen__tools">
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
          <Button
            variant="primary"
            onClick={() => navigate("actions", "new")}
            data-testid="add-action"
          >
            <PlusIcon />
            Add Custom Action
          </Button>
        </div>
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

function PlusIcon() {
  return (
    <svg width="14" height="14" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d="M12 5v14M5 12h14" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
    </svg>
  );
}
