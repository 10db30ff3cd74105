import { useId, useMemo, useState } from "react";

import type { ActionView } from "../../bindings/ActionView";
import type { ExportClient } from "../../bindings/ExportClient";
import type { ExportReport } from "../../bindings/ExportReport";
import {
  Badge,
  Button,
  Checkbox,
  ConfirmDialog,
  CopyField,
  EmptyState,
  ErrorNotice,
  ExportIcon,
  LoadingRow,
  Segmented,
  Spinner,
} from "../../components/kit";
import { useActions } from "../../data/queries";
import { toIpcError, type IpcError } from "../../ipc";
import { navigate, useSubRoute } from "../../lib/useHashRoute";
import { useExportPreview, useExportWrite } from "./data";
import {
  CHANGE_LABELS,
  CLIENTS,
  clientLabel,
  commandLine,
  DEFAULT_CLIENT,
  exportable,
  isClient,
  selectedNames,
  whyNotExportable,
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
  const [checked, setChecked] = useState<Record<string, boolean>>({});
  const [outcome, setOutcome] = useState<Outcome>(null);

  const names = useMemo(
    () => (all ? selectedNames(all, checked, preselect) : []),
    [all, checked, preselect],
  );

  function pickClient(value: string) {
    if (!isClient(value)) return;
    setClient(value);
    setOutcome(null);
  }

  function check(name: string, on: boolean) {
    setChecked((cur) => ({ ...cur, [name]: on }));
    setOutcome(null);
  }

  function checkAll(on: boolean) {
    setChecked(Object.fromEntries((all ?? []).filter(exportable).map((a) => [a.name, on])));
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
  } else if (!all || !all.some(exportable)) {
    body = (
      <EmptyState
        testId="export-empty"
        icon={<ExportIcon size={22} />}
        title="No MCP action to export"
        description={
          all && all.length > 0
            ? "Only enabled MCP actions can be exported: HTTP actions have no MCP server, and disabled actions are skipped. Add an MCP action or enable one on the Actions screen."
            : "Add an MCP action first: each one becomes a server your MCP clients start with patchbay proxy."
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
    body = (
      <>
        <Segmented
          label="Client"
          name="export-client"
          testIdPrefix="export-client"
          value={client}
          onChange={pickClient}
          options={CLIENTS.map((c) => ({ value: c.id, label: c.label }))}
        />
        <div className="export-grid">
          <ActionPicker
            actions={all}
            names={names}
            preselect={preselect}
            onCheck={check}
            onCheckAll={checkAll}
          />
          <Preview client={client} names={names} outcome={outcome} onOutcome={setOutcome} />
        </div>
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
          <p className="export-header__lede">
            Each client starts <code>patchbay proxy NAME</code>, which signs every request with
            fresh credentials: no token or secret is ever written into a client’s config.
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
  onCheck: (name: string, on: boolean) => void;
  onCheckAll: (on: boolean) => void;
};

function ActionPicker({ actions, names, preselect, onCheck, onCheckAll }: PickerProps) {
  const headingId = useId();
  const missing =
    preselect !== null && !actions.some((a) => a.name === preselect && exportable(a))
      ? (actions.find((a) => a.name === preselect) ?? null)
      : undefined;
  const eligible = actions.filter(exportable).length;
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
            ? `${missing.name} can’t be exported (${whyNotExportable(missing)?.toLowerCase()}).`
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
          const why = whyNotExportable(a);
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
  names: string[];
  outcome: Outcome;
  onOutcome: (o: Outcome) => void;
};

function Preview({ client, names, outcome, onOutcome }: PreviewProps) {
  const headingId = useId();
  const preview = useExportPreview(client, names);
  const write = useExportWrite();
  const [confirmOpen, setConfirmOpen] = useState(false);
  const report = preview.data;
  const label = clientLabel(client);
  const generic = client === "generic";

  async function runWrite() {
    try {
      const written = await write.mutateAsync({ client, names });
      onOutcome({ kind: "written", report: written });
    } catch (e) {
      onOutcome({ kind: "failed", client, error: toIpcError(e) });
    } finally {
      setConfirmOpen(false);
    }
  }

  let content;
  if (names.length === 0) {
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
    content = (
      <>
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
            {generic ? "Commands your client will run" : "What writing does"}
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
                    {commandLine(e)}
                  </code>
                </li>
              );
            })}
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
            disabled={!report || names.length === 0 || preview.isError}
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

/** The confirmation's text (inside the dialog's description paragraph: inline elements only). */
function ConfirmText({ report }: { report: ExportReport }) {
  const changeOf = new Map(report.changes.map((c) => [c.name, c.change]));
  return (
    <span className="export-confirm">
      <span className="export-confirm__line">
        File: <code data-testid="export-confirm-path">{report.path}</code>
      </span>
      <span className="export-confirm__line">
        {report.entries.length === 1 ? "This entry runs:" : "These entries run:"}
      </span>
      <span className="export-confirm__commands" role="list">
        {report.entries.map((e) => {
          const change = changeOf.get(e.name);
          return (
            <span key={e.name} role="listitem" className="export-confirm__command">
              <strong>{e.name}</strong>
              {change && ` (${CHANGE_LABELS[change].label.toLowerCase()})`}:{" "}
              <code data-testid="export-confirm-command">{commandLine(e)}</code>
            </span>
          );
        })}
      </span>
      <span className="export-confirm__line">
        A timestamped backup of the file is made first. Other entries and comments in it are kept.
      </span>
    </span>
  );
}

function WriteResult({ report }: { report: ExportReport }) {
  const n = report.entries.length;
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
      {report.backup && (
        <p className="export-result__line" data-testid="export-backup">
          Backup of the previous file: <code>{report.backup}</code>
        </p>
      )}
      {report.written && (
        <p className="export-result__line">
          Restart the client (or reload its MCP servers) to pick up the new entries.
        </p>
      )}
    </div>
  );
}
