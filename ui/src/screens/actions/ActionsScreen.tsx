import { Suspense, useMemo, useState } from "react";

import { Button, ImportIcon, PlusIcon, SearchField } from "../../components/kit";
import { ListScreen, RefreshError } from "../../components/layout/ListScreen";
import { useActions } from "../../data/queries";
import { navigate, useSubRoute } from "../../lib/useHashRoute";
import { ActionsEmpty, ActionsError } from "./ActionsStates";
import { AttentionBar } from "./AttentionBar";
import { ActionsTable, ActionsTableSkeleton } from "./ActionsTable";
import { filterActions } from "./format";
import { ActionForm, ImportPanel, ImportScreen } from "./parts";

import "./ActionsScreen.css";

/** `#/actions/new` → null (add), `#/actions/NAME/edit` → NAME, anything else → undefined (list;
 * `#/actions/import` is the Import screen). */
export function formTarget(parts: readonly string[]): string | null | undefined {
  if (parts.length === 1 && parts[0] === "new") return null;
  if (parts.length === 2 && parts[1] === "edit") return parts[0];
  return undefined;
}

export function ActionsScreen() {
  const parts = useSubRoute();
  if (parts.length === 1 && parts[0] === "import") return <ImportScreen />;
  const target = formTarget(parts);
  if (target !== undefined) {
    return <ActionForm key={target ?? ""} original={target} onClose={() => navigate("actions")} />;
  }
  return <ActionsList />;
}

function ActionsList() {
  const actions = useActions();
  const [query, setQuery] = useState("");
  const all = actions.data;
  const visible = useMemo(() => (all ? filterActions(all, query) : []), [all, query]);
  const filtering = query.trim() !== "";
  // The Import card stays (with what it did) once an import started: the actions it makes
  // arrive (database change) before its answer, and the card must not go with the empty screen.
  const [keepImport, setKeepImport] = useState(false);
  const importCard = (
    <Suspense fallback={null}>
      <ImportPanel
        variant="card"
        onStart={() => setKeepImport(true)}
        onDone={() => setKeepImport(false)}
      />
    </Suspense>
  );

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
    body = (
      <div className="actions-empty-scroll">
        {importCard}
        <ActionsEmpty />
      </div>
    );
  } else if (keepImport) {
    body = (
      <div className="actions-empty-scroll">
        {importCard}
        <ActionsTable actions={visible} query={query} onClearQuery={() => setQuery("")} />
      </div>
    );
  } else {
    body = <ActionsTable actions={visible} query={query} onClearQuery={() => setQuery("")} />;
  }

  return (
    <ListScreen
      title="Actions"
      count={all && (filtering ? `${visible.length} of ${all.length}` : all.length)}
      countTestId="actions-count"
      countLive
      tools={
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
          <Button onClick={() => navigate("actions", "import")} data-testid="open-import">
            <ImportIcon size={14} />
            Import…
          </Button>
          <Button
            variant="primary"
            onClick={() => navigate("actions", "new")}
            data-testid="add-action"
          >
            <PlusIcon strokeWidth={2} />
            Add Custom Action
          </Button>
        </div>
      }
    >
      <RefreshError query={actions} />
      <div className="screen__body">
        <AttentionBar />
        {body}
      </div>
    </ListScreen>
  );
}
