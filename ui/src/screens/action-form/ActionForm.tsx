import { useState, useSyncExternalStore } from "react";

import type { ActionView } from "../../bindings/ActionView";
import { BackIcon, Button, EmptyState, ErrorNotice, Spinner } from "../../components/kit";
import { useActions, useProviders } from "../../data/queries";
import type { Provider } from "../../bindings/Provider";
import { fromProvider } from "./model";
import { ActionFormBody } from "./ActionFormBody";

import "./ActionForm.css";

/**
 * Add (`original` null) or edit the action named `original`: a full page inside the Actions
 * screen. Editing waits for the actions list, then keeps the action it found (a rename or a
 * refresh underneath never resets what is being typed).
 */
export function ActionForm(props: { original: string | null; onClose: () => void }) {
  const { original, onClose } = props;
  const actions = useActions();
  const [loaded, setLoaded] = useState<ActionView | null>(null);

  const prefill = useProviderPrefill(original === null);
  if (original === null) {
    if (prefill === "loading") {
      return (
        <div className="action-form__state" data-testid="action-form-loading">
          <Spinner label="Loading the provider…" size={20} />
        </div>
      );
    }
    return (
      <ActionFormBody
        view={null}
        onClose={onClose}
        initial={prefill ? fromProvider(prefill) : undefined}
        provider={prefill ?? undefined}
      />
    );
  }

  const found = loaded ?? actions.data?.find((a) => a.name === original) ?? null;
  if (found !== null) {
    if (loaded === null) setLoaded(found);
    return <ActionFormBody key={found.id} view={found} onClose={onClose} />;
  }

  let content;
  if (actions.isPending) {
    content = (
      <div className="action-form__state" data-testid="action-form-loading">
        <Spinner label={`Loading ${original}…`} size={20} />
      </div>
    );
  } else if (actions.isError && actions.data === undefined) {
    content = (
      <ErrorNotice
        error={actions.error}
        title={`Couldn’t load ${original}`}
        onRetry={() => void actions.refetch()}
        retrying={actions.isFetching}
      />
    );
  } else {
    content = (
      <EmptyState
        testId="action-not-found"
        title={`No action named ${original}`}
        description="It may have been removed or renamed elsewhere (for example from the CLI)."
        action={
          <Button variant="primary" onClick={onClose}>
            Back to actions
          </Button>
        }
      />
    );
  }

  return (
    <section
      className="screen action-form"
      data-testid="action-form"
      aria-label={`Edit ${original}`}
    >
      <header className="action-form__header">
        <div className="action-form__column">
          <Button variant="ghost" size="sm" onClick={onClose} data-testid="action-form-back">
            <BackIcon />
            Actions
          </Button>
          <h1 className="screen__title">Edit {original}</h1>
        </div>
      </header>
      <div className="action-form__scroll">
        <div className="action-form__column">{content}</div>
      </div>
    </section>
  );
}

function subscribeHash(onChange: () => void): () => void {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}

/** `?provider=ID` of the route, if any. */
export function providerParam(hash: string): string | null {
  const q = hash.indexOf("?");
  return q < 0 ? null : new URLSearchParams(hash.slice(q + 1)).get("provider");
}

/** The gallery entry of `#/actions/new?provider=ID` (null: none or unknown). */
function useProviderPrefill(adding: boolean): Provider | null | "loading" {
  const hash = useSyncExternalStore(
    subscribeHash,
    () => window.location.hash,
    () => "",
  );
  const id = adding ? providerParam(hash) : null;
  const providers = useProviders(id !== null);
  if (id === null) return null;
  if (providers.isPending) return "loading";
  return providers.data?.find((x) => x.id === id) ?? null;
}
