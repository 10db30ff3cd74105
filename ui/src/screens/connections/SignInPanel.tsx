import { Badge, Button, ErrorNotice, Spinner } from "../../components/kit";
import type { SignIn } from "./useSignIn";

/** The connection dialog's sign-in after "Save and authorize": waiting, connected or failed. */
export function SignInPanel({
  state,
  onCancel,
  onRetry,
}: {
  state: SignIn;
  onCancel: () => void;
  onRetry: () => void;
}) {
  if (state.phase === "waiting") {
    return (
      <div className="signin-panel" data-testid="connection-signin" data-phase="waiting">
        <Spinner />
        <div className="signin-panel__text" role="status">
          <strong>Waiting for the browser…</strong>
          <span>Saved. Allow access at the provider, then come back here.</span>
        </div>
        <Button size="sm" onClick={onCancel} data-testid="connection-cancel-signin">
          Cancel sign-in
        </Button>
      </div>
    );
  }
  if (state.phase === "connected") {
    return (
      <div
        className="signin-panel signin-panel--ok"
        data-testid="connection-signin"
        data-phase="connected"
        role="status"
      >
        <Badge tone="success" dot>
          {state.grant.account ? `Connected as ${state.grant.account}` : "Connected"}
        </Badge>
        <span className="signin-panel__message">
          Saved and authorized. Actions using <strong>{state.name}</strong> can call the provider
          now.
        </span>
      </div>
    );
  }
  if (state.phase === "failed") {
    return (
      <div data-testid="connection-signin" data-phase="failed">
        <ErrorNotice
          error={state.error}
          title="Authorization failed"
          testId="connection-signin-error"
        >
          <Button size="sm" variant="primary" onClick={onRetry} data-testid="connection-try-again">
            Try again
          </Button>
        </ErrorNotice>
        <p className="signin-panel__note">The connection is saved; only the sign-in failed.</p>
      </div>
    );
  }
  return null;
}
