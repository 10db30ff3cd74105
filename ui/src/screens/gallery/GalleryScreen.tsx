import { useId, useMemo, useState } from "react";

import type { Provider } from "../../bindings/Provider";
import { Badge, Button, EmptyState, ErrorNotice, SearchField, Spinner } from "../../components/kit";
import { useCallbackUrls, useProviders } from "../../data/queries";
import { addRoute, filterProviders, flowLabel } from "./model";

import "./GalleryScreen.css";

/** Well-known remote MCP servers; "Add" opens the Add form pre-filled from the entry. */
export function GalleryScreen() {
  const titleId = useId();
  const providers = useProviders();
  const [query, setQuery] = useState("");
  const visible = useMemo(
    () => filterProviders(providers.data ?? [], query),
    [providers.data, query],
  );

  let body;
  if (providers.isPending) {
    body = <Spinner label="Loading the gallery…" size={20} />;
  } else if (providers.isError) {
    body = (
      <ErrorNotice
        error={providers.error}
        title="Couldn’t load the gallery"
        onRetry={() => void providers.refetch()}
        retrying={providers.isFetching}
      />
    );
  } else if (visible.length === 0) {
    body = (
      <EmptyState
        title={`No provider matches “${query.trim()}”`}
        description="Try another name, or add a custom action from Actions."
      />
    );
  } else {
    body = (
      <ul className="gallery__grid">
        {visible.map((p) => (
          <ProviderTile key={p.id} provider={p} />
        ))}
      </ul>
    );
  }

  return (
    <section className="screen gallery" data-testid="gallery-screen" aria-labelledby={titleId}>
      <header className="screen__header">
        <h1 id={titleId} className="screen__title">
          Provider gallery
        </h1>
        <SearchField value={query} onValueChange={setQuery} label="Search providers" />
      </header>
      <div className="gallery__body">{body}</div>
    </section>
  );
}

function ProviderTile({ provider: p }: { provider: Provider }) {
  // The redirect URI on the configured callback port (Settings), not the file's default.
  const urls = useCallbackUrls();
  const own = p.flow === "own_app";
  return (
    <li className="gallery__tile" data-testid="provider-tile" data-id={p.id}>
      <div className="gallery__tile-head">
        <h2 className="gallery__name">{p.name}</h2>
        <Badge tone={own ? "warning" : "success"}>{flowLabel(p.flow)}</Badge>
      </div>
      <p className="gallery__description">{p.description}</p>
      <p className="gallery__url">{p.url}</p>
      {own && p.register && (
        <div className="gallery__register">
          <p>
            {p.name} has no automatic registration: create your own OAuth app at {p.register.where}{" "}
            with the redirect URI <code>{urls.data?.loopback ?? p.register.redirectUri}</code>.
          </p>
          <p>{p.register.what}</p>
        </div>
      )}
      {p.notes && <p className="gallery__notes">{p.notes}</p>}
      <p className="gallery__source">
        Docs: <span className="gallery__link">{p.source}</span>
      </p>
      <div className="gallery__actions">
        <Button
          variant="primary"
          size="sm"
          data-testid="provider-add"
          onClick={() => {
            window.location.hash = addRoute(p.id);
          }}
        >
          Add
        </Button>
      </div>
    </li>
  );
}
