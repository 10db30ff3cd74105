import { useId, useMemo, useState } from "react";

import type { ActionView } from "../../bindings/ActionView";
import type { ExportClient } from "../../bindings/ExportClient";
import type { ExportReport } from "../../bindings/ExportReport";
import type { ExportVia } from "../../bindings/ExportVia";
import {
  Badge,
  Button,
  Checkbox,
  CopyField,
  EmptyState,
  ErrorNotice,
  ExportIcon,
  LoadingRow,
  Segmented,
  Spinner,
} from "../../components/kit";
import { ConfirmDialog } from "../../components/kit/dialogs";
import { useActions } from "../../data/queries";
import { toIpcError, type IpcError } from "../../ipc";
import { navigate, useSubRoute } from "../../lib/useHashRoute";
import { useExportPreview, useExportWrite } from "./data";
import {
  CHANGE_LABELS,
  CLIENTS,
  clientLabel,
  DEFAULT_CLIENT,
  effectiveVia,
  entryTarget,
  exportable,
  isClient,
  isScope,
  isVia,
  SCOPES,
  selectedNames,
  VIAS,
  whyNotExportable,
  type GatewayScope,
} from "./model";
import { SnippetBlock } from "./SnippetBlock";

import "./ExportScreen.css";

/** `#/export` and `#/export/NAME` (only NAME checked at first). */
export function ExportScreen() {
  const preselect = useSubRoute()[0] ?? null;
  // A new route starts a fresh selection.
  return <ExportView key={preselect ?? ""} preselect={preselect} />;
}

type Outcome =
  | { kind: "written"; report: ExportReport }
  | { kind: "failed"; client: ExportClient; error: IpcError }
  | null;

function ExportView({ preselect }: { preselect: string | null }) {
  const titleId = useId();
  const actions = useActions();
  const all = actions.data;
  const [client, setClient] = useState<ExportClient>(DEFAULT_CLIENT);
  const [via, setVia] = useState<ExportVia>("proxy");
  // From an action's menu, its own entry; else the one entry for every action.
  const [scope, setScope] = useState<GatewayScope>(preselect === null ? "all" : "chosen");
  const [checked, setChecked] = useState<Record<string, boolean>>({});
  const [outcome, setOutcome] = useState<Outcome>(null);
  // What the client gets: Claude Desktop and generic keep proxy entries.
  const mode = effectiveVia(client, via);
  const everyAction = mode === "gateway" && scope === "all";

  const names = useMemo(
    () => (all && !everyAction ? selectedNames(all, checked, preselect, mode) : []),
    [all, checked, preselect, mode, everyAction],
  );

  function pickClient(value: string) {
    if (!isClient(value)) return;
    setClient(value);
    setOutcome(null);
  }

  function pickVia(value: string) {
    if (!isVia(value)) return;
    setVia(value);
    setOutcome(null);
  }

  function pickScope(value: string) {
    if (!isScope(value)) return;
    setScope(value);
    setOutcome(null);
  }

  function check(name: string, on: boolean) {
    setChecked((cur) => ({ ...cur, [name]: on }));
    setOutcome(null);
  }

  function checkAll(on: boolean) {
    setChecked(
      Object.fromEntries((all ?? []).filter((a) => exportable(a, mode)).map((a) => [a.name, on])),
    );
    setOutcome(null);
  }

  let body;
  if (actions.isPending) {
    body = <LoadingRow>Loading actions…</LoadingRow>;
  } else if (actions.isError && all === undefined) {
    body = (
      <ErrorNotice
        error={actions.error}
        title="Couldn’t load actions"
        onRetry={() => void actions.refetch()}
        retrying={actions.isFetching}
        testId="export-actions-error"
      />
    );
  } else if (!all || !all.some((a) => exportable(a, "gateway"))) {
    // Not one enabled action: nothing to export either way.
    body = (
      <EmptyState
        testId="export-empty"
        icon={<ExportIcon size={22} />}
        title="No action to export"
        description={
          all && all.length > 0
            ? "Only enabled actions can be exported, and every action is disabled. Enable one on the Actions screen, or add one."
            : "Add an action first: your MCP clients reach it through patchbay proxy or the gateway."
        }
        action={
          <Button
            variant="primary"
            onClick={() => navigate("actions", "new")}
            data-testid="export-add-action"
          >
            Add Custom Action
          </Button>
        }
      />
    );
  } else {
    const eligible = all.some((a) => exportable(a, mode));
    body = (
      <>
        <div className="export-choices">
          <Segmented
            label="Client"
            name="export-client"
            testIdPrefix="export-client"
            value={client}
            onChange={pickClient}
            options={CLIENTS.map((c) => ({ value: c.id, label: c.label }))}
          />
          <Segmented
            label="Connect through"
            name="export-via"
            testIdPrefix="export-via"
            value={via}
            onChange={pickVia}
            options={VIAS.map((v) => ({ value: v.id, label: v.label }))}
          />
          {mode === "gateway" && (
            <Segmented
              label="Entries"
              name="export-scope"
              testIdPrefix="export-scope"
              value={scope}
              onChange={pickScope}
              options={SCOPES.map((s) => ({ value: s.id, label: s.label }))}
            />
          )}
        </div>
        {eligible || everyAction ? (
          <div className="export-grid">
            {everyAction ? (
              <section className="export-panel" data-testid="export-every-action">
                <h2 className="export-panel__title">Every action</h2>
                <p className="export-note">
                  One entry named <code>patchbay</code> reaches every enabled action through the
                  gateway’s <code>/mcp</code>, tools named <code>ACTION__TOOL</code>; actions you
                  add or enable later appear there too.
                </p>
              </section>
            ) : (
              <ActionPicker
                actions={all}
                names={names}
                preselect={preselect}
                via={mode}
                onCheck={check}
                onCheckAll={checkAll}
              />
            )}
            <Preview
              client={client}
              via={via}
              names={names}
              everyAction={everyAction}
              outcome={outcome}
              onOutcome={setOutcome}
            />
          </div>
        ) : (
          <p className="export-note" data-testid="export-none-eligible">
            No enabled MCP action: <code>patchbay proxy</code> serves MCP actions only. Choose
            Gateway for HTTP actions (Claude Desktop and generic snippets use the proxy).
          </p>
        )}
      </>
    );
  }

  return (
    <section className="screen" aria-labelledby={titleId} data-testid="export-screen">
      <header className="screen__header export-header">
        <div>
          <h1 id={titleId} className="screen__title">
            Export to MCP clients
          </h1>
          <p className="export-header__lede" data-testid="export-lede">
            {mode === "gateway" ? (
              <>
                Each client connects to Patchbay’s gateway on 127.0.0.1 over HTTP and signs in
                through your browser (Codex sends an access key from an environment variable): no
                token or secret is ever written into a client’s config. The gateway runs while it is
                on in <a href="#/gateway">Gateway</a>.
              </>
            ) : (
              <>
                Each client starts <code>patchbay proxy NAME</code>, which signs every request with
                fresh credentials: no token or secret is ever written into a client’s config.
              </>
            )}
          </p>
        </div>
      </header>
      <div className="export-scroll">
        {all && actions.isError && (
          <ErrorNotice
            error={actions.error}
            title="Couldn’t refresh the actions"
            onRetry={() => void actions.refetch()}
            retrying={actions.isFetching}
          />
        )}
        {body}
      </div>
    </section>
  );
}

