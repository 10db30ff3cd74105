import { useId, useMemo, useState } from "react";

import type { GatewayClient } from "../../bindings/GatewayClient";
import type { GatewayKeyView } from "../../bindings/GatewayKeyView";
import type { GatewayView } from "../../bindings/GatewayView";
import type { NewGatewayKey } from "../../bindings/NewGatewayKey";
import {
  Badge,
  Button,
  CopyField,
  EmptyState,
  ErrorNotice,
  KeyIcon,
  listState,
  Spinner,
  Switch,
  toast,
  type Tone,
} from "../../components/kit";
import { ConfirmDialog } from "../../components/kit/dialogs";
import { ListScreen, RefreshError } from "../../components/layout/ListScreen";
import { useActions } from "../../data/queries";
import { toIpcError, type IpcError } from "../../ipc";
import { relativeTime } from "../../lib/relativeTime";
import { useNow } from "../../lib/useNow";
import { ClientsSection } from "./ClientsSection";
import { useGateway, useGatewayKeys, useRevokeGatewayKey, useSetGatewayEnabled } from "./data";
import { KeyCreatedDialog } from "./KeyCreatedDialog";
import { KeyDialog } from "./KeyDialog";
import {
  actionUrl,
  day,
  type GatewayState,
  gatewayState,
  keyState,
  type KeyState,
  mcpUrl,
  opensText,
  servedActions,
  sortKeys,
  when,
} from "./model";

import "./GatewayScreen.css";

/**
 * The local gateway: one endpoint on this computer for every enabled action, served by the
 * app while it is open (the switch), its URLs, who called it lately, its access keys and its
 * OAuth clients.
 */

/** How each kind of gateway caller is named. */
const CLIENT_KINDS: Record<string, string> = { key: "Access key", oauth: "OAuth client" };

export function GatewayScreen() {
  const gateway = useGateway();
  const [creating, setCreating] = useState(0);
  const [created, setCreated] = useState<NewGatewayKey | null>(null);

  let body;
  if (gateway.isPending) {
    body = (
      <div className="gateway-state" data-testid="gateway-loading">
        <Spinner label="Loading the gateway…" size={20} />
      </div>
    );
  } else if (gateway.isError && gateway.data === undefined) {
    body = (
      <div className="gateway-state">
        <ErrorNotice
          error={gateway.error}
          title="Couldn’t read the gateway’s state"
          onRetry={() => void gateway.refetch()}
          retrying={gateway.isFetching}
          testId="gateway-error"
        />
      </div>
    );
  } else {
    const view = gateway.data;
    body = (
      <div className="conn-scroll gateway-scroll">
        <RefreshError query={gateway} />
        <StatusPanel view={view} />
        <Endpoints port={view.status.port} live={view.status.running} />
        <RecentClients clients={view.status.clients} />
        <KeysSection onCreate={() => setCreating((n) => n + 1)} />
        <ClientsSection />
      </div>
    );
  }

  return (
    <ListScreen
      title="Gateway"
      testId="gateway-screen"
      tools={
        gateway.data && (
          <Button
            variant="primary"
            onClick={() => setCreating((n) => n + 1)}
            data-testid="gateway-create-key"
          >
            Create access key
          </Button>
        )
      }
    >
      {body}
      {creating > 0 && (
        <KeyDialog
          key={creating}
          onClose={() => setCreating(0)}
          onCreated={(k) => {
            setCreating(0);
            setCreated(k);
          }}
        />
      )}
      {created && gateway.data && (
        <KeyCreatedDialog
          created={created}
          url={mcpUrl(gateway.data.status.port)}
          onClose={() => setCreated(null)}
        />
      )}
    </ListScreen>
  );
}

const STATE_BADGE: Record<GatewayState["kind"], { label: string; tone: Tone }> = {
  here: { label: "Running", tone: "success" },
  elsewhere: { label: "Running in another process", tone: "info" },
  failed: { label: "Couldn’t start", tone: "danger" },
  starting: { label: "Starting…", tone: "neutral" },
  off: { label: "Off", tone: "neutral" },
};

