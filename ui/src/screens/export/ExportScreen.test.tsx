import { screen, waitFor, within } from "@testing-library/react";
import { beforeEach, describe, expect, it } from "vitest";

import type { ExportClient } from "../../bindings/ExportClient";
import type { ExportEntry } from "../../bindings/ExportEntry";
import type { ExportReport } from "../../bindings/ExportReport";
import type { ExportVia } from "../../bindings/ExportVia";
import { makeAction } from "../../test/fixtures";
import { mockBackend, wireError, type Backend } from "../../test/ipcMock";
import { renderApp } from "../../test/render";
import { ExportScreen } from "./ExportScreen";

const BIN = "/Applications/Patchbay.app/Contents/MacOS/patchbay";
const PATH = "/Users/ada/Library/Application Support/Claude/claude_desktop_config.json";
const GATEWAY = "http://127.0.0.1:47616";
const OFF = "the gateway is off, so Claude Code cannot connect to http://127.0.0.1:47616 yet";
const DESKTOP_NOTE =
  "Claude Desktop does not read local URL entries: its entries run `patchbay proxy NAME` instead";

/** What the backend would answer for `client` and `names` through `via`. */
function report(
  client: ExportClient,
  names: string[],
  overrides: Partial<ExportReport> = {},
  via: ExportVia = "proxy",
): ExportReport {
  const urls = via === "gateway" && client !== "claude-desktop" && client !== "generic";
  const entries: ExportEntry[] = urls
    ? names.length === 0
      ? [{ name: "patchbay", command: null, args: null, url: `${GATEWAY}/mcp`, keyEnv: null }]
      : names.map((name) => ({
          name,
          command: null,
          args: null,
          url: `${GATEWAY}/a/${name}/mcp`,
          keyEnv: null,
        }))
    : names.map((name) => ({ name, command: BIN, args: ["proxy", name], url: null, keyEnv: null }));
  return {
    client,
    via: urls ? "gateway" : "proxy",
    path: client === "generic" ? null : client === "claude-desktop" ? PATH : `/home/${client}.json`,
    entries,
    snippet: JSON.stringify(
      { mcpServers: Object.fromEntries(entries.map((e) => [e.name, e])) },
      null,
      2,
    ),
    written: false,
    backup: null,
    changes:
      client === "generic" ? [] : entries.map((e) => ({ name: e.name, change: "added" as const })),
    notes: via === "gateway" && client === "claude-desktop" ? [DESKTOP_NOTE] : [],
    warnings: urls ? [OFF] : [],
    ...overrides,
  };
}

const ACTIONS = [
  makeAction({ name: "linear", kind: "mcp", enabled: true, description: "Issue tracker" }),
  makeAction({ name: "github", kind: "mcp", enabled: true }),
  makeAction({ name: "weather-api", kind: "http", enabled: true }),
  makeAction({ name: "notion", kind: "mcp", enabled: false }),
];

let backend: Backend;

beforeEach(() => {
  backend = mockBackend();
  backend.list_actions.mockResolvedValue(ACTIONS);
  backend.export_preview.mockImplementation(({ client, names, via }) =>
    Promise.resolve(report(client, names, {}, via)),
  );
});

function renderScreen(hash = "#/export") {
  window.location.hash = hash;
  return renderApp(<ExportScreen />);
}

function box(name: string): HTMLInputElement {
  const el = document.querySelector<HTMLInputElement>(`input[name="export-action-${name}"]`);
  if (!el) throw new Error(`no checkbox for ${name}`);
  return el;
}

/** The client and names of the last preview asked for. */
const lastPreview = () => {
  const args = backend.export_preview.mock.lastCall?.[0];
  return args && [args.client, args.names];
};

