import { screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it } from "vitest";

import type { ApprovalView } from "../bindings/ApprovalView";
import type { PendingConsent } from "../bindings/PendingConsent";
import { mockBackend, type Backend } from "../test/ipcMock";
import { renderApp } from "../test/render";
import { Prompts } from "./prompts";

let backend: Backend;

const approval: ApprovalView = {
  id: "p1",
  action: "linear",
  tool: "create_issue",
  arguments: null,
  requester: "Claude Desktop (patchbay proxy, pid 1)",
  requestedAt: new Date().toISOString(),
  expiresAt: new Date(Date.now() + 90_000).toISOString(),
  status: "pending",
  decidedAt: null,
};

const consent: PendingConsent = {
  id: "c1",
  code: "KXT-MRW",
  client: {
    name: "Visual Studio Code",
    clientId: "https://vscode.dev/oauth/client-metadata.json",
    kind: "metadata-document",
    publisher: "vscode.dev",
  },
  redirectUri: "http://127.0.0.1:33418/",
  scopes: ["mcp"],
  actions: ["*"],
  requestedAt: new Date().toISOString(),
  expiresAt: new Date(Date.now() + 300_000).toISOString(),
};

beforeEach(() => {
  backend = mockBackend();
});

describe("Prompts", () => {
  it("mounts no prompt while nothing waits", async () => {
    backend.pending_approvals.mockResolvedValue([]);
    backend.pending_gateway_consents.mockResolvedValue({ pending: [] });
    renderApp(<Prompts />);
    await waitFor(() => expect(backend.pending_approvals).toHaveBeenCalled());
    await waitFor(() => expect(backend.pending_gateway_consents).toHaveBeenCalled());
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });

  it("loads and shows each prompt when something waits for it", async () => {
    backend.pending_approvals.mockResolvedValue([approval]);
    backend.pending_gateway_consents.mockResolvedValue({ pending: [consent] });
    renderApp(<Prompts />);
    expect(await screen.findByTestId("approval-prompt")).toHaveTextContent(
      "Allow linear to run create_issue?",
    );
    expect(await screen.findByTestId("consent-prompt")).toHaveTextContent("Visual Studio Code");
  });
});
