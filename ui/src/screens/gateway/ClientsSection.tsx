import { useId, useMemo, useState } from "react";

import type { GatewayClientView } from "../../bindings/GatewayClientView";
import type { NewGatewayClient } from "../../bindings/NewGatewayClient";
import {
  Badge,
  Button,
  EmptyState,
  ErrorNotice,
  LinkIcon,
  listState,
  Menu,
  type MenuItem,
  toast,
} from "../../components/kit";
import { ConfirmDialog } from "../../components/kit/dialogs";
import { RefreshError } from "../../components/layout/ListScreen";
import { toIpcError, type IpcError } from "../../ipc";
import { useNow } from "../../lib/useNow";
import { ClientDialog } from "./ClientDialog";
import { CLIENT_KINDS, CLIENT_TYPES, mayUseText, sortClients } from "./clientModel";
import { ClientSecretDialog } from "./ClientSecretDialog";
import {
  useGatewayClients,
  useRotateGatewayClientSecret,
  useSetGatewayClientRevoked,
} from "./data";
import { when } from "./model";

/** What a row's buttons ask first. */
type Op = "rotate" | "revoke" | "reactivate";

const OPS: Record<
  Op,
  {
    title: (name: string) => string;
    /** What happens; `asked`: the client was let in by a consent (it is not custom). */
    description: (asked: boolean) => string;
    confirm: string;
    destructive: boolean;
    failed: (name: string) => string;
  }
> = {
  rotate: {
    title: (n) => `Rotate the secret of ${n}?`,
    description: () =>
      "Patchbay makes a new secret and shows it once. The old secret stops working at once: every app that uses this client must be updated with the new one before it can sign in or renew its tokens.",
    confirm: "Rotate secret",
    destructive: true,
    failed: (n) => `Couldn’t rotate the secret of ${n}`,
  },
  revoke: {
    title: (n) => `Revoke ${n}?`,
    description: (asked) =>
      `Every token of this client stops working at once, and it can’t sign in. Re-activating it later brings none of those tokens back${asked ? ", and the consent you gave it is forgotten" : ""}.`,
    confirm: "Revoke client",
    destructive: true,
    failed: (n) => `Couldn’t revoke ${n}`,
  },
  reactivate: {
    title: (n) => `Re-activate ${n}?`,
    description: (asked) =>
      `It may sign in again. None of its old tokens comes back: the app must sign in again to get new ones${asked ? ", and you’ll be asked for consent again" : ""}.`,
    confirm: "Re-activate",
    destructive: false,
    failed: (n) => `Couldn’t re-activate ${n}`,
  },
};

/**
 * The OAuth clients of the gateway's own authorization server: the ones made here (custom)
 * and the ones that registered themselves. New OAuth client, and per row Rotate secret
 * (confidential clients), Revoke and Re-activate, each asked first.
 */
