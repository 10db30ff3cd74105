import { screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";

import type { ApprovalView } from "../../bindings/ApprovalView";
import { Toaster } from "../../components/kit";
import type * as ipc from "../../ipc";
import { decideApproval, IpcError, pendingApprovals } from "../../ipc";
import { renderApp } from "../../test/render";
import { ApprovalPrompt } from "./ApprovalPrompt";

vi.mock("../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof ipc>()),
  pendingApprovals: vi.fn(),
  decideApproval: vi.fn(),
}));

const pendingMock = vi.mocked(pendingApprovals);
const decideMock = vi.mocked(decideApproval);

function approval(overrides: Partial<ApprovalView> = {}): ApprovalView {
  return {
    id: "p1",
    action: "linear",
    tool: "create_issue",
    arguments: { title: "Fix login" },
    requester: "Claude Desktop (patchbay proxy, pid 1)",
    requestedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 90_000).toISOString(),
    status: "pending",
    decidedAt: null,
    ...overrides,
  };
}

function render() {
  return renderApp(
    <>
      <ApprovalPrompt />
      <Toaster />
    </>,
  );
}

beforeEach(() => {
  pendingMock.mockReset();
  decideMock.mockReset();
});

describe("ApprovalPrompt", () => {
  it("shows nothing while no call waits", async () => {
    pendingMock.mockResolvedValue([]);
    render();
    await waitFor(() => expect(pendingMock).toHaveBeenCalled());
    expect(screen.queryByTestId("approval-prompt")).not.toBeInTheDocument();
  });

  it("shows the action, tool, arguments and who asks, and approves", async () => {
    pendingMock.mockResolvedValueOnce([approval()]).mockResolvedValue([]);
    decideMock.mockResolvedValue(approval({ status: "approved" }));
    const { user } = render();
    const prompt = await screen.findByTestId("approval-prompt");
    expect(prompt).toHaveTextContent("Allow linear to run create_issue?");
    expect(prompt).toHaveTextContent("Claude Desktop");
    expect(screen.getByTestId("approval-arguments")).toHaveTextContent('"title": "Fix login"');
    expect(prompt).toHaveTextContent(/denied automatically in \d+ s/);
    await user.click(screen.getByTestId("approval-approve"));
    expect(decideMock).toHaveBeenCalledWith("p1", true);
    await waitFor(() => expect(screen.queryByTestId("approval-prompt")).not.toBeInTheDocument());
    expect(await screen.findByText("Approved create_issue")).toBeInTheDocument();
  });

  it("denies, and answers several waiting calls one after another", async () => {
    pendingMock
      .mockResolvedValueOnce([approval(), approval({ id: "p2", tool: "delete_issue" })])
      .mockResolvedValue([approval({ id: "p2", tool: "delete_issue" })]);
    decideMock.mockResolvedValue(approval({ status: "denied" }));
    const { user } = render();
    expect(await screen.findByTestId("approval-more")).toHaveTextContent("1 more waiting");
    await user.click(screen.getByTestId("approval-deny"));
    expect(decideMock).toHaveBeenCalledWith("p1", false);
    await waitFor(() =>
      expect(screen.getByTestId("approval-prompt")).toHaveTextContent("delete_issue"),
    );
  });

  it("says why a decision was refused and keeps the prompt", async () => {
    pendingMock.mockResolvedValue([approval()]);
    decideMock.mockRejectedValue(
      new IpcError("invalid_input", "this request to use 'linear' was already expired"),
    );
    const { user } = render();
    await user.click(await screen.findByTestId("approval-approve"));
    expect(await screen.findByRole("alert")).toHaveTextContent("already expired");
    expect(screen.getByTestId("approval-prompt")).toBeInTheDocument();
  });
});
