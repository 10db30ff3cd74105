import { useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";

import type { ConnectionView } from "../../bindings/ConnectionView";
import {
  Button,
  CopyField,
  EmptyState,
  ErrorNotice,
  LinkIcon,
  listState,
  Spinner,
  toast,
} from "../../components/kit";
import { ConfirmDialog } from "../../components/kit/dialogs";
import { disconnect, removeConnection, toIpcError } from "../../ipc";
import { ListBody, ListScreen, type ListNotice } from "../../components/layout/ListScreen";
import { queryKeys } from "../../data/keys";
import { useCallbackUrls, useConnections } from "../../data/queries";
import { ConnectionDialog } from "./ConnectionDialog";
import { ConnectionRow } from "./ConnectionRow";
import { groupByProvider } from "./model";

import "./ConnectionsScreen.css";

type Editing = { mode: "add" } | { mode: "edit"; connection: ConnectionView } | null;

/** OAuth Connections: reusable OAuth apps and the redirect URIs to register. */
export function ConnectionsScreen() {
  const queryClient = useQueryClient();
  const connections = useConnections();
  const all = connections.data;
  const groups = useMemo(() => (all ? groupByProvider(all) : []), [all]);

  const [editing, setEditing] = useState<Editing>(null);
  const [dialogKey, setDialogKey] = useState(0);
  // The confirm dialogs keep their target while they close (no "Delete ?" flash).
  const [deleting, setDeleting] = useState<ConnectionView | null>(null);
  const [deleteOpen, setDeleteOpen] = useState(false);
  const [disconnecting, setDisconnecting] = useState<ConnectionView | null>(null);
  const [disconnectOpen, setDisconnectOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<ListNotice | null>(null);

  function openDialog(next: Editing) {
    setDialogKey((k) => k + 1);
    setEditing(next);
  }

  async function confirmDelete(c: ConnectionView) {
    setBusy(true);
    try {
      await removeConnection(c.name);
      toast({ title: `Deleted ${c.name}`, tone: "success" });
      setNotice(null);
    } catch (e) {
      const error = toIpcError(e);
      setNotice({
        title: `Couldn’t delete ${c.name}`,
        error,
        details:
          error.code === "in_use" && c.usedBy.length > 0 ? (
            <p className="notice-details" data-testid="connection-in-use">
              Used by {c.usedBy.join(", ")}. Edit{" "}
              {c.usedBy.length === 1 ? "that action" : "those actions"} to use another connection or
              authentication, then delete this one.
            </p>
          ) : undefined,
      });
    } finally {
      setBusy(false);
      setDeleteOpen(false);
      void queryClient.invalidateQueries({ queryKey: queryKeys.connections });
    }
  }

  async function confirmDisconnect(c: ConnectionView) {
    setBusy(true);
    try {
      const report = await disconnect("connection", c.name);
      const r = report.revocation;
      const description =
        r.outcome === "revoked"
          ? "The provider revoked its tokens."
          : r.outcome === "failed"
            ? `The provider couldn’t revoke them${r.message ? `: ${r.message}` : ""}. They were forgotten here.`
            : r.outcome === "unsupported"
              ? "The provider has no revocation endpoint; the tokens were forgotten here."
              : "There was nothing to revoke.";
      toast({
        title: `Disconnected ${c.name}`,
        description:
          r.message && r.outcome === "revoked" ? `${description} ${r.message}` : description,
        tone: r.outcome === "failed" ? "info" : "success",
      });
      setNotice(null);
    } catch (e) {
      setNotice({ title: `Couldn’t disconnect ${c.name}`, error: toIpcError(e) });
    } finally {
      setBusy(false);
      setDisconnectOpen(false);
      void queryClient.invalidateQueries({ queryKey: queryKeys.oauthStatus("connection", c.name) });
    }
  }

  const body = listState(connections, {
    noun: "connections",
    errorTestId: "connections-error",
    empty: (
      <EmptyState
        testId="connections-empty"
        icon={<LinkIcon size={22} />}
        title="No OAuth connections yet"
        description="A connection is an OAuth app you registered with a provider (HubSpot, Salesforce, GitHub…). Set it up once, sign in, and reuse it from any action: tokens refresh on their own."
        action={
          <Button variant="primary" onClick={() => openDialog({ mode: "add" })}>
            Add connection
          </Button>
        }
      />
    ),
  }) ?? (
    <div className="conn-groups">
      {groups.map((g) => (
        <section key={g.provider.toLowerCase()} className="conn-group" aria-label={g.provider}>
          <h2 className="conn-group__title">
            {g.provider}
            <span className="conn-group__count">{g.items.length}</span>
          </h2>
          <ul className="conn-list">
            {g.items.map((c) => (
              <ConnectionRow
                key={c.id}
                connection={c}
                onEdit={() => openDialog({ mode: "edit", connection: c })}
                onDisconnect={() => {
                  setDisconnecting(c);
                  setDisconnectOpen(true);
                }}
                onDelete={() => {
                  setDeleting(c);
                  setDeleteOpen(true);
                }}
              />
            ))}
          </ul>
        </section>
      ))}
    </div>
  );

  return (
    <ListScreen
      title="OAuth Connections"
      testId="connections-screen"
      count={all?.length}
      countTestId="connections-count"
      tools={
        <Button
          variant="primary"
          onClick={() => openDialog({ mode: "add" })}
          data-testid="add-connection"
        >
          Add connection
        </Button>
      }
    >
      <ListBody
        query={connections}
        notice={notice}
        noticeTestId="connections-notice"
        onDismissNotice={() => setNotice(null)}
      >
        <CallbackUrlsPanel />
        {body}
      </ListBody>

      {editing && (
        <ConnectionDialog
          key={dialogKey}
          editing={editing.mode === "edit" ? editing.connection : null}
          onClose={() => setEditing(null)}
        />
      )}
      <ConfirmDialog
        open={deleteOpen}
        onOpenChange={setDeleteOpen}
        title={`Delete ${deleting?.name ?? ""}?`}
        description={
          deleting && deleting.usedBy.length > 0
            ? `Used by ${deleting.usedBy.join(", ")}: point ${deleting.usedBy.length === 1 ? "that action" : "those actions"} elsewhere first. Deleting forgets the client secret and the sign-in.`
            : "This forgets the client secret and the sign-in. Actions can’t use it any more."
        }
        confirmLabel="Delete"
        destructive
        busy={busy}
        onConfirm={() => deleting && void confirmDelete(deleting)}
      />
      <ConfirmDialog
        open={disconnectOpen}
        onOpenChange={setDisconnectOpen}
        title={`Disconnect ${disconnecting?.name ?? ""}?`}
        description="The tokens are revoked at the provider where it allows it, and forgotten here. Actions using this connection stop working until you connect again."
        confirmLabel="Disconnect"
        destructive
        busy={busy}
        testId="disconnect-dialog"
        onConfirm={() => disconnecting && void confirmDisconnect(disconnecting)}
      />
    </ListScreen>
  );
}

/** The redirect URIs to register with the provider's OAuth app. */
function CallbackUrlsPanel() {
  const urls = useCallbackUrls();
  return (
    <section
      className="panel callback-panel"
      data-testid="callback-urls"
      aria-labelledby="callback-urls-title"
    >
      <div className="callback-panel__head">
        <h2 id="callback-urls-title" className="callback-panel__title">
          Callback URLs
        </h2>
        <p className="callback-panel__text">
          Register this as the redirect URI in your OAuth app (the provider may call it “callback
          URL”). It is the same for every connection.
        </p>
      </div>
      {urls.isPending ? (
        <Spinner label="Loading callback URLs…" />
      ) : urls.isError ? (
        <ErrorNotice
          error={urls.error}
          title="Couldn’t read the callback URLs"
          onRetry={() => void urls.refetch()}
          retrying={urls.isFetching}
        />
      ) : (
        <div className="callback-panel__fields">
          <div>
            <CopyField label="Loopback" value={urls.data.loopback} testId="callback-loopback" />
            <p className="callback-panel__when">
              Works for every sign-in, from this app or the terminal. Use it unless the provider
              refuses http://127.0.0.1 redirect URIs.
            </p>
          </div>
          <div>
            <CopyField label="App link" value={urls.data.appLink} testId="callback-app-link" />
            <p className="callback-panel__when">
              Only for sign-ins started in this app: for providers that refuse http loopback
              redirect URIs. Register both if you are unsure.
            </p>
          </div>
        </div>
      )}
    </section>
  );
}
