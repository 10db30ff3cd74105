import type { Provider } from "../../bindings/Provider";
import { useCallbackUrls } from "../../data/queries";

/** An own-app provider from the gallery: what to register there, before Connect. */
export function OwnAppNotice({ provider: p }: { provider: Provider }) {
  // The redirect URI on the configured callback port (Settings), not the file's default.
  const urls = useCallbackUrls();
  const redirect = urls.data?.loopback ?? p.register?.redirectUri ?? null;
  return (
    <div className="action-form__provider-note" role="note" data-testid="provider-own-app">
      <p>
        <strong>{p.name} needs your own OAuth app.</strong>{" "}
        {p.register ? `Create one at ${p.register.where}` : "Create one in its developer console"}
        {redirect && (
          <>
            {" "}
            with the redirect URI <code>{redirect}</code>
          </>
        )}
        , then enter its Client ID (and secret) in Advanced configuration below.
      </p>
      {p.register?.what && <p>{p.register.what}</p>}
    </div>
  );
}