/** The switch, what the gateway is doing, and why it doesn't run when it should. */
function StatusPanel({ view }: { view: GatewayView }) {
  const titleId = useId();
  const toggle = useSetGatewayEnabled();
  const state = gatewayState(view);
  const checked = toggle.isPending ? toggle.variables : view.enabled;
  const badge = toggle.isPending
    ? { label: toggle.variables ? "Starting…" : "Stopping…", tone: "neutral" as Tone }
    : STATE_BADGE[state.kind];
  const retry = () => toggle.mutate(true);
  const retrying = toggle.isPending && toggle.variables;

  return (
    <section
      className="panel gateway-panel"
      aria-labelledby={titleId}
      data-testid="gateway-status"
      data-state={state.kind}
    >
      <div className="gateway-panel__head">
        <div className="gateway-panel__title-row">
          <h2 id={titleId} className="gateway-panel__title">
            Local gateway
          </h2>
          <Badge tone={badge.tone} dot data-testid="gateway-state">
            {badge.label}
          </Badge>
        </div>
        <label className="gateway-panel__switch">
          <span>Serve while Patchbay is open</span>
          <Switch
            checked={checked}
            onCheckedChange={(on) => toggle.mutate(on)}
            disabled={toggle.isPending}
            label="Serve the gateway while Patchbay is open"
            testId="gateway-switch"
          />
        </label>
      </div>
      <StateText state={state} port={view.status.port} />
      {toggle.isError && (
        <ErrorNotice
          error={toggle.error}
          title={
            toggle.variables ? "Couldn’t turn the gateway on" : "Couldn’t turn the gateway off"
          }
          testId="gateway-toggle-error"
        />
      )}
      {state.kind === "failed" && (
        <GatewayError error={toIpcError(state.error)} onRetry={retry} retrying={retrying}>
          The gateway couldn’t start
        </GatewayError>
      )}
      {state.kind === "elsewhere" && state.error && (
        <GatewayError error={toIpcError(state.error)} onRetry={retry} retrying={retrying}>
          Patchbay didn’t start a second gateway
        </GatewayError>
      )}
      <p className="gateway-panel__meta" data-testid="gateway-port">
        Port <code>{view.status.port}</code> on 127.0.0.1 ·{" "}
        <a href="#/settings" className="gateway-link">
          Change it in Settings
        </a>{" "}
        · <span data-testid="gateway-key-count">{keyCount(view.status.keys)}</span>
      </p>
    </section>
  );
}

function keyCount(n: number): string {
  if (n === 0) return "no working access keys";
  return n === 1 ? "1 access key works" : `${n} access keys work`;
}

const SERVE = <code className="gateway-code">patchbay gateway serve</code>;

function StateText({ state, port }: { state: GatewayState; port: number }) {
  let text;
  switch (state.kind) {
    case "here":
      text = (
        <>
          Patchbay serves every enabled action at {state.url} while it is open. MCP clients that
          speak HTTP (VS Code, Cursor, Claude Code, Codex) connect with an access key.
        </>
      );
      break;
    case "elsewhere":
      text = (
        <>
          Another process{state.pid !== null ? ` (pid ${state.pid})` : ""} serves this profile’s
          gateway at {state.url}, for example {SERVE} in a terminal. Clients can use it as it is.
        </>
      );
      break;
    case "failed":
      text = `Patchbay should serve the gateway on port ${port}, but it isn’t running.`;
      break;
    case "starting":
      text = "Patchbay is starting the gateway…";
      break;
    case "off":
      text = (
        <>
          Off. Turn it on to serve every enabled action to MCP clients that speak HTTP while
          Patchbay is open, or run {SERVE} in a terminal.
        </>
      );
      break;
  }
  return (
    <p className="gateway-panel__text" data-testid="gateway-state-text">
      {text}
    </p>
  );
}

/** Why the app's gateway doesn't run: the core's message and hint, and Try again. */
function GatewayError({
  error,
  onRetry,
  retrying,
  children,
}: {
  error: IpcError;
  onRetry: () => void;
  retrying: boolean;
  children: string;
}) {
  return (
    <ErrorNotice
      error={error}
      title={children}
      advice={
        error.code === "port_busy"
          ? "Stop the program that uses the port, or choose another gateway port in Settings, then try again."
          : "Clients can use that one. Once it stops (Ctrl-C where it runs), Patchbay takes over within a few seconds."
      }
      testId="gateway-start-error"
    >
      <Button size="sm" onClick={onRetry} busy={retrying} data-testid="gateway-retry">
        Try again
      </Button>
    </ErrorNotice>
  );
}

