import { useQueryClient } from "@tanstack/react-query";
import { Suspense, useCallback, useState } from "react";

import type { ActionView } from "../../bindings/ActionView";
import type { GrantView } from "../../bindings/GrantView";
import {
  Badge,
  Button,
  errorToast,
  Menu,
  type MenuItem,
  Spinner,
  Switch,
  toast,
} from "../../components/kit";
import {
  useOAuthStatus,
  useRemoveAction,
  useSetActionEnabled,
  useTestAction,
} from "../../data/queries";
import { queryKeys } from "../../data/keys";
import { cancelConnect, connect, disconnect, toIpcError } from "../../ipc";
import { navigate } from "../../lib/useHashRoute";
import { cellClass } from "./columns";
import { authLabel, KIND_LABELS } from "./format";
import { BreakerBadge, CheckedAgo, HealthBadge } from "../../components/health/HealthBadge";
import { testResultToast } from "../../components/health/format";
import { connectLabel, disconnectToast } from "./messages";
import { ConfirmDialog, DeviceCodeDialog, DiagnoseDialog } from "./parts";

/** Which secrets go with the action when it is deleted, in words. */
function deleteDescription(action: ActionView): string {
  const base = `${action.name} and the secrets and tokens stored for it are removed from this computer. Agents can no longer call it. This can’t be undone.`;
  const ref = action.auth.ref;
  if (action.auth.type === "connection" && ref) {
    return `${base} The OAuth connection ${ref} it uses is kept.`;
  }
  if ((action.auth.type === "token" || action.auth.type === "http-token") && ref) {
    return `${base} The token ${ref} it uses is kept.`;
  }
  return base;
}