export function ClientsSection() {
  const titleId = useId();
  const clients = useGatewayClients();
  const rotate = useRotateGatewayClientSecret();
  const setRevoked = useSetGatewayClientRevoked();
  const now = useNow(30_000);
  const sorted = useMemo(() => sortClients(clients.data ?? []), [clients.data]);
  const [creating, setCreating] = useState(0);
  const [shown, setShown] = useState<{
    client: NewGatewayClient;
    mode: "created" | "rotated";
  } | null>(null);
  // The dialog keeps its target while it closes (no "Revoke ?" flash).
  const [asking, setAsking] = useState<{ op: Op; client: GatewayClientView } | null>(null);
  const [confirmOpen, setConfirmOpen] = useState(false);
  const [failed, setFailed] = useState<{ title: string; error: IpcError } | null>(null);

  function ask(op: Op, client: GatewayClientView) {
    setAsking({ op, client });
    setConfirmOpen(true);
  }

  function confirm({ op, client }: { op: Op; client: GatewayClientView }) {
    const onError = (e: unknown) =>
      setFailed({ title: OPS[op].failed(client.name), error: toIpcError(e) });
    const onSettled = () => setConfirmOpen(false);
    if (op === "rotate") {
      rotate.mutate(client.name, {
        onSuccess: (c) => {
          setFailed(null);
          setShown({ client: c, mode: "rotated" });
          // The dialog holds the new secret now; the mutation cache forgets it.
          rotate.reset();
        },
        onError,
        onSettled,
      });
      return;
    }
    setRevoked.mutate(
      { name: client.name, revoked: op === "revoke" },
      {
        onSuccess: () => {
          setFailed(null);
          toast(
            op === "revoke"
              ? {
                  title: `Revoked ${client.name}`,
                  description: "Every token it held stopped working.",
                  tone: "success",
                }
              : {
                  title: `Re-activated ${client.name}`,
                  description: "It may sign in again; its old tokens stay dead.",
                  tone: "success",
                },
          );
        },
        onError,
        onSettled,
      },
    );
  }

  const create = () => setCreating((n) => n + 1);

  const body = listState(clients, {
    noun: "OAuth clients",
    errorTestId: "gateway-clients-error",
    empty: (
      <EmptyState
        testId="gateway-oauth-empty"
        icon={<LinkIcon size={22} />}
        title="No OAuth clients yet"
        description="An OAuth client lets an app that signs in with OAuth 2.1 (an in-house chatbot, an n8n flow, a Slack bot) use the actions you pick. Apps that register themselves with the gateway show up here too."
        action={
          <Button variant="primary" onClick={create} data-testid="gateway-create-client-empty">
            New OAuth client
          </Button>
        }
      />
    ),
  }) ?? (
    <div className="gateway-table-wrap">
      <table className="gateway-table client-table" data-testid="gateway-oauth-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Type</th>
            <th scope="col">Kind</th>
            <th scope="col">Status</th>
            <th scope="col">Redirect URIs</th>
            <th scope="col">May use</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Secret rotated</th>
            <th scope="col" className="client-table__menu">
              <span className="visually-hidden">Manage</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((c) => {
            const active = c.status === "active";
            const [first, ...more] = c.redirectUris;
            const items: MenuItem[] = active
              ? [
                  ...(c.type === "confidential"
                    ? [
                        {
                          label: "Rotate secret…",
                          onSelect: () => ask("rotate", c),
                          testId: "gateway-oauth-rotate",
                        },
                      ]
                    : []),
                  {
                    label: "Revoke…",
                    onSelect: () => ask("revoke", c),
                    testId: "gateway-oauth-revoke",
                    destructive: true,
                  },
                ]
              : [
                  {
                    label: "Re-activate…",
                    onSelect: () => ask("reactivate", c),
                    testId: "gateway-oauth-reactivate",
                  },
                ];
            return (
              <tr
                key={c.name}
                className={active ? undefined : "is-inactive"}
                data-testid="gateway-oauth-row"
                data-name={c.name}
                data-status={c.status}
              >
                <th scope="row" className="gateway-table__name">
                  {c.name}
                  <span
                    className="gateway-muted mono client-table__clip client-table__id"
                    title={`Client ID: ${c.clientId}`}
                  >
                    {c.clientId}
                  </span>
                </th>
                <td data-testid="gateway-oauth-type">{CLIENT_TYPES[c.type].label}</td>
                <td title={CLIENT_KINDS[c.kind].explain}>{CLIENT_KINDS[c.kind].label}</td>
                <td>
                  <Badge
                    tone={active ? "success" : "neutral"}
                    dot
                    data-testid="gateway-oauth-status"
                  >
                    {active ? "Active" : "Revoked"}
                  </Badge>
                </td>
                <td className="mono" title={c.redirectUris.join("\n")}>
                  <span className="client-table__clip client-table__uri">{first ?? ""}</span>
                  {more.length > 0 && (
                    <span className="gateway-muted client-table__more">+{more.length} more</span>
                  )}
                </td>
                <td title={[mayUseText(c), ...c.tools].join("\n")}>
                  <span className="client-table__clip client-table__uses">{mayUseText(c)}</span>
                  {c.tools.length > 0 && (
                    <span className="gateway-muted mono client-table__clip client-table__uses">
                      only {c.tools.join(", ")}
                    </span>
                  )}
                </td>
                <td title={c.createdAt}>{when(c.createdAt, now, "")}</td>
                <td title={c.lastUsedAt ?? undefined}>{when(c.lastUsedAt, now, "Never")}</td>
                <td title={c.secretRotatedAt ?? undefined} data-testid="gateway-oauth-rotated">
                  {c.type === "public" ? "No secret" : when(c.secretRotatedAt, now, "Never")}
                </td>
                <td className="gateway-table__actions client-table__menu">
                  <Menu label={`Manage ${c.name}`} testId="gateway-oauth-menu" items={items} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );

  const op = asking ? OPS[asking.op] : null;
  return (
    <section className="gateway-section" aria-labelledby={titleId} data-testid="gateway-oauth">
      <div className="gateway-section__head gateway-section__head--row">
        <div>
          <h2 id={titleId} className="gateway-section__title">
            OAuth clients
            {clients.data && clients.data.length > 0 && (
              <span className="gateway-count">{clients.data.length}</span>
            )}
          </h2>
          <p className="gateway-section__text">
            Apps that sign in to the gateway with OAuth instead of an access key. Each uses only the
            actions you pick.
          </p>
        </div>
        <Button onClick={create} data-testid="gateway-create-client">
          New OAuth client
        </Button>
      </div>
      <RefreshError query={clients} />
      {failed && (
        <ErrorNotice error={failed.error} title={failed.title} testId="gateway-oauth-op-error">
          <Button size="sm" variant="ghost" onClick={() => setFailed(null)}>
            Dismiss
          </Button>
        </ErrorNotice>
      )}
      {body}
      <ConfirmDialog
        open={confirmOpen}
        onOpenChange={setConfirmOpen}
        title={op && asking ? op.title(asking.client.name) : ""}
        description={op && asking ? op.description(asking.client.kind !== "custom") : ""}
        confirmLabel={op?.confirm ?? ""}
        destructive={op?.destructive ?? false}
        busy={rotate.isPending || setRevoked.isPending}
        testId={asking ? `gateway-oauth-${asking.op}-dialog` : "gateway-oauth-confirm"}
        onConfirm={() => asking && confirm(asking)}
      />
      {creating > 0 && (
        <ClientDialog
          key={creating}
          onClose={() => setCreating(0)}
          onCreated={(c) => {
            setCreating(0);
            setShown({ client: c, mode: "created" });
          }}
        />
      )}
      {shown && (
        <ClientSecretDialog shown={shown.client} mode={shown.mode} onClose={() => setShown(null)} />
      )}
    </section>
  );
}
