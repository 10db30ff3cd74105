import { useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";

import type { TokenTestReport } from "../../bindings/TokenTestReport";
import type { TokenView } from "../../bindings/TokenView";
import {
  Badge,
  Button,
  EmptyState,
  ErrorNotice,
  KeyIcon,
  listState,
  LoadingRow,
  Menu,
  toast,
} from "../../components/kit";
import { ConfirmDialog, Dialog } from "../../components/kit/dialogs";
import { ListBody, ListScreen, type ListNotice } from "../../components/layout/ListScreen";
import { queryKeys } from "../../data/keys";
import { useTokens } from "../../data/queries";
import { removeToken, testToken, toIpcError, type IpcError } from "../../ipc";
import { headerPreview, kindLabel } from "./model";
import { TokenDialog } from "./TokenDialog";
import { TokenTestResult } from "./TokenTestResult";

import "./TokensScreen.css";

type Editing = { mode: "add" } | { mode: "edit"; token: TokenView } | null;
type TestRun =
  | { token: TokenView; phase: "running" }
  | { token: TokenView; phase: "done"; report: TokenTestReport }
  | { token: TokenView; phase: "failed"; error: IpcError }
  | null;

const byName = (a: TokenView, b: TokenView) =>
  a.name.localeCompare(b.name, undefined, { sensitivity: "base" });

/** Tokens: text tokens and HTTP request tokens, never their values. */
export function TokensScreen() {
  const queryClient = useQueryClient();
  const tokens = useTokens();
  const all = tokens.data;
  const sorted = useMemo(() => (all ? [...all].sort(byName) : []), [all]);

  const [editing, setEditing] = useState<Editing>(null);
  const [dialogKey, setDialogKey] = useState(0);
  // Dialogs keep their target while they close (no "Delete ?" flash).
  const [deleting, setDeleting] = useState<TokenView | null>(null);
  const [deleteOpen, setDeleteOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<ListNotice | null>(null);
  const [testRun, setTestRun] = useState<TestRun>(null);
  const [testOpen, setTestOpen] = useState(false);

  function openDialog(next: Editing) {
    setDialogKey((k) => k + 1);
    setEditing(next);
  }

  async function runTest(token: TokenView) {
    setTestRun({ token, phase: "running" });
    setTestOpen(true);
    try {
      const report = await testToken(token.name);
      setTestRun((cur) =>
        cur?.token.name === token.name ? { token, phase: "done", report } : cur,
      );
    } catch (e) {
      const error = toIpcError(e);
      setTestRun((cur) =>
        cur?.token.name === token.name ? { token, phase: "failed", error } : cur,
      );
    }
  }

  async function confirmDelete(t: TokenView) {
    setBusy(true);
    try {
      await removeToken(t.name);
      toast({ title: `Deleted ${t.name}`, tone: "success" });
      setNotice(null);
    } catch (e) {
      const error = toIpcError(e);
      setNotice({
        title: `Couldn’t delete ${t.name}`,
        error,
        details:
          error.code === "in_use" && t.usedBy.length > 0 ? (
            <p className="notice-details" data-testid="token-in-use">
              Used by {t.usedBy.join(", ")}. Edit{" "}
              {t.usedBy.length === 1 ? "that action" : "those actions"} to use another token or
              authentication, then delete this one.
            </p>
          ) : undefined,
      });
    } finally {
      setBusy(false);
      setDeleteOpen(false);
      void queryClient.invalidateQueries({ queryKey: queryKeys.tokens });
    }
  }

  const body = listState(tokens, {
    noun: "tokens",
    errorTestId: "tokens-error",
    empty: (
      <EmptyState
        testId="tokens-empty"
        icon={<KeyIcon size={22} />}
        title="No tokens yet"
        description="A token is a credential your actions send in a header: a text token holds a fixed value such as an API key; an HTTP request token is fetched from your authentication endpoint and refreshed on 401."
        action={
          <Button variant="primary" onClick={() => openDialog({ mode: "add" })}>
            Add token
          </Button>
        }
      />
    ),
  }) ?? (
    <ul className="conn-list" aria-label="Tokens">
      {sorted.map((t) => (
        <TokenRow
          key={t.id}
          token={t}
          onEdit={() => openDialog({ mode: "edit", token: t })}
          onTest={() => void runTest(t)}
          onDelete={() => {
            setDeleting(t);
            setDeleteOpen(true);
          }}
        />
      ))}
    </ul>
  );

  return (
    <ListScreen
      title="Tokens"
      testId="tokens-screen"
      count={all?.length}
      countTestId="tokens-count"
      tools={
        <Button
          variant="primary"
          onClick={() => openDialog({ mode: "add" })}
          data-testid="add-token"
        >
          Add token
        </Button>
      }
    >
      <ListBody
        query={tokens}
        notice={notice}
        noticeTestId="tokens-notice"
        onDismissNotice={() => setNotice(null)}
      >
        {body}
      </ListBody>

      {editing && (
        <TokenDialog
          key={dialogKey}
          editing={editing.mode === "edit" ? editing.token : null}
          onClose={() => setEditing(null)}
        />
      )}
      <ConfirmDialog
        open={deleteOpen}
        onOpenChange={setDeleteOpen}
        title={`Delete ${deleting?.name ?? ""}?`}
        description={
          deleting && deleting.usedBy.length > 0
            ? `Used by ${deleting.usedBy.join(", ")}: point ${deleting.usedBy.length === 1 ? "that action" : "those actions"} elsewhere first. Deleting removes its secrets from the keychain.`
            : "This removes the token and its secrets from the keychain."
        }
        confirmLabel="Delete"
        destructive
        busy={busy}
        onConfirm={() => deleting && void confirmDelete(deleting)}
      />
      <Dialog
        open={testOpen}
        onOpenChange={setTestOpen}
        title={`Test ${testRun?.token.name ?? ""}`}
        description="Performs the token’s request now and shows what came back (never the token)."
        testId="token-test-dialog"
        footer={
          <>
            <Button
              onClick={() => testRun && void runTest(testRun.token)}
              busy={testRun?.phase === "running"}
            >
              Run again
            </Button>
            <Button variant="primary" onClick={() => setTestOpen(false)}>
              Close
            </Button>
          </>
        }
      >
        {testRun?.phase === "running" && <LoadingRow>Requesting a token…</LoadingRow>}
        {testRun?.phase === "done" && <TokenTestResult report={testRun.report} />}
        {testRun?.phase === "failed" && (
          <ErrorNotice
            error={testRun.error}
            title="The test request failed"
            testId="token-test-error"
          />
        )}
      </Dialog>
    </ListScreen>
  );
}

type RowProps = {
  token: TokenView;
  onEdit: () => void;
  onTest: () => void;
  onDelete: () => void;
};

function TokenRow({ token: t, onEdit, onTest, onDelete }: RowProps) {
  const http = t.kind === "http-request";
  return (
    <li className="conn-row" data-testid="token-row" data-name={t.name}>
      <div className="conn-row__main">
        <div className="conn-row__title">
          <span className="conn-row__name">{t.name}</span>
          <Badge tone={http ? "info" : "neutral"} data-testid="token-kind">
            {kindLabel(t)}
          </Badge>
          {!http && !t.valueSet && (
            <Badge tone="warning" dot>
              No value stored
            </Badge>
          )}
        </div>
        {t.description && <p className="conn-row__description">{t.description}</p>}
        <dl className="conn-row__meta">
          <div>
            <dt>Header</dt>
            <dd className="mono" data-testid="token-header">
              {headerPreview(t)}
            </dd>
          </div>
          {http && t.request && (
            <div>
              <dt>Request</dt>
              <dd className="mono" title={t.request.url}>
                {t.request.method} {t.request.url}
              </dd>
            </div>
          )}
          <div>
            <dt>Used by</dt>
            <dd data-testid="token-used-by">
              {t.usedBy.length ? t.usedBy.join(", ") : "No actions yet"}
            </dd>
          </div>
        </dl>
      </div>
      <Menu
        label={`More actions for ${t.name}`}
        testId="token-menu"
        items={[
          { label: "Edit", onSelect: onEdit, testId: "token-edit" },
          ...(http
            ? [{ label: "Test request", onSelect: onTest, testId: "token-test-saved" }]
            : []),
          {
            label: "Delete",
            onSelect: onDelete,
            destructive: true,
            separatorBefore: true,
            testId: "token-delete",
          },
        ]}
      />
    </li>
  );
}