type PickerProps = {
  actions: ActionView[];
  names: string[];
  preselect: string | null;
  via: ExportVia;
  onCheck: (name: string, on: boolean) => void;
  onCheckAll: (on: boolean) => void;
};

function ActionPicker({ actions, names, preselect, via, onCheck, onCheckAll }: PickerProps) {
  const headingId = useId();
  const missing =
    preselect !== null && !actions.some((a) => a.name === preselect && exportable(a, via))
      ? (actions.find((a) => a.name === preselect) ?? null)
      : undefined;
  const eligible = actions.filter((a) => exportable(a, via)).length;
  return (
    <section className="export-panel" aria-labelledby={headingId}>
      <div className="export-panel__head">
        <h2 id={headingId} className="export-panel__title">
          Actions to include
        </h2>
        <span className="export-panel__count" data-testid="export-selected-count">
          {names.length} of {eligible}
        </span>
      </div>
      {missing !== undefined && (
        <p className="export-note" data-testid="export-preselect-missing">
          {missing
            ? `${missing.name} can’t be exported (${whyNotExportable(missing, via)?.toLowerCase()}).`
            : `There is no action named ${preselect}.`}{" "}
          Choose actions below.
        </p>
      )}
      <div className="export-panel__tools">
        <Button size="sm" variant="ghost" onClick={() => onCheckAll(true)}>
          Select all
        </Button>
        <Button size="sm" variant="ghost" onClick={() => onCheckAll(false)}>
          Clear
        </Button>
      </div>
      <ul className="export-actions" aria-labelledby={headingId}>
        {actions.map((a) => {
          const why = whyNotExportable(a, via);
          return (
            <li
              key={a.id}
              className={why ? "export-action is-unavailable" : "export-action"}
              data-testid="export-action"
              data-name={a.name}
            >
              <Checkbox
                label={a.name}
                name={`export-action-${a.name}`}
                checked={why === null && names.includes(a.name)}
                onCheckedChange={(on) => onCheck(a.name, on)}
                disabled={why !== null}
                hint={why ?? (a.description || undefined)}
              />
            </li>
          );
        })}
      </ul>
    </section>
  );
}

