import type { ConnectionView } from "../../bindings/ConnectionView";
import { Badge, Button, ErrorNotice, Menu, Spinner, toast } from "../../components/kit";
import { useOAuthStatus } from "../../data/queries";
import { useSignIn } from "./useSignIn";
import { authMethodLabel, signInState } from "./model";

type Props = {
  connection: ConnectionView;
  onEdit: () => void;
  onDisconnect: () => void;
  onDelete: () => void;
};

/** One connection: what it is, who uses it, whether it is signed in, and its ⋮ menu. */
export function ConnectionRow({ connection: c, onEdit, onDisconnect, onDelete }: Props) {
  const status = useOAuthStatus("connection", c.name);
  const signIn = useSignIn();
  const state = status.data ? signInState(status.data) : null;
  const waiting = signIn.state.phase === "waiting";

  async function connectNow() {
    const grant = await signIn.start(c.name);
    if (grant) {
      toast({
        title: grant.account ? `Connected as ${grant.account}` : `Connected ${c.name}`,
        description: `${c.name} (${c.provider}) is signed in.`,
        tone: "success",
      });
      signIn.reset();
    }
  }

  return (
    <li className="conn-row" data-testid="connection-row" data-name={c.name}>
      <div className="conn-row__main">
        <div className="conn-row__title">
          <span className="conn-row__name">{c.name}</span>
          {status.isPending ? (
            <Badge tone="neutral" data-testid="connection-state" data-state="loading">
              Checking…
            </Badge>
          ) : state ? (
            <Badge
              tone={state.tone}
              dot
              data-testid="connection-state"
              data-state={state.kind}
              title={status.data?.reconnectReason ?? undefined}
            >
              {state.label}
            </Badge>
          ) : (
            <Badge
              tone="danger"
              data-testid="connection-state"
              data-state="error"
              title={status.error?.message}
            >
              Status unknown
            </Badge>
          )}
        </div>
        <dl className="conn-row__meta">
          <div>
            <dt>Provider</dt>
            <dd>{c.provider}</dd>
          </div>
          <div>
            <dt>Client ID</dt>
            <dd className="mono" title={c.clientId}>
              {c.clientId}
            </dd>
          </div>
          <div>
            <dt>Client</dt>
            <dd>{authMethodLabel(c)}</dd>
          </div>
          <div>
            <dt>Scopes</dt>
            <dd className="mono">{c.scopes.length ? c.scopes.join(" ") : "—"}</dd>
          </div>
          <div>
            <dt>Used by</dt>
            <dd data-testid="connection-used-by">
              {c.usedBy.length ? c.usedBy.join(", ") : "No actions yet"}
            </dd>
          </div>
        </dl>
        {state?.kind === "reconnect" && status.data?.reconnectReason && (
          <p className="conn-row__reason">{status.data.reconnectReason}</p>
        )}
        {waiting && (
          <div className="signin-panel signin-panel--inline" data-testid="connection-waiting">
            <Spinner />
            <span className="signin-panel__text" role="status">
              Waiting for the browser… Allow access at {c.provider}, then come back.
            </span>
            <Button
              size="sm"
              onClick={() => void signIn.cancel()}
              data-testid="connection-cancel-signin"
            >
              Cancel
            </Button>
          </div>
        )}
        {signIn.state.phase === "failed" && (
          <ErrorNotice
            error={signIn.state.error}
            title={`Couldn’t connect ${c.name}`}
            testId="connection-signin-error"
          >
            <Button size="sm" variant="primary" onClick={() => void connectNow()}>
              Try again
            </Button>
            <Button size="sm" variant="ghost" onClick={signIn.reset}>
              Dismiss
            </Button>
          </ErrorNotice>
        )}
      </div>
      <Menu
        label={`More actions for ${c.name}`}
        testId="connection-menu"
        items={[
          { label: "Edit", onSelect: onEdit, testId: "connection-edit" },
          {
            label:
              state?.kind === "connected" || state?.kind === "reconnect" ? "Reconnect" : "Connect",
            onSelect: () => void connectNow(),
            disabled: waiting,
            testId: "connection-connect",
          },
          {
            label: "Disconnect",
            onSelect: onDisconnect,
            disabled: !status.data || (!status.data.connected && !status.data.needsReconnect),
            testId: "connection-disconnect",
          },
          {
            label: "Delete",
            onSelect: onDelete,
            destructive: true,
            separatorBefore: true,
            testId: "connection-delete",
          },
        ]}
      />
    </li>
  );
}
