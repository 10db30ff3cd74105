import { useEffect, useId, useMemo, useRef, useState } from "react";

import type { ExportVia } from "../../bindings/ExportVia";
import type { FoundEntry } from "../../bindings/FoundEntry";
import type { ImportFileReport } from "../../bindings/ImportFileReport";
import { Badge, Button, Checkbox, ErrorNotice, LoadingRow, Segmented } from "../../components/kit";
import { toIpcError, type IpcError } from "../../ipc";
import { isVia, VIAS } from "../export/model";
import { useImportApply, useImportScan } from "./data";
import {
  authNote,
  entryKey,
  hasOffers,
  importable,
  initialChoice,
  KIND_LABELS,
  OUTCOME_LABELS,
  rewritable,
  sourceLabel,
  summarize,
  toForm,
  whyNot,
  type Choice,
} from "./model";

import "./ImportPanel.css";

/** Waits for the first paint (two animation frames), so that reading files never delays it. */
function useAfterFirstPaint(): boolean {
  const [painted, setPainted] = useState(false);
  useEffect(() => {
    let second = 0;
    const first = requestAnimationFrame(() => {
      second = requestAnimationFrame(() => setPainted(true));
    });
    return () => {
      cancelAnimationFrame(first);
      cancelAnimationFrame(second);
    };
  }, []);
  return painted;
}

type Props = {
  /** `card`: on the empty Actions screen, shown only when the scan found something.
   * `screen`: the Import screen, which also says when nothing was found. */
  variant: "card" | "screen";
  /** When an import starts: the host keeps the panel where it is from then on (the actions
   * it makes change the screen around it before the import's answer arrives). */
  onStart?: () => void;
  /** The summary's Done button (none: no button). */
  onDone?: () => void;
};

type Outcome = { kind: "done"; reports: ImportFileReport[] } | { kind: "failed"; error: IpcError };

/**
 * What the other MCP clients' config files and mcp-remote's sign-ins hold (a dry run of
 * `patchbay import`, asked after the first paint), a checkbox per entry to import and one to
 * rewrite it to go through Patchbay, and what importing did.
 */
