import { screen, waitFor, within } from "@testing-library/react";
import { beforeEach, describe, expect, it } from "vitest";

import type { FoundEntry } from "../../bindings/FoundEntry";
import type { ImportFileReport } from "../../bindings/ImportFileReport";
import { App } from "../../App";
import { DATA_CHANGED_EVENT } from "../../ipc";
import { makeAction } from "../../test/fixtures";
import { mockBackend, wireError, type Backend } from "../../test/ipcMock";
import { renderApp } from "../../test/render";
import { ImportPanel } from "./ImportPanel";
import { entry } from "./mockImport";
import { entryKey, hasOffers, initialChoice, summarize, toForm } from "./model";

const DESKTOP = "/home/ada/.config/Claude/claude_desktop_config.json";
const CURSOR = "/home/ada/.cursor/mcp.json";
const STORE = "/home/ada/.mcp-auth/mcp-remote-0.1.29";

function scan(): ImportFileReport[] {
  return [
    {
      source: "claude-desktop",
      path: DESKTOP,
      found: [
        entry({
          name: "linear",
          kind: "mcp-remote",
          url: "https://mcp.linear.example/sse",
          action: "linear",
          auth: "token",
          token: "linear-token",
          rewritable: true,
        }),
        entry({
          name: "demo",
          kind: "mcp-remote",
          url: "http://127.0.0.1:4000/mcp",
          action: "demo",
          auth: "oauth",
          signedIn: true,
          rewritable: true,
        }),
        entry({ name: "filesystem", kind: "stdio", outcome: "not-remote" }),
        entry({ name: "already", kind: "stdio", outcome: "patchbay-entry" }),
      ],
      rewritten: false,
      backup: null,
      error: null,
    },
    {
      source: "cursor",
      path: CURSOR,
      found: [
        entry({
          name: "sentry",
          url: "https://mcp.sentry.example/mcp",
          outcome: "duplicate",
          action: "sentry-mine",
          rewritable: true,
          message: "action 'sentry-mine' has this URL already",
        }),
      ],
      rewritten: false,
      backup: null,
      error: null,
    },
    {
      source: "windsurf",
      path: "/home/ada/.codeium/windsurf/mcp_config.json",
      found: [],
      rewritten: false,
      backup: null,
      error: "mcp_config.json is not valid JSON at line 4, column 47: expected a comma",
    },
    {
      source: "mcp-remote",
      path: STORE,
      found: [
        entry({
          name: "0123456789abcdef",
          kind: "token-store",
          outcome: "error",
          message: "no config entry matches these files",
        }),
      ],
      rewritten: false,
      backup: null,
      error: null,
    },
  ];
}

/** The scan's file `i`, and its entry `j`. */
function file(i: number): ImportFileReport {
  const r = scan()[i];
  if (!r) throw new Error(`no file ${i}`);
  return r;
}
function found(i: number, j: number): FoundEntry {
  const f = file(i).found[j];
  if (!f) throw new Error(`no entry ${i}.${j}`);
  return f;
}

let backend: Backend;

beforeEach(() => {
  backend = mockBackend();
  backend.answerShell();
});

function row(name: string): HTMLElement {
  const el = screen.getAllByTestId("import-entry").find((e) => e.dataset.name === name);
  if (!el) throw new Error(`no row ${name}`);
  return el;
}

