import { screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it } from "vitest";

import { makeApproval, makeConsent } from "../test/fixtures";
import { mockBackend, type Backend } from "../test/ipcMock";
import { renderApp } from "../test/render";
import { Prompts } from "./prompts";

let backend: Backend;

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
    backend.pending_approvals.mockResolvedValue([makeApproval()]);
    backend.pending_gateway_consents.mockResolvedValue({ pending: [makeConsent()] });
    renderApp(<Prompts />);
    expect(await screen.findByTestId("approval-prompt")).toHaveTextContent(
      "Allow linear to run create_issue?",
    );
    expect(await screen.findByTestId("consent-prompt")).toHaveTextContent("Visual Studio Code");
  });
});