export function ImportPanel({ variant, onStart, onDone }: Props) {
  const titleId = useId();
  const ref = useRef<HTMLElement>(null);
  const painted = useAfterFirstPaint();
  const scan = useImportScan(painted);
  const apply = useImportApply();
  const [choice, setChoice] = useState<Choice | null>(null);
  const [via, setVia] = useState<ExportVia>("proxy");
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const reports = useMemo(() => scan.data ?? [], [scan.data]);
  const chosen = choice ?? initialChoice(reports);
  const form = toForm(reports, chosen, via);

  function set(key: string, change: Partial<Choice[string]>) {
    setChoice((cur) => {
      const base = cur ?? initialChoice(reports);
      const was = base[key] ?? { take: false, rewrite: false };
      return { ...base, [key]: { ...was, ...change } };
    });
    setOutcome(null);
  }

  async function run() {
    onStart?.();
    try {
      const done = await apply.mutateAsync(form);
      setOutcome({ kind: "done", reports: done });
      setChoice(null);
      // The list gives way to the summary: bring its top into view.
      requestAnimationFrame(() => ref.current?.scrollIntoView?.({ block: "nearest" }));
    } catch (e) {
      setOutcome({ kind: "failed", error: toIpcError(e) });
    }
  }

  const offers = hasOffers(reports);
  if (variant === "card" && outcome === null && (!scan.isSuccess || !offers)) {
    // Nothing found (or not yet, or the scan failed): the empty screen stays as it is.
    return null;
  }

  let body;
  if (outcome?.kind === "done") {
    // What was done, and nothing more to choose (the scan is read again when asked again).
    body = null;
  } else if (scan.isPending) {
    body = <LoadingRow>Looking for MCP client config files…</LoadingRow>;
  } else if (scan.isError) {
    body = (
      <ErrorNotice
        error={scan.error}
        title="Couldn’t look for MCP client config files"
        onRetry={() => void scan.refetch()}
        retrying={scan.isFetching}
        testId="import-scan-error"
      />
    );
  } else if (reports.length === 0) {
    body = (
      <p className="import-note" data-testid="import-nothing">
        No config file of Claude Desktop, Claude Code, Cursor, VS Code, Windsurf or Codex, and no
        mcp-remote sign-in, was found in your home folder.
      </p>
    );
  } else {
    body = (
      <div className="import-files">
        {reports.map((r) => (
          <FileReport key={`${r.source}-${r.path}`} report={r} choice={chosen} onChange={set} />
        ))}
      </div>
    );
  }

  const count = form.entries.length;
  const rewrites = form.rewrite.length;
  return (
    <section
      ref={ref}
      className={`import-panel import-panel--${variant}`}
      aria-labelledby={titleId}
      data-testid="import-card"
    >
      <header className="import-panel__head">
        <div>
          <h2 id={titleId} className="import-panel__title">
            Import from your MCP clients
          </h2>
          <p className="import-note">
            Remote servers your other clients use become actions: tokens written in their config
            files move into the keychain, and mcp-remote’s sign-ins move over without a new sign-in.
          </p>
        </div>
      </header>
      {outcome?.kind === "done" && <Result reports={outcome.reports} />}
      {outcome?.kind === "failed" && (
        <ErrorNotice error={outcome.error} title="Couldn’t import" testId="import-error" />
      )}
      {body}
      {outcome?.kind === "done" && onDone && (
        <footer className="import-panel__foot">
          <Button
            variant="primary"
            className="import-panel__go"
            onClick={() => {
              setOutcome(null);
              onDone();
            }}
            data-testid="import-done"
          >
            Done
          </Button>
        </footer>
      )}
      {outcome?.kind !== "done" && scan.isSuccess && offers && (
        <footer className="import-panel__foot">
          <Segmented
            label="Rewritten entries connect through"
            name="import-via"
            testIdPrefix="import-via"
            value={via}
            onChange={(v) => isVia(v) && setVia(v)}
            options={VIAS.map((v) => ({ value: v.id, label: v.label }))}
          />
          <Button
            variant="primary"
            className="import-panel__go"
            disabled={count === 0 && rewrites === 0}
            busy={apply.isPending}
            onClick={() => void run()}
            data-testid="import-go"
          >
            {count === 0 && rewrites > 0
              ? `Rewrite ${rewrites} ${rewrites === 1 ? "entry" : "entries"}`
              : `Import ${count} ${count === 1 ? "server" : "servers"}`}
          </Button>
        </footer>
      )}
    </section>
  );
}

type FileProps = {
  report: ImportFileReport;
  choice: Choice;
  onChange: (key: string, change: Partial<Choice[string]>) => void;
};

function FileReport({ report: r, choice, onChange }: FileProps) {
  return (
    <div
      className="import-file"
      data-testid="import-file"
      data-source={r.source}
      data-path={r.path}
    >
      <div className="import-file__head">
        <span className="import-file__source">{sourceLabel(r.source)}</span>
        <code className="import-file__path" title={r.path}>
          {r.path}
        </code>
      </div>
      {r.error && (
        <p className="import-file__error" role="alert" data-testid="import-file-error">
          {r.error}
        </p>
      )}
      {!r.error && r.found.length === 0 && (
        <p className="import-note">No MCP server entries in it.</p>
      )}
      {r.found.length > 0 && (
        <ul className="import-entries">
          {r.found.map((f) => (
            <EntryRow
              key={f.name}
              report={r}
              entry={f}
              choice={choice[entryKey(r.path, f.name)]}
              onChange={(c) => onChange(entryKey(r.path, f.name), c)}
            />
          ))}
        </ul>
      )}
    </div>
  );
}

type RowProps = {
  report: ImportFileReport;
  entry: FoundEntry;
  choice: Choice[string] | undefined;
  onChange: (change: Partial<Choice[string]>) => void;
};