type PreviewProps = {
  client: ExportClient;
  /** As picked: the backend keeps proxy entries (with a note) for clients without URLs. */
  via: ExportVia;
  names: string[];
  /** Through the gateway, the one `/mcp` entry (`names` is empty). */
  everyAction: boolean;
  outcome: Outcome;
  onOutcome: (o: Outcome) => void;
};

function Preview({ client, via, names, everyAction, outcome, onOutcome }: PreviewProps) {
  const headingId = useId();
  const asked = everyAction || names.length > 0;
  const preview = useExportPreview(client, via, names, asked);
  const write = useExportWrite();
  const [confirmOpen, setConfirmOpen] = useState(false);
  const report = preview.data;
  const label = clientLabel(client);
  const generic = client === "generic";

  async function runWrite() {
    try {
      const written = await write.mutateAsync({ client, names, via });
      onOutcome({ kind: "written", report: written });
    } catch (e) {
      onOutcome({ kind: "failed", client, error: toIpcError(e) });
    } finally {
      setConfirmOpen(false);
    }
  }

  let content;
  if (!asked) {
    content = (
      <p className="export-note" data-testid="export-nothing">
        Choose at least one action to see what {label} gets.
      </p>
    );
  } else if (preview.isPending) {
    content = <LoadingRow>Preparing the preview…</LoadingRow>;
  } else if (preview.isError) {
    content = (
      <ErrorNotice
        error={preview.error}
        title={`Couldn’t prepare the entries for ${label}`}
        onRetry={() => void preview.refetch()}
        retrying={preview.isFetching}
        testId="export-preview-error"
      />
    );
  } else {
    const r = preview.data;
    const changeOf = new Map(r.changes.map((c) => [c.name, c.change]));
    const removed = r.changes.filter((c) => c.change === "removed");
    const urls = r.via === "gateway";
    content = (
      <>
        <ReportNotes report={r} />
        {r.path === null ? (
          <p className="export-note" data-testid="export-no-file">
            No file: paste this into your client’s settings.
          </p>
        ) : (
          <CopyField label="Config file" value={r.path} testId="export-path" />
        )}
        <SnippetBlock
          snippet={r.snippet}
          title={generic ? "Snippet to paste" : `What ${label} gets`}
        />
        <div className="export-entries-wrap">
          <h3 className="export-subtitle">
            {generic
              ? "Commands your client will run"
              : urls
                ? "What writing does (the URLs it connects to)"
                : "What writing does"}
          </h3>
          <ul className="export-entries" data-testid="export-entries">
            {r.entries.map((e) => {
              const change = changeOf.get(e.name);
              return (
                <li
                  key={e.name}
                  className="export-entry"
                  data-testid="export-entry"
                  data-name={e.name}
                >
                  <div className="export-entry__head">
                    <span className="export-entry__name">{e.name}</span>
                    {change && !generic && (
                      <Badge tone={CHANGE_LABELS[change].tone} data-testid="export-change">
                        {CHANGE_LABELS[change].label}
                      </Badge>
                    )}
                  </div>
                  <code className="export-entry__command" data-testid="export-command">
                    {entryTarget(e)}
                  </code>
                </li>
              );
            })}
            {removed.map((c) => (
              <li
                key={`removed-${c.name}`}
                className="export-entry"
                data-testid="export-removed"
                data-name={c.name}
              >
                <div className="export-entry__head">
                  <span className="export-entry__name">{c.name}</span>
                  <Badge tone={CHANGE_LABELS.removed.tone}>{CHANGE_LABELS.removed.label}</Badge>
                </div>
                <span className="export-note">
                  Its <code>patchbay proxy</code> entry: the gateway serves it now.
                </span>
              </li>
            ))}
          </ul>
          {!generic && (
            <p className="export-note">
              Writing makes a timestamped backup of the file first and keeps its other entries and
              comments.
            </p>
          )}
          {!generic && r.entries.length > 0 && r.changes.length === 0 && (
            <p className="export-note" data-testid="export-changes-unknown">
              Patchbay couldn’t read the current file, so it can’t say what writing would change.
              Writing checks the file first and leaves it untouched if it can’t be read.
            </p>
          )}
        </div>
      </>
    );
  }

  return (
    <section className="export-panel export-preview" aria-labelledby={headingId}>
      <div className="export-panel__head">
        <h2 id={headingId} className="export-panel__title">
          Preview for {CLIENTS.find((c) => c.id === client)?.label}
        </h2>
        {preview.isFetching && !preview.isPending && <Spinner size={12} />}
        {!generic && (
          <Button
            variant="primary"
            className="export-panel__end"
            disabled={!report || !asked || preview.isError}
            onClick={() => setConfirmOpen(true)}
            data-testid="export-write"
          >
            Write to config
          </Button>
        )}
      </div>
      {outcome?.kind === "written" && <WriteResult report={outcome.report} />}
      {outcome?.kind === "failed" && (
        <ErrorNotice
          error={outcome.error}
          title={`Couldn’t write to ${clientLabel(outcome.client)}’s config`}
          testId="export-write-error"
        >
          <Button size="sm" variant="ghost" onClick={() => onOutcome(null)}>
            Dismiss
          </Button>
        </ErrorNotice>
      )}
      {content}
      <ConfirmDialog
        open={confirmOpen}
        onOpenChange={setConfirmOpen}
        testId="export-confirm"
        title={`Write to ${label}’s config?`}
        description={report ? <ConfirmText report={report} /> : ""}
        confirmLabel="Write"
        busy={write.isPending}
        onConfirm={() => void runWrite()}
      />
    </section>
  );
}

