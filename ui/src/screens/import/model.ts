/**
 * The Import card's pure parts: what each entry found is, what can be chosen for it, the
 * form the choice makes, and the summary of what was done.
 */
import type { ExportVia } from "../../bindings/ExportVia";
import type { FoundEntry } from "../../bindings/FoundEntry";
import type { FoundKind } from "../../bindings/FoundKind";
import type { ImportFileReport } from "../../bindings/ImportFileReport";
import type { ImportForm } from "../../bindings/ImportForm";
import type { ImportOutcome } from "../../bindings/ImportOutcome";
import type { ImportSource } from "../../bindings/ImportSource";
import type { Tone } from "../../components/kit";
import { clientLabel } from "../export/model";

/** How the backend names one entry of one file (`PATH#NAME`). */
export function entryKey(path: string, name: string): string {
  return `${path}#${name}`;
}

export function sourceLabel(source: ImportSource): string {
  return source === "mcp-remote" ? "mcp-remote sign-ins" : clientLabel(source);
}

export const KIND_LABELS: Record<FoundKind, string> = {
  http: "HTTP",
  "mcp-remote": "mcp-remote",
  stdio: "Local command",
  "token-store": "Stored sign-in",
};

export const OUTCOME_LABELS: Record<ImportOutcome, { label: string; tone: Tone }> = {
  imported: { label: "Imported", tone: "success" },
  "would-import": { label: "New", tone: "accent" },
  duplicate: { label: "Already an action", tone: "neutral" },
  "patchbay-entry": { label: "Goes through Patchbay", tone: "neutral" },
  "not-remote": { label: "Not remote", tone: "neutral" },
  error: { label: "Can’t import", tone: "danger" },
};

/** A config file's entries can be chosen; the token store's files follow their entry. */
function choosable(r: ImportFileReport): boolean {
  return r.source !== "mcp-remote";
}

/** Whether the entry can be imported (a dry run said it would be). */
export function importable(r: ImportFileReport, f: FoundEntry): boolean {
  return choosable(r) && f.outcome === "would-import";
}

/** Whether the entry can be rewritten to go through Patchbay: a new one, or a duplicate (it
 * then reaches the action that has its URL). */
export function rewritable(r: ImportFileReport, f: FoundEntry): boolean {
  return (
    choosable(r) && f.rewritable && (f.outcome === "would-import" || f.outcome === "duplicate")
  );
}

/** Why an entry is shown greyed (nothing to choose), or null when it can be imported. */
export function whyNot(f: FoundEntry): string | null {
  switch (f.outcome) {
    case "would-import":
    case "imported":
      return null;
    case "duplicate":
      return f.message ?? (f.action ? `Action ${f.action} has this URL already.` : null);
    case "patchbay-entry":
      return "It already reaches Patchbay (patchbay proxy or the gateway).";
    case "not-remote":
      return "A local command, not a remote server: it stays as it is.";
    case "error":
      return f.message ?? "It can’t be imported.";
  }
}

/** What importing gives the entry: its token moved, its sign-in moved, or a sign-in to do. */
export function authNote(f: FoundEntry): string | null {
  if (f.kind === "token-store") {
    return f.action ? `The sign-in of ${f.action}` : null;
  }
  if (f.token) return `Its token moves into the keychain as ${f.token}`;
  if (f.signedIn) return "Its mcp-remote sign-in moves over: no new sign-in";
  if (f.auth === "oauth") return "Signs in with OAuth (Connect after importing)";
  return null;
}

/** What importing gave an imported entry. */
export function doneNote(f: FoundEntry): string | null {
  if (f.token) return `its token is in the keychain as ${f.token}`;
  if (f.signedIn) return "signed in: mcp-remote’s sign-in moved over";
  if (f.auth === "oauth") return "OAuth, not signed in yet";
  return null;
}

/** The user's choice per entry (by key). */
export type Choice = Record<string, { take: boolean; rewrite: boolean }>;

/** At first: every entry that can be imported is checked; none is rewritten. */
export function initialChoice(reports: readonly ImportFileReport[]): Choice {
  const choice: Choice = {};
  for (const r of reports) {
    for (const f of r.found) {
      if (importable(r, f)) choice[entryKey(r.path, f.name)] = { take: true, rewrite: false };
    }
  }
  return choice;
}

/** The form for `import_apply`: the entries checked, and those checked for a rewrite (a new
 * entry only when it is imported too). */
export function toForm(
  reports: readonly ImportFileReport[],
  choice: Choice,
  via: ExportVia,
): ImportForm {
  const entries: string[] = [];
  const rewrite: string[] = [];
  for (const r of reports) {
    for (const f of r.found) {
      const key = entryKey(r.path, f.name);
      const c = choice[key];
      if (!c) continue;
      const take = c.take && importable(r, f);
      if (take) entries.push(key);
      if (c.rewrite && rewritable(r, f) && (take || f.outcome === "duplicate")) rewrite.push(key);
    }
  }
  return { entries, rewrite, via };
}

/** Whether the scan found anything worth offering: an entry to import or a file to fix. */
export function hasOffers(reports: readonly ImportFileReport[]): boolean {
  return reports.some((r) => r.error !== null || r.found.some((f) => importable(r, f)));
}

export type Summary = {
  /** Actions made, each with how it authenticates. */
  imported: { action: string; note: string | null }[];
  failed: { name: string; message: string }[];
  rewritten: string[];
  /** Backups of rewritten files (they hold the plaintext tokens). */
  backups: string[];
  /** Actions that still need a sign-in. */
  toConnect: string[];
};

export function summarize(reports: readonly ImportFileReport[]): Summary {
  const s: Summary = { imported: [], failed: [], rewritten: [], backups: [], toConnect: [] };
  for (const r of reports) {
    if (r.rewritten && r.source !== "mcp-remote") s.rewritten.push(r.path);
    if (r.backup) s.backups.push(r.backup);
    if (r.source === "mcp-remote") continue;
    for (const f of r.found) {
      if (f.outcome === "imported" && f.action) {
        s.imported.push({ action: f.action, note: doneNote(f) });
        if (f.auth === "oauth" && !f.signedIn) s.toConnect.push(f.action);
      } else if (f.outcome === "error") {
        s.failed.push({ name: f.name, message: f.message ?? "it could not be imported" });
      }
    }
  }
  return s;
}