export function ActionRow({ action, now }: { action: ActionView; now: number }) {
  const { name } = action;
  const isOAuth = action.auth.type === "oauth";
  const qc = useQueryClient();
  const grant = useOAuthStatus("action", name, isOAuth);
  const setEnabled = useSetActionEnabled();
  const test = useTestAction();
  const remove = useRemoveAction();
  const [connecting, setConnecting] = useState(false);
  const [disconnecting, setDisconnecting] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  // The delete dialog is mounted once first asked for (and kept, for its closing animation):
  // five closed Radix dialogs cost the first screen's render a few milliseconds, and its
  // code is not in the start-up bundle (parts.ts).
  const [deleteAsked, setDeleteAsked] = useState(false);
  const [diagnosing, setDiagnosing] = useState(false);
  const [withCode, setWithCode] = useState(false);

  function toggle(enabled: boolean) {
    setEnabled.mutateAsync({ name, enabled }).catch((e: unknown) => {
      toast(errorToast(`Couldn’t ${enabled ? "enable" : "disable"} ${name}`, e));
    });
  }

  function runTest() {
    test.mutateAsync(name).then(
      (health) => toast(testResultToast(name, health)),
      (e: unknown) => toast(errorToast(`Couldn’t test ${name}`, e)),
    );
  }

  async function runConnect() {
    setConnecting(true);
    try {
      const g = await connect("action", name);
      qc.setQueryData(queryKeys.oauthStatus("action", name), g);
      toast({
        title: g.account ? `Connected as ${g.account}` : `Connected ${name}`,
        tone: "success",
      });
      void qc.invalidateQueries({ queryKey: queryKeys.actions });
    } catch (e) {
      if (toIpcError(e).code === "cancelled") {
        toast({ title: `Sign-in to ${name} cancelled`, tone: "info" });
      } else {
        toast(errorToast(`Couldn’t connect ${name}`, e));
      }
    } finally {
      setConnecting(false);
    }
  }

  const closeWithCode = useCallback(() => setWithCode(false), []);
  const connectedWithCode = useCallback(
    (g: GrantView) => {
      setWithCode(false);
      toast({
        title: g.account ? `Connected as ${g.account}` : `Connected ${name}`,
        tone: "success",
      });
    },
    [name],
  );

  function stopConnect() {
    cancelConnect("action", name).catch((e: unknown) =>
      toast(errorToast(`Couldn’t cancel the sign-in to ${name}`, e)),
    );
  }

  async function runDisconnect() {
    setDisconnecting(true);
    try {
      const report = await disconnect("action", name);
      qc.setQueryData(queryKeys.oauthStatus("action", name), report);
      toast(disconnectToast(name, report));
      void qc.invalidateQueries({ queryKey: queryKeys.actions });
    } catch (e) {
      toast(errorToast(`Couldn’t disconnect ${name}`, e));
    } finally {
      setDisconnecting(false);
    }
  }

  async function runDelete() {
    try {
      await remove.mutateAsync(name);
      setConfirmDelete(false);
      toast({ title: `Deleted ${name}`, tone: "success" });
    } catch (e) {
      setConfirmDelete(false);
      toast(errorToast(`Couldn’t delete ${name}`, e));
    }
  }

  const items: MenuItem[] = [
    { label: "Edit", testId: "menu-edit", onSelect: () => navigate("actions", name, "edit") },
    {
      label: "Test Connection",
      testId: "menu-test",
      disabled: test.isPending,
      onSelect: runTest,
    },
    { label: "Diagnose…", testId: "menu-diagnose", onSelect: () => setDiagnosing(true) },
  ];
  if (isOAuth) {
    items.push({
      label: connectLabel(action, grant.data),
      testId: "menu-connect",
      disabled: connecting,
      onSelect: () => void runConnect(),
    });
    if (action.kind === "mcp" && action.grant !== "client-credentials") {
      items.push({
        label: "Sign in with a code…",
        testId: "menu-connect-code",
        disabled: connecting,
        onSelect: () => setWithCode(true),
      });
    }
    if (grant.data?.connected) {
      items.push({
        label: "Disconnect",
        testId: "menu-disconnect",
        disabled: disconnecting,
        onSelect: () => void runDisconnect(),
      });
    }
  }
  if (action.kind === "mcp" && action.enabled) {
    items.push({
      label: "Export…",
      testId: "menu-export",
      onSelect: () => navigate("export", name),
    });
  }
  items.push(
    {
      label: action.enabled ? "Disable" : "Enable",
      testId: "menu-toggle",
      separatorBefore: true,
      onSelect: () => toggle(!action.enabled),
    },
    {
      label: "Delete…",
      testId: "menu-delete",
      destructive: true,
      onSelect: () => {
        setDeleteAsked(true);
        setConfirmDelete(true);
      },
    },
  );

  const auth = authLabel(action.auth);
  return (
    <tr
      className={action.enabled ? undefined : "is-disabled"}
      data-testid="action-row"
      data-name={name}
      data-enabled={action.enabled}
    >
      <td className={cellClass.name}>
        <div className="cell-name">
          <span className="cell-name__title" title={name}>
            {name}
          </span>
          {connecting ? (
            <span className="cell-name__waiting" data-testid="connect-waiting" role="status">
              <Spinner size={11} />
              Waiting for the browser…
              <Button
                variant="ghost"
                size="sm"
                className="cell-name__cancel"
                onClick={stopConnect}
                data-testid="connect-cancel"
              >
                Cancel
              </Button>
            </span>
          ) : (
            action.description && (
              <span className="cell-name__description" title={action.description}>
                {action.description}
              </span>
            )
          )}
        </div>
      </td>
      <td className={cellClass.kind}>
        <Badge variant="outline" tone={action.kind === "mcp" ? "accent" : "info"}>
          {KIND_LABELS[action.kind]}
        </Badge>
      </td>
      <td className={cellClass.url}>
        <span className="cell-truncate cell-url" title={action.url}>
          {action.url}
        </span>
      </td>
      <td className={cellClass.auth}>
        <span className="cell-truncate" title={auth}>
          {auth}
        </span>
      </td>
      <td className={cellClass.health}>
        <div className="cell-health">
          <div className="cell-health__badges">
            <HealthBadge health={action.health} now={now} testing={test.isPending} />
            <BreakerBadge breaker={action.breaker} now={now} />
          </div>
          {!test.isPending && <CheckedAgo health={action.health} now={now} />}
        </div>
      </td>
      <td className={cellClass.enabled}>
        <Switch
          checked={action.enabled}
          onCheckedChange={toggle}
          label={`Enabled: ${name}`}
          testId="action-enabled"
        />
      </td>
      <td className={cellClass.more}>
        <Menu label={`More actions for ${name}`} testId="action-menu" items={items} />
        {/* Each dialog is mounted when first asked for, its code fetched then if it is not yet
            (parts.ts); the delete dialog stays mounted for its closing animation. */}
        <Suspense fallback={null}>
          {deleteAsked && (
            <ConfirmDialog
              open={confirmDelete}
              onOpenChange={setConfirmDelete}
              title={`Delete ${name}?`}
              description={deleteDescription(action)}
              confirmLabel="Delete"
              destructive
              busy={remove.isPending}
              onConfirm={() => void runDelete()}
            />
          )}
          {diagnosing && <DiagnoseDialog name={name} onClose={() => setDiagnosing(false)} />}
          {withCode && (
            <DeviceCodeDialog name={name} onClose={closeWithCode} onConnected={connectedWithCode} />
          )}
        </Suspense>
      </td>
    </tr>
  );
}