/** The backend's warnings (the gateway is off) and notes (the key Codex needs; why Claude
 * Desktop keeps proxy entries). */
function ReportNotes({ report }: { report: ExportReport }) {
  if (report.warnings.length === 0 && report.notes.length === 0) return null;
  return (
    <ul className="export-notices">
      {report.warnings.map((w) => (
        <li key={w} className="export-notice is-warning" data-testid="export-warning">
          {w}
        </li>
      ))}
      {report.notes.map((n) => (
        <li key={n} className="export-notice" data-testid="export-report-note">
          {n}
        </li>
      ))}
    </ul>
  );
}

/** The confirmation's text (inside the dialog's description paragraph: inline elements only). */
function ConfirmText({ report }: { report: ExportReport }) {
  const changeOf = new Map(report.changes.map((c) => [c.name, c.change]));
  const removed = report.changes.filter((c) => c.change === "removed");
  return (
    <span className="export-confirm">
      <span className="export-confirm__line">
        File: <code data-testid="export-confirm-path">{report.path}</code>
      </span>
      <span className="export-confirm__line">
        {report.via === "gateway"
          ? report.entries.length === 1
            ? "This entry connects to:"
            : "These entries connect to:"
          : report.entries.length === 1
            ? "This entry runs:"
            : "These entries run:"}
      </span>
      <span className="export-confirm__commands" role="list">
        {report.entries.map((e) => {
          const change = changeOf.get(e.name);
          return (
            <span key={e.name} role="listitem" className="export-confirm__command">
              <strong>{e.name}</strong>
              {change && ` (${CHANGE_LABELS[change].label.toLowerCase()})`}:{" "}
              <code data-testid="export-confirm-command">{entryTarget(e)}</code>
            </span>
          );
        })}
      </span>
      {removed.length > 0 && (
        <span className="export-confirm__line" data-testid="export-confirm-removed">
          The <code>patchbay proxy</code> entries they replace are taken out:{" "}
          {removed.map((c) => c.name).join(", ")}.
        </span>
      )}
      <span className="export-confirm__line">
        A timestamped backup of the file is made first. Other entries and comments in it are kept.
      </span>
    </span>
  );
}

function WriteResult({ report }: { report: ExportReport }) {
  const n = report.entries.length;
  const removed = report.changes.filter((c) => c.change === "removed").length;
  return (
    <div
      className="export-result"
      role="status"
      data-testid="export-result"
      data-written={report.written}
    >
      <p className="export-result__title">
        {report.written
          ? `Wrote ${n} ${n === 1 ? "entry" : "entries"} to ${report.path ?? "the config file"}`
          : `${report.path ?? "The config file"} is already up to date: nothing was written.`}
      </p>
      {report.written && removed > 0 && (
        <p className="export-result__line" data-testid="export-result-removed">
          Took out {removed} <code>patchbay proxy</code> {removed === 1 ? "entry" : "entries"} the
          gateway serves now.
        </p>
      )}
      {report.backup && (
        <p className="export-result__line" data-testid="export-backup">
          Backup of the previous file: <code>{report.backup}</code>
        </p>
      )}
      {report.written && (
        <p className="export-result__line">
          Restart the client (or reload its MCP servers) to pick up the new entries
          {report.via === "gateway" && report.client !== "codex"
            ? "; it signs in through your browser at the gateway the first time."
            : "."}
        </p>
      )}
    </div>
  );
}