function EntryRow({ report, entry: f, choice, onChange }: RowProps) {
  const canTake = importable(report, f);
  const canRewrite = rewritable(report, f);
  const take = canTake && (choice?.take ?? false);
  const rewrite = canRewrite && (choice?.rewrite ?? false) && (take || f.outcome === "duplicate");
  const why = whyNot(f);
  const note = authNote(f);
  const outcome = OUTCOME_LABELS[f.outcome];
  const label = f.kind === "token-store" ? `Files ${f.name}` : f.name;
  return (
    <li
      className={canTake ? "import-entry" : "import-entry is-unavailable"}
      data-testid="import-entry"
      data-name={f.name}
      data-outcome={f.outcome}
    >
      <div className="import-entry__main">
        {canTake ? (
          <Checkbox
            label={label}
            name={`import-${report.path}-${f.name}`}
            checked={take}
            onCheckedChange={(on) =>
              onChange(on ? { take: true } : { take: false, rewrite: false })
            }
            testId="import-take"
          />
        ) : (
          <span className="import-entry__name">{label}</span>
        )}
        <Badge tone="neutral" variant="outline">
          {KIND_LABELS[f.kind]}
        </Badge>
        <Badge tone={outcome.tone} data-testid="import-outcome">
          {outcome.label}
        </Badge>
      </div>
      {f.url && (
        <code className="import-entry__url" data-testid="import-url" title={f.url}>
          {f.url}
        </code>
      )}
      {canTake && note && <p className="import-entry__note">{note}</p>}
      {why && (
        <p className="import-entry__why" data-testid="import-why">
          {why}
        </p>
      )}
      {canTake && f.message && (
        <p className="import-entry__note" data-testid="import-message">
          {f.message}
        </p>
      )}
      {canRewrite && (
        <div className="import-entry__rewrite">
          <Checkbox
            label={
              f.outcome === "duplicate"
                ? `Rewrite it to go through Patchbay (action ${f.action ?? ""})`
                : "Rewrite it to go through Patchbay"
            }
            name={`import-rewrite-${report.path}-${f.name}`}
            checked={rewrite}
            disabled={!take && f.outcome !== "duplicate"}
            onCheckedChange={(on) => onChange({ rewrite: on })}
            hint={
              rewrite
                ? "The entry is replaced and its plaintext token taken out; a backup (readable by you only) keeps the old file."
                : undefined
            }
            testId="import-rewrite"
          />
        </div>
      )}
    </li>
  );
}

function Result({ reports }: { reports: ImportFileReport[] }) {
  const s = summarize(reports);
  return (
    <div className="import-result" role="status" data-testid="import-result">
      <p className="import-result__title">
        {s.imported.length === 0
          ? "Nothing was imported."
          : `Imported ${s.imported.length} ${s.imported.length === 1 ? "server" : "servers"} as actions`}
      </p>
      {s.imported.length > 0 && (
        <ul className="import-result__list" data-testid="import-result-actions">
          {s.imported.map((i) => (
            <li key={i.action}>
              <strong>{i.action}</strong>
              {i.note && <span className="import-result__line">: {i.note}</span>}
            </li>
          ))}
        </ul>
      )}
      {s.toConnect.length > 0 && (
        <p className="import-result__line">
          Sign in to {s.toConnect.join(", ")} with Connect in its row.
        </p>
      )}
      {s.failed.map((f) => (
        <p key={f.name} className="import-result__line is-error" data-testid="import-result-failed">
          {f.name}: {f.message}
        </p>
      ))}
      {s.rewritten.map((p) => (
        <p key={p} className="import-result__line" data-testid="import-rewritten">
          Rewrote <code>{p}</code> to go through Patchbay: restart the client to pick it up.
        </p>
      ))}
      {s.backups.map((b) => (
        <p key={b} className="import-result__line" data-testid="import-backup">
          The previous file, with its plaintext tokens (readable by you only), is kept as{" "}
          <code>{b}</code>: delete it once the new entries work.
        </p>
      ))}
    </div>
  );
}