describe("ImportPanel", () => {
  it("lists every file's entries: new ones checked, the others greyed with why", async () => {
    backend.import_scan.mockResolvedValue(scan());
    renderApp(<ImportPanel variant="card" />);
    expect(await screen.findByTestId("import-card")).toBeInTheDocument();
    const files = screen.getAllByTestId("import-file");
    expect(files.map((f) => f.dataset.source)).toEqual([
      "claude-desktop",
      "cursor",
      "windsurf",
      "mcp-remote",
    ]);
    expect(within(row("linear")).getByTestId("import-take")).toBeChecked();
    expect(row("linear")).toHaveTextContent("https://mcp.linear.example/sse");
    expect(row("linear")).toHaveTextContent("keychain as linear-token");
    expect(row("demo")).toHaveTextContent("no new sign-in");
    expect(row("filesystem")).toHaveClass("is-unavailable");
    expect(within(row("filesystem")).queryByTestId("import-take")).toBeNull();
    expect(row("filesystem")).toHaveTextContent("A local command");
    expect(row("already")).toHaveTextContent("already reaches Patchbay");
    expect(row("sentry")).toHaveTextContent("action 'sentry-mine' has this URL already");
    const windsurf = files.find((f) => f.dataset.source === "windsurf");
    if (!windsurf) throw new Error("no windsurf file");
    expect(within(windsurf).getByTestId("import-file-error")).toHaveTextContent(
      "line 4, column 47",
    );
    expect(row("0123456789abcdef")).toHaveTextContent("no config entry matches");
    expect(screen.getByTestId("import-go")).toHaveTextContent("Import 2 servers");
  });

  it("imports the checked entries, rewrites the ones checked for it, and says what it did", async () => {
    backend.import_scan.mockResolvedValue(scan());
    backend.import_apply.mockResolvedValue([
      {
        ...file(0),
        found: [{ ...found(0, 0), outcome: "imported" }],
        rewritten: true,
        backup: `${DESKTOP}.patchbay-backup-20261205T040000Z`,
      },
      {
        ...file(1),
        rewritten: true,
        backup: `${CURSOR}.patchbay-backup-20261205T040000Z`,
      },
    ]);
    const { user } = renderApp(<ImportPanel variant="card" />);
    await screen.findByTestId("import-card");
    // demo not this time; linear rewritten; the duplicate sentry rewritten to its action.
    const rewriteDemo = within(row("demo")).getByTestId("import-rewrite");
    await user.click(within(row("demo")).getByTestId("import-take"));
    expect(rewriteDemo).toBeDisabled();
    await user.click(within(row("linear")).getByTestId("import-rewrite"));
    await user.click(within(row("sentry")).getByTestId("import-rewrite"));
    await user.click(screen.getByTestId("import-via-gateway"));
    expect(screen.getByTestId("import-go")).toHaveTextContent("Import 1 server");
    await user.click(screen.getByTestId("import-go"));
    expect(backend.import_apply).toHaveBeenCalledWith({
      form: {
        entries: [entryKey(DESKTOP, "linear")],
        rewrite: [entryKey(DESKTOP, "linear"), entryKey(CURSOR, "sentry")],
        via: "gateway",
      },
    });
    const result = await screen.findByTestId("import-result");
    expect(result).toHaveTextContent("Imported 1 server as actions");
    expect(result).toHaveTextContent("linear: its token is in the keychain as linear-token");
    expect(screen.getAllByTestId("import-rewritten").map((e) => e.textContent)).toEqual([
      expect.stringContaining(DESKTOP),
      expect.stringContaining(CURSOR),
    ]);
    expect(screen.getAllByTestId("import-backup")[0]).toHaveTextContent(
      `${DESKTOP}.patchbay-backup-20261205T040000Z`,
    );
  });

  it("says why an import failed", async () => {
    backend.import_scan.mockResolvedValue(scan());
    backend.import_apply.mockRejectedValue(wireError("io", "cannot write /home/ada/.cursor"));
    const { user } = renderApp(<ImportPanel variant="card" />);
    await screen.findByTestId("import-card");
    await user.click(screen.getByTestId("import-go"));
    expect(await screen.findByTestId("import-error")).toHaveTextContent("cannot write");
  });

  it("as a card, shows nothing when there is nothing to import or the scan fails", async () => {
    backend.import_scan.mockResolvedValue([file(1), { ...file(0), found: [found(0, 2)] }]);
    const { unmount } = renderApp(<ImportPanel variant="card" />);
    await waitFor(() => expect(backend.import_scan).toHaveBeenCalled());
    expect(screen.queryByTestId("import-card")).toBeNull();
    unmount();
    backend.import_scan.mockRejectedValue(wireError("internal", "HOME is not set"));
    renderApp(<ImportPanel variant="card" />);
    await waitFor(() => expect(backend.import_scan).toHaveBeenCalledTimes(2));
    expect(screen.queryByTestId("import-card")).toBeNull();
  });

  it("as a screen, says when nothing was found and shows a scan's error", async () => {
    backend.import_scan.mockResolvedValue([]);
    const { unmount } = renderApp(<ImportPanel variant="screen" />);
    expect(await screen.findByTestId("import-nothing")).toBeInTheDocument();
    unmount();
    backend.import_scan.mockRejectedValue(wireError("internal", "HOME is not set"));
    renderApp(<ImportPanel variant="screen" />);
    expect(await screen.findByTestId("import-scan-error")).toHaveTextContent("HOME is not set");
  });
});

