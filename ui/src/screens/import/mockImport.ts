/** The sample backend's import (`?mock=`): what a developer's machine typically holds. */
import type { FoundEntry } from "../../bindings/FoundEntry";
import type { ImportFileReport } from "../../bindings/ImportFileReport";
import type { ImportForm } from "../../bindings/ImportForm";
import { entryKey } from "./model";

/** An entry as the backend reports it: new, with nothing found for it (also for tests). */
export const entry = (e: Partial<FoundEntry> & Pick<FoundEntry, "name">): FoundEntry => ({
  kind: "http",
  url: null,
  outcome: "would-import",
  action: null,
  auth: null,
  token: null,
  signedIn: false,
  rewritable: false,
  message: null,
  ...e,
});

const HOME = "/home/alice";

function scan(): ImportFileReport[] {
  return [
    {
      source: "claude-desktop",
      path: `${HOME}/.config/Claude/claude_desktop_config.json`,
      found: [
        entry({
          name: "linear",
          kind: "mcp-remote",
          url: "https://mcp.linear.app/sse",
          action: "linear",
          auth: "token",
          token: "linear-token",
          rewritable: true,
        }),
        entry({
          name: "notion",
          kind: "mcp-remote",
          url: "https://mcp.notion.com/mcp",
          action: "notion",
          auth: "oauth",
          signedIn: true,
          rewritable: true,
        }),
        entry({ name: "filesystem", kind: "stdio", outcome: "not-remote" }),
      ],
      rewritten: false,
      backup: null,
      error: null,
    },
    {
      source: "cursor",
      path: `${HOME}/.cursor/mcp.json`,
      found: [
        entry({
          name: "github",
          kind: "http",
          url: "https://api.githubcopilot.com/mcp/",
          action: "github",
          auth: "token",
          token: "github-token",
          rewritable: true,
        }),
        entry({
          name: "already",
          kind: "stdio",
          outcome: "patchbay-entry",
        }),
      ],
      rewritten: false,
      backup: null,
      error: null,
    },
    {
      source: "windsurf",
      path: `${HOME}/.codeium/windsurf/mcp_config.json`,
      found: [],
      rewritten: false,
      backup: null,
      error: `${HOME}/.codeium/windsurf/mcp_config.json is not valid JSON at line 4, column 7: expected a comma; it was left untouched`,
    },
  ];
}

export function importMock(command: string, form: ImportForm | undefined): ImportFileReport[] {
  const reports = scan();
  if (command !== "import_apply" || !form) return reports;
  const chosen = new Set([...form.entries, ...form.rewrite]);
  return reports.map((r) => {
    const found = r.found
      .filter((f) => chosen.has(entryKey(r.path, f.name)))
      .map((f) => ({ ...f, outcome: f.outcome === "would-import" ? "imported" : f.outcome }));
    const rewritten = r.found.some((f) => form.rewrite.includes(entryKey(r.path, f.name)));
    return {
      ...r,
      found,
      rewritten,
      backup: rewritten ? `${r.path}.patchbay-backup-20261205T040000Z` : null,
    } satisfies ImportFileReport;
  });
}
