import type { GrantView } from "../../bindings/GrantView";
import { Button, ConnectedIcon, ErrorNotice, Spinner } from "../../components/kit";
import type { IpcError } from "../../ipc";
import { CLIENT_DETAILS_MESSAGE } from "./clientDetails";

export type ConnectPhase =
  | { s: "idle" }
  | { s: "checking" }
  | { s: "reconnect"; reason: string | null }
  | { s: "saving" }
  | { s: "waiting" }
  | { s: "connected"; grant: GrantView }
  | { s: "disconnecting"; grant: GrantView }
  | { s: "failed"; error: IpcError; needsDetails: boolean };

type Props = {
  phase: ConnectPhase;
  /** The form is saving or removing: Connect waits. */
  busy: boolean;
  /** Reading the stored sign-in failed. */
  statusError: IpcError | null;
  onRetryStatus: () => void;
  onConnect: () => void;
  onCancel: () => void;
  onDisconnect: () => void;
  /** A new form: Connect saves the action first. */
  saveFirst: boolean;
};

/** Connect / waiting / Connected as … / Authorization failed, for the OAuth 2.1 card. */
export function ConnectPanel({
  phase,
  busy,
  statusError,
  onRetryStatus,
  onConnect,
  onCancel,
  onDisconnect,
  saveFirst,
}: Props) {
  let body;
  switch (phase.s) {
    case "checking":
      body = <Spinner label="Checking the sign-in…" />;
      break;
    case "waiting":
      body = (
        <div className="connect-panel__row" data-testid="connect-waiting">
          <Spinner size={16} />
          <div className="connect-panel__text">
            <p className="connect-panel__title" role="status">
              Waiting for the browser…
            </p>
            <p className="field__hint">
              Finish signing in in the browser window that opened. You can keep editing here.
            </p>
          </div>
          <Button size="sm" onClick={onCancel} data-testid="connect-cancel">
            Cancel
          </Button>
        </div>
      );
      break;
    case "connected":
    case "disconnecting": {
      const account = phase.grant.account;
      body = (
        <div className="connect-panel__row">
          <span className="connect-panel__ok">
            <ConnectedIcon />
          </span>
          <div className="connect-panel__text">
            <p className="connect-panel__title" data-testid="connected-as" role="status">
              {account ? `Connected as ${account}` : "Connected"}
            </p>
            {phase.grant.scopes.length > 0 && (
              <p className="field__hint">Scopes: {phase.grant.scopes.join(" ")}</p>
            )}
          </div>
          <Button
            size="sm"
            onClick={onDisconnect}
            busy={phase.s === "disconnecting"}
            data-testid="disconnect-button"
          >
            Disconnect
          </Button>
        </div>
      );
      break;
    }
    case "failed":
      body = (
        <div data-testid="auth-failed">
          <ErrorNotice error={phase.error} title="Authorization failed" testId="connect-error">
            <Button
              size="sm"
              variant="primary"
              onClick={onConnect}
              disabled={busy}
              data-testid="try-again"
            >
              Try again
            </Button>
          </ErrorNotice>
          {phase.needsDetails && (
            <p className="connect-panel__details" data-testid="needs-client-details">
              {CLIENT_DETAILS_MESSAGE}
            </p>
          )}
        </div>
      );
      break;
    case "idle":
    case "saving":
    case "reconnect":
      body = (
        <div className="connect-panel__row">
          <div className="connect-panel__text">
            {phase.s === "reconnect" ? (
              <>
                <p
                  className="connect-panel__title connect-panel__warn"
                  data-testid="reconnect-needed"
                >
                  Reconnect needed
                </p>
                <p className="field__hint">
                  {phase.reason ?? "The sign-in stopped working."} Connect to sign in again.
                </p>
              </>
            ) : (
              <>
                <p className="connect-panel__title">Not connected</p>
                <p className="field__hint">
                  {saveFirst
                    ? "Connect saves this action, then opens your browser to sign in."
                    : "Connect opens your browser to sign in."}
                </p>
              </>
            )}
          </div>
          <Button
            variant="primary"
            size="sm"
            onClick={onConnect}
            busy={phase.s === "saving"}
            disabled={busy}
            data-testid="connect-button"
          >
            {phase.s === "reconnect" ? "Reconnect" : "Connect"}
          </Button>
        </div>
      );
      break;
  }
  return (
    <div className="connect-panel" data-testid="connect-panel">
      {body}
      {statusError && (
        <ErrorNotice
          error={statusError}
          title="Couldn’t check the sign-in"
          onRetry={onRetryStatus}
          testId="oauth-status-error"
        />
      )}
    </div>
  );
}