describe("the Actions screen", () => {
  it("offers the card when empty, after the list painted, and keeps it once it imported", async () => {
    let answer: (r: ImportFileReport[]) => void = () => {};
    backend.import_scan.mockReturnValue(new Promise((r) => (answer = r)));
    const { user } = renderApp(<App />);
    // The empty screen paints before the scan answers.
    expect(await screen.findByTestId("actions-empty")).toBeInTheDocument();
    expect(screen.queryByTestId("import-card")).toBeNull();
    answer(scan());
    expect(await screen.findByTestId("import-card")).toBeInTheDocument();
    backend.import_apply.mockResolvedValue([
      { ...file(0), found: [{ ...found(0, 0), outcome: "imported" }] },
    ]);
    backend.list_actions.mockResolvedValue([makeAction({ name: "linear" })]);
    await user.click(screen.getByTestId("import-go"));
    expect(await screen.findByTestId("import-result")).toHaveTextContent("linear");
    await waitFor(() => expect(screen.queryByTestId("actions-empty")).toBeNull());
    expect(screen.getByTestId("import-result")).toBeInTheDocument();
    // The list gave way to the summary; Done puts the card away.
    expect(screen.queryByTestId("import-entry")).toBeNull();
    await user.click(screen.getByTestId("import-done"));
    expect(screen.queryByTestId("import-card")).toBeNull();
    expect(await screen.findByTestId("action-row")).toBeInTheDocument();
  });

  it("keeps the card when the actions it made arrive before the import's answer", async () => {
    backend.import_scan.mockResolvedValue(scan());
    const { user } = renderApp(<App />);
    expect(await screen.findByTestId("import-card")).toBeInTheDocument();
    let answer: (r: ImportFileReport[]) => void = () => {};
    backend.import_apply.mockReturnValue(new Promise((r) => (answer = r)));
    await user.click(screen.getByTestId("import-go"));
    // The database changed (the new action) while the import had not answered yet.
    backend.list_actions.mockResolvedValue([makeAction({ name: "linear" })]);
    backend.emit(DATA_CHANGED_EVENT);
    expect(await screen.findByTestId("action-row")).toBeInTheDocument();
    answer([{ ...file(0), found: [{ ...found(0, 0), outcome: "imported" }] }]);
    expect(await screen.findByTestId("import-result")).toHaveTextContent("linear");
    expect(screen.queryByTestId("import-entry")).toBeNull();
  });

  it("opens the Import screen from its header", async () => {
    backend.list_actions.mockResolvedValue([makeAction({ name: "linear" })]);
    backend.import_scan.mockResolvedValue(scan());
    const { user } = renderApp(<App />);
    await user.click(await screen.findByTestId("open-import"));
    expect(window.location.hash).toBe("#/actions/import");
    expect(await screen.findByTestId("import-screen")).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId("import-card")).toHaveTextContent("linear"));
  });
});

describe("the model", () => {
  it("checks the new entries, and rewrites a new one only when it is imported", () => {
    const reports = scan();
    const choice = initialChoice(reports);
    expect(Object.keys(choice)).toEqual([entryKey(DESKTOP, "linear"), entryKey(DESKTOP, "demo")]);
    choice[entryKey(DESKTOP, "demo")] = { take: false, rewrite: true };
    expect(toForm(reports, choice, "proxy")).toEqual({
      entries: [entryKey(DESKTOP, "linear")],
      rewrite: [],
      via: "proxy",
    });
    expect(hasOffers(reports)).toBe(true);
    expect(hasOffers([file(1)])).toBe(false);
  });

  it("sums up: actions, sign-ins still to do, failures, rewritten files and backups", () => {
    const s = summarize([
      {
        ...file(0),
        found: [
          { ...found(0, 0), outcome: "imported" },
          { ...found(0, 1), outcome: "imported", signedIn: false },
          { ...found(0, 2), outcome: "error", message: "bad URL" },
        ],
        rewritten: true,
        backup: "/b",
      },
    ]);
    expect(s.imported.map((i) => i.action)).toEqual(["linear", "demo"]);
    expect(s.toConnect).toEqual(["demo"]);
    expect(s.failed).toEqual([{ name: "filesystem", message: "bad URL" }]);
    expect(s.rewritten).toEqual([DESKTOP]);
    expect(s.backups).toEqual(["/b"]);
  });
});