describe("Export screen", () => {
  it("previews every enabled MCP action for Claude Desktop, with path, snippet and commands", async () => {
    renderScreen();
    expect(await screen.findByTestId("export-screen")).toHaveTextContent(
      /no token or secret is ever written/,
    );
    const snippet = await screen.findByTestId("export-snippet");
    expect(backend.export_preview).toHaveBeenLastCalledWith({
      client: "claude-desktop",
      names: ["linear", "github"],
      via: "proxy",
    });
    expect(snippet).toHaveTextContent('"mcpServers"');
    expect(screen.getByTestId("export-path")).toHaveTextContent(PATH);
    expect(screen.getAllByTestId("export-command").map((c) => c.textContent)).toEqual([
      `${BIN} proxy linear`,
      `${BIN} proxy github`,
    ]);
    expect(screen.getAllByTestId("export-change").map((c) => c.textContent)).toEqual([
      "Will be added",
      "Will be added",
    ]);
    expect(screen.getByTestId("export-client-claude-desktop")).toHaveAttribute(
      "aria-checked",
      "true",
    );
  });

  it("lists HTTP and disabled actions greyed, with why", async () => {
    renderScreen();
    await screen.findByTestId("export-snippet");
    expect(box("linear")).toBeChecked();
    expect(box("github")).toBeChecked();
    expect(box("weather-api")).toBeDisabled();
    expect(box("weather-api")).not.toBeChecked();
    expect(box("weather-api")).toHaveAccessibleDescription(/no MCP server/);
    expect(box("notion")).toBeDisabled();
    expect(box("notion")).toHaveAccessibleDescription(/Disabled/);
  });

  it("fetches the preview again for the client picked", async () => {
    const { user } = renderScreen();
    await screen.findByTestId("export-snippet");
    await user.click(screen.getByTestId("export-client-cursor"));
    await waitFor(() => expect(lastPreview()).toEqual(["cursor", ["linear", "github"]]));
    expect(await screen.findByTestId("export-path")).toHaveTextContent("/home/cursor.json");
    expect(screen.getByRole("heading", { name: "Preview for Cursor" })).toBeInTheDocument();
  });

  it("leaves an unchecked action out of names", async () => {
    const { user } = renderScreen();
    await screen.findByTestId("export-snippet");
    await user.click(box("linear"));
    expect(box("linear")).not.toBeChecked();
    await waitFor(() => expect(lastPreview()).toEqual(["claude-desktop", ["github"]]));
    await waitFor(() =>
      expect(screen.getAllByTestId("export-entry").map((e) => e.dataset.name)).toEqual(["github"]),
    );
    expect(screen.getByTestId("export-selected-count")).toHaveTextContent("1 of 2");
  });

  it("asks for a choice instead of exporting everything when nothing is checked", async () => {
    const { user } = renderScreen();
    await screen.findByTestId("export-snippet");
    backend.export_preview.mockClear();
    await user.click(screen.getByRole("button", { name: "Clear" }));
    expect(await screen.findByTestId("export-nothing")).toBeInTheDocument();
    expect(backend.export_preview).not.toHaveBeenCalled();
    expect(screen.getByTestId("export-write")).toBeDisabled();
  });

  it("pre-selects the action named in the route", async () => {
    renderScreen("#/export/github");
    await screen.findByTestId("export-snippet");
    expect(backend.export_preview).toHaveBeenCalledTimes(1);
    expect(backend.export_preview).toHaveBeenCalledWith({
      client: "claude-desktop",
      names: ["github"],
      via: "proxy",
    });
    expect(box("github")).toBeChecked();
    expect(box("linear")).not.toBeChecked();
  });

  it("says why a route's action can't be pre-selected", async () => {
    renderScreen("#/export/weather-api");
    expect(await screen.findByTestId("export-preselect-missing")).toHaveTextContent(
      "weather-api can’t be exported",
    );
    expect(screen.getByTestId("export-nothing")).toBeInTheDocument();
  });

  it("copies the snippet", async () => {
    const { user } = renderScreen();
    const snippet = await screen.findByTestId("export-snippet");
    await user.click(screen.getByTestId("export-copy"));
    expect(await navigator.clipboard.readText()).toBe(snippet.textContent);
    expect(screen.getByTestId("export-copy")).toHaveTextContent("Copied");
  });

  it("asks before writing, shows the commands, then writes and shows the backup", async () => {
    const backup = `${PATH}.patchbay-backup-20261124T090000Z`;
    backend.export_write.mockImplementation(({ client, names }) =>
      Promise.resolve(report(client, names, { written: true, backup })),
    );
    const { user } = renderScreen();
    await screen.findByTestId("export-snippet");
    await user.click(screen.getByTestId("export-write"));

    const dialog = await screen.findByTestId("export-confirm");
    expect(dialog).toHaveAccessibleName("Write to Claude Desktop’s config?");
    expect(within(dialog).getByTestId("export-confirm-path")).toHaveTextContent(PATH);
    expect(
      within(dialog)
        .getAllByTestId("export-confirm-command")
        .map((c) => c.textContent),
    ).toEqual([`${BIN} proxy linear`, `${BIN} proxy github`]);
    expect(dialog).toHaveTextContent(/timestamped backup/);
    expect(dialog).toHaveTextContent(/comments in it are kept/);
    expect(backend.export_write).not.toHaveBeenCalled();

    await user.click(within(dialog).getByTestId("confirm-cancel"));
    expect(backend.export_write).not.toHaveBeenCalled();

    await user.click(screen.getByTestId("export-write"));
    await user.click(within(await screen.findByTestId("export-confirm")).getByTestId("confirm-ok"));
    expect(backend.export_write).toHaveBeenCalledWith({
      client: "claude-desktop",
      names: ["linear", "github"],
      via: "proxy",
    });
    const result = await screen.findByTestId("export-result");
    expect(result).toHaveTextContent(`Wrote 2 entries to ${PATH}`);
    expect(within(result).getByTestId("export-backup")).toHaveTextContent(backup);
    await waitFor(() => expect(screen.queryByTestId("export-confirm")).not.toBeInTheDocument());
  });

  it("says already up to date when nothing was written", async () => {
    backend.export_write.mockImplementation(({ client, names }) =>
      Promise.resolve(report(client, names, { written: false })),
    );
    const { user } = renderScreen();
    await screen.findByTestId("export-snippet");
    await user.click(screen.getByTestId("export-write"));
    await user.click(within(await screen.findByTestId("export-confirm")).getByTestId("confirm-ok"));
    const result = await screen.findByTestId("export-result");
    expect(result).toHaveTextContent("already up to date");
    expect(within(result).queryByTestId("export-backup")).not.toBeInTheDocument();
  });

  it("shows an unparseable config file's error and keeps the choices", async () => {
    const message = "cannot parse /home/cursor.json: expected `,` or `}` at line 4 column 3";
    backend.export_write.mockRejectedValue(wireError("invalid_input", message));
    const { user } = renderScreen();
    await screen.findByTestId("export-snippet");
    await user.click(screen.getByTestId("export-client-cursor"));
    await user.click(box("github"));
    await waitFor(() => expect(lastPreview()).toEqual(["cursor", ["linear"]]));
    await screen.findByTestId("export-snippet");
    await user.click(screen.getByTestId("export-write"));
    await user.click(within(await screen.findByTestId("export-confirm")).getByTestId("confirm-ok"));

    const notice = await screen.findByTestId("export-write-error");
    expect(notice).toHaveAttribute("data-code", "invalid_input");
    expect(notice).toHaveTextContent(message);
    expect(notice).toHaveTextContent("Couldn’t write to Cursor’s config");
    expect(screen.queryByTestId("export-result")).not.toBeInTheDocument();
    expect(screen.getByTestId("export-client-cursor")).toHaveAttribute("aria-checked", "true");
    expect(box("linear")).toBeChecked();
    expect(box("github")).not.toBeChecked();
    expect(screen.getByTestId("export-snippet")).toBeInTheDocument();
  });

  it("shows a preview error with its message", async () => {
    backend.export_preview.mockRejectedValue(
      wireError("invalid_input", "the patchbay command is not installed next to the app"),
    );
    renderScreen();
    const notice = await screen.findByTestId("export-preview-error");
    expect(notice).toHaveTextContent("the patchbay command is not installed next to the app");
    expect(screen.getByTestId("export-write")).toBeDisabled();
  });

  it("offers no Write for the generic client, and says there is no file", async () => {
    backend.export_preview.mockImplementation(({ client, names }) =>
      Promise.resolve(
        report(client, names, { changes: names.map((name) => ({ name, change: "added" })) }),
      ),
    );
    const { user } = renderScreen();
    await screen.findByTestId("export-snippet");
    expect(screen.getByTestId("export-write")).toBeInTheDocument();
    await user.click(screen.getByTestId("export-client-generic"));
    expect(await screen.findByTestId("export-no-file")).toHaveTextContent(
      "paste this into your client’s settings",
    );
    expect(lastPreview()).toEqual(["generic", ["linear", "github"]]);
    expect(screen.queryByTestId("export-write")).not.toBeInTheDocument();
    expect(screen.queryByTestId("export-path")).not.toBeInTheDocument();
    expect(screen.getAllByTestId("export-command")).toHaveLength(2);
    // No file to write, so nothing "will be added".
    expect(screen.queryByTestId("export-change")).not.toBeInTheDocument();
  });

  it("moves between clients with the arrow keys", async () => {
    const { user } = renderScreen();
    await screen.findByTestId("export-snippet");
    await user.click(screen.getByTestId("export-client-claude-desktop"));
    // Radix selects on focus while an arrow key is held down.
    await user.keyboard("{ArrowRight>}");
    await waitFor(() => expect(lastPreview()?.[0]).toBe("claude-code"));
    await user.keyboard("{/ArrowRight}");
    expect(screen.getByTestId("export-client-claude-code")).toHaveAttribute("aria-checked", "true");
  });

  it("shows the empty state when no action is enabled, with a way to add one", async () => {
    backend.list_actions.mockResolvedValue([ACTIONS[3]!]);
    const { user } = renderScreen();
    const empty = await screen.findByTestId("export-empty");
    expect(empty).toHaveTextContent("No action to export");
    expect(empty).toHaveTextContent("every action is disabled");
    expect(backend.export_preview).not.toHaveBeenCalled();
    await user.click(within(empty).getByTestId("export-add-action"));
    expect(window.location.hash).toBe("#/actions/new");
  });

  it("with only HTTP actions enabled, points from the proxy to the gateway", async () => {
    backend.list_actions.mockResolvedValue([ACTIONS[2]!, ACTIONS[3]!]);
    const { user } = renderScreen();
    expect(await screen.findByTestId("export-none-eligible")).toHaveTextContent(
      "patchbay proxy serves MCP actions only",
    );
    expect(backend.export_preview).not.toHaveBeenCalled();
    await user.click(screen.getByTestId("export-client-cursor"));
    await user.click(screen.getByTestId("export-via-gateway"));
    await user.click(screen.getByTestId("export-scope-chosen"));
    expect(box("weather-api")).toBeChecked();
    await waitFor(() =>
      expect(backend.export_preview).toHaveBeenLastCalledWith({
        client: "cursor",
        names: ["weather-api"],
        via: "gateway",
      }),
    );
    expect(await screen.findByTestId("export-command")).toHaveTextContent(
      `${GATEWAY}/a/weather-api/mcp`,
    );
  });

  it("shows loading, then a load error with Retry", async () => {
    backend.list_actions.mockRejectedValue(wireError("database", "database is locked"));
    renderScreen();
    expect(screen.getByText("Loading actions…").closest("[role=status]")).toBeInTheDocument();
    const notice = await screen.findByTestId("export-actions-error");
    expect(notice).toHaveAttribute("data-code", "database");
    expect(within(notice).getByRole("button", { name: /Retry/ })).toBeInTheDocument();
  });

  describe("through the gateway", () => {
    it("offers the choice and gives one /mcp entry for every action, with the gateway's warning", async () => {
      const { user } = renderScreen();
      await screen.findByTestId("export-snippet");
      expect(screen.getByTestId("export-via-proxy")).toHaveAttribute("aria-checked", "true");
      expect(screen.queryByTestId("export-scope-all")).not.toBeInTheDocument();
      await user.click(screen.getByTestId("export-client-claude-code"));
      await user.click(screen.getByTestId("export-via-gateway"));
      await waitFor(() =>
        expect(backend.export_preview).toHaveBeenLastCalledWith({
          client: "claude-code",
          names: [],
          via: "gateway",
        }),
      );
      expect(screen.getByTestId("export-scope-all")).toHaveAttribute("aria-checked", "true");
      expect(screen.getByTestId("export-every-action")).toHaveTextContent("/mcp");
      expect(await screen.findByTestId("export-command")).toHaveTextContent(`${GATEWAY}/mcp`);
      expect(screen.getByTestId("export-entry")).toHaveAttribute("data-name", "patchbay");
      expect(screen.getByTestId("export-snippet")).toHaveTextContent(`${GATEWAY}/mcp`);
      expect(screen.getByTestId("export-warning")).toHaveTextContent(OFF);
      expect(screen.getByTestId("export-lede")).toHaveTextContent(
        /signs in through your browser.*no token or secret is ever written/,
      );
      expect(screen.queryByRole("checkbox")).not.toBeInTheDocument();
    });

    it("gives one entry per chosen action, HTTP actions included", async () => {
      const { user } = renderScreen();
      await screen.findByTestId("export-snippet");
      await user.click(screen.getByTestId("export-client-vscode"));
      await user.click(screen.getByTestId("export-via-gateway"));
      await user.click(screen.getByTestId("export-scope-chosen"));
      await waitFor(() =>
        expect(backend.export_preview).toHaveBeenLastCalledWith({
          client: "vscode",
          names: ["linear", "github", "weather-api"],
          via: "gateway",
        }),
      );
      expect(box("weather-api")).not.toBeDisabled();
      expect(box("notion")).toBeDisabled();
      await waitFor(() =>
        expect(screen.getAllByTestId("export-command").map((c) => c.textContent)).toEqual([
          `${GATEWAY}/a/linear/mcp`,
          `${GATEWAY}/a/github/mcp`,
          `${GATEWAY}/a/weather-api/mcp`,
        ]),
      );
      expect(screen.getByTestId("export-selected-count")).toHaveTextContent("3 of 3");
    });

    it("opens at the route's action, one entry for it", async () => {
      const { user } = renderScreen("#/export/github");
      await screen.findByTestId("export-snippet");
      await user.click(screen.getByTestId("export-client-cursor"));
      await user.click(screen.getByTestId("export-via-gateway"));
      expect(screen.getByTestId("export-scope-chosen")).toHaveAttribute("aria-checked", "true");
      await waitFor(() =>
        expect(backend.export_preview).toHaveBeenLastCalledWith({
          client: "cursor",
          names: ["github"],
          via: "gateway",
        }),
      );
    });

    it("says which proxy entries writing takes out, then writes through the gateway", async () => {
      const removed = [
        { name: "github", change: "removed" as const },
        { name: "linear", change: "removed" as const },
      ];
      backend.export_preview.mockImplementation(({ client, names, via }) =>
        Promise.resolve(
          report(
            client,
            names,
            { changes: [{ name: "patchbay", change: "added" }, ...removed] },
            via,
          ),
        ),
      );
      backend.export_write.mockImplementation(({ client, names, via }) =>
        Promise.resolve(
          report(
            client,
            names,
            {
              written: true,
              backup: "/home/windsurf.json.patchbay-backup-20261124T090000Z",
              changes: [{ name: "patchbay", change: "added" }, ...removed],
            },
            via,
          ),
        ),
      );
      const { user } = renderScreen();
      await screen.findByTestId("export-snippet");
      await user.click(screen.getByTestId("export-client-windsurf"));
      await user.click(screen.getByTestId("export-via-gateway"));
      await waitFor(() =>
        expect(screen.getAllByTestId("export-removed").map((e) => e.dataset.name)).toEqual([
          "github",
          "linear",
        ]),
      );
      expect(screen.getAllByTestId("export-removed")[0]).toHaveTextContent("Will be removed");
      expect(screen.getByTestId("export-change")).toHaveTextContent("Will be added");

      await user.click(screen.getByTestId("export-write"));
      const dialog = await screen.findByTestId("export-confirm");
      expect(dialog).toHaveTextContent("This entry connects to:");
      expect(within(dialog).getByTestId("export-confirm-command")).toHaveTextContent(
        `${GATEWAY}/mcp`,
      );
      expect(within(dialog).getByTestId("export-confirm-removed")).toHaveTextContent(
        "taken out: github, linear.",
      );
      await user.click(within(dialog).getByTestId("confirm-ok"));
      expect(backend.export_write).toHaveBeenCalledWith({
        client: "windsurf",
        names: [],
        via: "gateway",
      });
      const result = await screen.findByTestId("export-result");
      expect(result).toHaveTextContent("Wrote 1 entry to /home/windsurf.json");
      expect(within(result).getByTestId("export-result-removed")).toHaveTextContent(
        "Took out 2 patchbay proxy entries",
      );
      expect(result).toHaveTextContent("signs in through your browser");
    });

    it("keeps proxy entries for Claude Desktop, with the backend's note and no scope", async () => {
      const { user } = renderScreen();
      await screen.findByTestId("export-snippet");
      await user.click(screen.getByTestId("export-via-gateway"));
      await waitFor(() =>
        expect(backend.export_preview).toHaveBeenLastCalledWith({
          client: "claude-desktop",
          names: ["linear", "github"],
          via: "gateway",
        }),
      );
      expect(await screen.findByTestId("export-report-note")).toHaveTextContent(DESKTOP_NOTE);
      expect(screen.queryByTestId("export-scope-all")).not.toBeInTheDocument();
      expect(screen.queryByTestId("export-warning")).not.toBeInTheDocument();
      expect(screen.getAllByTestId("export-command").map((c) => c.textContent)).toEqual([
        `${BIN} proxy linear`,
        `${BIN} proxy github`,
      ]);
      expect(box("weather-api")).toBeDisabled();
    });
  });
});