/** The URLs clients connect to, each with Copy. */
function Endpoints({ port, live }: { port: number; live: boolean }) {
  const titleId = useId();
  const actions = useActions();
  const served = useMemo(() => servedActions(actions.data ?? []), [actions.data]);
  return (
    <section className="gateway-section" aria-labelledby={titleId} data-testid="gateway-endpoints">
      <div className="gateway-section__head">
        <h2 id={titleId} className="gateway-section__title">
          Endpoints
        </h2>
        <p className="gateway-section__text">
          {live
            ? "Streamable HTTP on this computer only. Every request needs an access key or an OAuth client’s token."
            : "They answer once the gateway runs. Every request needs an access key or an OAuth client’s token."}
        </p>
      </div>
      <div className="gateway-endpoints">
        <CopyField
          label="Every action (tools named ACTION__TOOL)"
          value={mcpUrl(port)}
          testId="gateway-url"
        />
        {served.map((a) => (
          <CopyField
            key={a.id}
            label={`${a.name} only (its own tool names)`}
            value={actionUrl(port, a.name)}
            testId={`gateway-url-${a.name}`}
          />
        ))}
      </div>
      {served.length === 0 && (
        <p className="gateway-muted" data-testid="gateway-no-actions">
          {actions.isPending
            ? "Loading actions…"
            : "No enabled actions yet: add one on the Actions screen and it is served here."}
        </p>
      )}
    </section>
  );
}

