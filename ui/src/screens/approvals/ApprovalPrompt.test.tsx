import { screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it } from "vitest";

import { Toaster } from "../../components/kit";
import { mockBackend, wireError, type Backend } from "../../test/ipcMock";
import { makeApproval } from "../../test/fixtures";
import { renderApp } from "../../test/render";
import { ApprovalPrompt } from "./ApprovalPrompt";

let backend: Backend;

function render() {
  return renderApp(
    <>
      <ApprovalPrompt />
      <Toaster />
    </>,
  );
}

beforeEach(() => {
  backend = mockBackend();
});

describe("ApprovalPrompt", () => {
  it("shows nothing while no call waits", async () => {
    backend.pending_approvals.mockResolvedValue([]);
    render();
    await waitFor(() => expect(backend.pending_approvals).toHaveBeenCalled());
    expect(screen.queryByTestId("approval-prompt")).not.toBeInTheDocument();
  });

  it("shows the action, tool, arguments and who asks, and approves", async () => {
    backend.pending_approvals.mockResolvedValueOnce([makeApproval()]).mockResolvedValue([]);
    backend.decide_approval.mockResolvedValue(makeApproval({ status: "approved" }));
    const { user } = render();
    const prompt = await screen.findByTestId("approval-prompt");
    expect(prompt).toHaveTextContent("Allow linear to run create_issue?");
    expect(prompt).toHaveTextContent("Claude Desktop");
    expect(screen.getByTestId("approval-arguments")).toHaveTextContent('"title": "Fix login"');
    expect(prompt).toHaveTextContent(/denied automatically in \d+ s/);
    await user.click(screen.getByTestId("approval-approve"));
    expect(backend.decide_approval).toHaveBeenCalledWith({ id: "p1", approve: true });
    await waitFor(() => expect(screen.queryByTestId("approval-prompt")).not.toBeInTheDocument());
    expect(await screen.findByText("Approved create_issue")).toBeInTheDocument();
  });

  it("denies, and answers several waiting calls one after another", async () => {
    backend.pending_approvals
      .mockResolvedValueOnce([makeApproval(), makeApproval({ id: "p2", tool: "delete_issue" })])
      .mockResolvedValue([makeApproval({ id: "p2", tool: "delete_issue" })]);
    backend.decide_approval.mockResolvedValue(makeApproval({ status: "denied" }));
    const { user } = render();
    expect(await screen.findByTestId("approval-more")).toHaveTextContent("1 more waiting");
    await user.click(screen.getByTestId("approval-deny"));
    expect(backend.decide_approval).toHaveBeenCalledWith({ id: "p1", approve: false });
    await waitFor(() =>
      expect(screen.getByTestId("approval-prompt")).toHaveTextContent("delete_issue"),
    );
  });

  it("says why a decision was refused and keeps the prompt", async () => {
    backend.pending_approvals.mockResolvedValue([makeApproval()]);
    backend.decide_approval.mockRejectedValue(
      wireError("invalid_input", "this request to use 'linear' was already expired"),
    );
    const { user } = render();
    await user.click(await screen.findByTestId("approval-approve"));
    expect(await screen.findByRole("alert")).toHaveTextContent("already expired");
    expect(screen.getByTestId("approval-prompt")).toBeInTheDocument();
  });
});