/** Who called a tool through the gateway in the last 10 minutes. */
function RecentClients({ clients }: { clients: GatewayClient[] }) {
  const titleId = useId();
  const now = useNow(15_000);
  return (
    <section className="gateway-section" aria-labelledby={titleId} data-testid="gateway-clients">
      <div className="gateway-section__head">
        <h2 id={titleId} className="gateway-section__title">
          Recent clients
        </h2>
        <p className="gateway-section__text">Tool calls in the last 10 minutes, by client.</p>
      </div>
      {clients.length === 0 ? (
        <p className="gateway-muted" data-testid="gateway-clients-empty">
          No tool calls through the gateway in the last 10 minutes.
        </p>
      ) : (
        <div className="gateway-table-wrap">
          <table className="gateway-table">
            <thead>
              <tr>
                <th scope="col">Client</th>
                <th scope="col">Kind</th>
                <th scope="col">Last call</th>
                <th scope="col">Last tool</th>
              </tr>
            </thead>
            <tbody>
              {clients.map((c) => (
                <tr key={`${c.kind}:${c.name}`} data-testid="gateway-client-row" data-name={c.name}>
                  <th scope="row" className="gateway-table__name">
                    {c.name}
                  </th>
                  <td>{CLIENT_KINDS[c.kind] ?? c.kind}</td>
                  <td title={c.lastCallAt}>{relativeTime(c.lastCallAt, now) ?? c.lastCallAt}</td>
                  <td className="mono">{c.lastTool}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

const KEY_BADGE: Record<KeyState, { label: string; tone: Tone }> = {
  active: { label: "Active", tone: "success" },
  expired: { label: "Expired", tone: "warning" },
  revoked: { label: "Revoked", tone: "neutral" },
};

/** The access keys, with Create and Revoke. */
function KeysSection({ onCreate }: { onCreate: () => void }) {
  const titleId = useId();
  const keys = useGatewayKeys();
  const revoke = useRevokeGatewayKey();
  const now = useNow(30_000);
  const sorted = useMemo(() => sortKeys(keys.data ?? [], now), [keys.data, now]);
  // The dialog keeps its target while it closes (no "Revoke ?" flash).
  const [revoking, setRevoking] = useState<GatewayKeyView | null>(null);
  const [confirmOpen, setConfirmOpen] = useState(false);
  const [failed, setFailed] = useState<{ name: string; error: IpcError } | null>(null);

  function confirmRevoke(k: GatewayKeyView) {
    revoke.mutate(k.name, {
      onSuccess: () => {
        toast({
          title: `Revoked ${k.name}`,
          description: "The next request with it is refused.",
          tone: "success",
        });
        setFailed(null);
      },
      onError: (e) => setFailed({ name: k.name, error: toIpcError(e) }),
      onSettled: () => setConfirmOpen(false),
    });
  }

  const body = listState(keys, {
    noun: "access keys",
    errorTestId: "gateway-keys-error",
    empty: (
      <EmptyState
        testId="gateway-keys-empty"
        icon={<KeyIcon size={22} />}
        title="No access keys yet"
        description="An access key lets one MCP client use the gateway: it opens the actions you pick, and you can revoke it at any time. Patchbay shows it once and keeps only its hash."
        action={
          <Button variant="primary" onClick={onCreate}>
            Create access key
          </Button>
        }
      />
    ),
  }) ?? (
    <div className="gateway-table-wrap">
      <table className="gateway-table" data-testid="gateway-keys-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Opens</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Expires</th>
            <th scope="col">State</th>
            <th scope="col">
              <span className="visually-hidden">Revoke</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((k) => {
            const state = keyState(k, now);
            return (
              <tr
                key={k.name}
                className={state === "active" ? undefined : "is-inactive"}
                data-testid="gateway-key-row"
                data-name={k.name}
                data-state={state}
              >
                <th scope="row" className="gateway-table__name">
                  {k.name}
                </th>
                <td className="gateway-table__opens">
                  <span>{opensText(k)}</span>
                  {k.tools.length > 0 && (
                    <span className="gateway-muted mono" title={k.tools.join(", ")}>
                      only {k.tools.join(", ")}
                    </span>
                  )}
                </td>
                <td title={k.createdAt}>{when(k.createdAt, now, "")}</td>
                <td title={k.lastUsedAt ?? undefined}>{when(k.lastUsedAt, now, "Never")}</td>
                <td title={k.expiresAt ? when(k.expiresAt, now, "") : undefined}>
                  {k.expiresAt ? day(k.expiresAt) : "Never"}
                </td>
                <td>
                  <Badge
                    tone={KEY_BADGE[state].tone}
                    dot
                    title={k.revokedAt ? `Revoked ${k.revokedAt}` : undefined}
                    data-testid="gateway-key-state"
                  >
                    {KEY_BADGE[state].label}
                  </Badge>
                </td>
                <td className="gateway-table__actions">
                  {state !== "revoked" && (
                    <Button
                      size="sm"
                      variant="ghost"
                      onClick={() => {
                        setRevoking(k);
                        setConfirmOpen(true);
                      }}
                      aria-label={`Revoke ${k.name}`}
                      data-testid="gateway-key-revoke"
                    >
                      Revoke
                    </Button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );

  return (
    <section className="gateway-section" aria-labelledby={titleId} data-testid="gateway-keys">
      <div className="gateway-section__head gateway-section__head--row">
        <div>
          <h2 id={titleId} className="gateway-section__title">
            Access keys
            {keys.data && keys.data.length > 0 && (
              <span className="gateway-count">{keys.data.length}</span>
            )}
          </h2>
          <p className="gateway-section__text">
            Bearer keys for clients that take a fixed token (Codex, curl, a script). Each opens only
            the actions you pick.
          </p>
        </div>
      </div>
      <RefreshError query={keys} />
      {failed && (
        <ErrorNotice
          error={failed.error}
          title={`Couldn’t revoke ${failed.name}`}
          testId="gateway-revoke-error"
        >
          <Button size="sm" variant="ghost" onClick={() => setFailed(null)}>
            Dismiss
          </Button>
        </ErrorNotice>
      )}
      {body}
      <ConfirmDialog
        open={confirmOpen}
        onOpenChange={setConfirmOpen}
        title={`Revoke ${revoking?.name ?? ""}?`}
        description="Clients using this key are refused from their next request, whichever process serves the gateway. A revoked key can’t be used again: create a new one instead."
        confirmLabel="Revoke key"
        destructive
        busy={revoke.isPending}
        testId="gateway-revoke-dialog"
        onConfirm={() => revoking && confirmRevoke(revoking)}
      />
    </section>
  );
}
