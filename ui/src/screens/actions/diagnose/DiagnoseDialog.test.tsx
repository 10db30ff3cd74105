import { screen, within } from "@testing-library/react";
import { beforeEach, describe, expect, it } from "vitest";

import { deferred } from "../../../test/deferred";
import { makeAction, makeGrant } from "../../../test/fixtures";
import { mockBackend, wireError, type Backend } from "../../../test/ipcMock";
import { renderApp } from "../../../test/render";
import type { DoctorReport } from "../../../bindings/DoctorReport";
import { failingReport, healthyReport } from "./fixtures";
import { reportText } from "./model";

let backend: Backend;

beforeEach(() => {
  backend = mockBackend();
  backend.answerShell();
  backend.oauth_status.mockResolvedValue(makeGrant({ connected: true }));
  backend.list_actions.mockResolvedValue([makeAction({ name: "linear" })]);
});

/** The Actions screen, then linear's ⋮ menu → Diagnose…; returns the dialog. */
async function openDiagnose() {
  const r = renderApp();
  await screen.findByTestId("actions-table");
  const row = document.querySelector<HTMLElement>('[data-testid="action-row"][data-name="linear"]');
  if (!row) throw new Error("no row for linear");
  await r.user.click(within(row).getByTestId("action-menu"));
  await r.user.click(await screen.findByTestId("menu-diagnose"));
  return { ...r, dialog: await screen.findByTestId("diagnose-dialog") };
}

function steps(dialog: HTMLElement) {
  return within(dialog)
    .getAllByTestId("diagnose-step")
    .map((li) => [li.dataset.step, li.dataset.ok]);
}

describe("Diagnose", () => {
  it("runs the diagnosis of that action and shows every step as a timeline", async () => {
    backend.doctor.mockResolvedValue(healthyReport("linear"));
    const { dialog } = await openDiagnose();
    expect(await within(dialog).findByTestId("diagnose-verdict")).toHaveTextContent(
      "All 7 steps passed in 382 ms",
    );
    expect(backend.doctor).toHaveBeenCalledTimes(1);
    expect(backend.doctor).toHaveBeenCalledWith({ name: "linear" });
    expect(steps(dialog)).toEqual([
      ["probe", "true"],
      ["resource-metadata", "true"],
      ["authorization-server-metadata", "true"],
      ["client", "true"],
      ["token", "true"],
      ["mcp-handshake", "true"],
      ["tools", "true"],
    ]);
    const tools = within(dialog).getAllByTestId("diagnose-step")[6];
    expect(tools).toHaveTextContent("Tools");
    expect(tools).toHaveTextContent("38 ms");
    expect(tools).toHaveTextContent("4 tools");
    expect(within(dialog).queryByTestId("diagnose-fix")).toBeNull();
  });

  it("stops at the failing step, highlights its fix and opens its details on demand", async () => {
    backend.doctor.mockResolvedValue(failingReport("linear"));
    const { dialog, user } = await openDiagnose();
    expect(await within(dialog).findByTestId("diagnose-verdict")).toHaveTextContent(
      "Failed at token",
    );
    expect(steps(dialog).at(-1)).toEqual(["token", "false"]);
    expect(steps(dialog)).toHaveLength(5);
    expect(within(dialog).getByTestId("diagnose-fix")).toHaveTextContent(
      "Fix: the authorization server refused its refresh token (invalid_grant: grant request is invalid): it expired or was revoked; sign in again: run `patchbay connect linear`",
    );
    const toggle = within(dialog).getByTestId("diagnose-detail-token-toggle");
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    expect(within(dialog).queryByTestId("diagnose-detail-token")).toBeNull();
    await user.click(toggle);
    expect(toggle).toHaveAttribute("aria-expanded", "true");
    expect(toggle).toHaveTextContent("Hide details");
    expect(within(dialog).getByTestId("diagnose-detail-token")).toHaveTextContent(
      '"code": "needs_reconnect"',
    );
  });

  it("copies the redacted report and runs again on demand", async () => {
    const report = healthyReport("linear");
    backend.doctor.mockResolvedValue(report);
    const { dialog, user } = await openDiagnose();
    await user.click(await within(dialog).findByTestId("diagnose-copy"));
    const copied = await navigator.clipboard.readText();
    expect(copied).toBe(reportText(report));
    expect(copied).toContain("5. token: ok (3 ms)");
    expect(copied).toContain('"accessToken": "[redacted, 744 chars]"');
    expect(within(dialog).getByTestId("diagnose-copy")).toHaveTextContent("Copied");

    const again = deferred<DoctorReport>();
    backend.doctor.mockReturnValue(again.promise);
    await user.click(within(dialog).getByTestId("diagnose-again"));
    expect(await within(dialog).findByTestId("diagnose-running")).toHaveTextContent(
      "Diagnosing linear…",
    );
    expect(within(dialog).queryByTestId("diagnose-timeline")).toBeNull();
    again.resolve(failingReport("linear"));
    expect(await within(dialog).findByTestId("diagnose-verdict")).toHaveTextContent(
      "Failed at token",
    );
    expect(backend.doctor).toHaveBeenCalledTimes(2);
  });

  it("says why when the diagnosis itself could not run, and retries", async () => {
    backend.doctor.mockRejectedValueOnce(wireError("not_found", "no action named 'linear'"));
    backend.doctor.mockResolvedValueOnce(healthyReport("linear"));
    const { dialog, user } = await openDiagnose();
    const notice = await within(dialog).findByTestId("diagnose-error");
    expect(notice).toHaveTextContent("Couldn’t diagnose linear");
    expect(notice).toHaveTextContent("no action named 'linear'");
    expect(within(dialog).queryByTestId("diagnose-copy")).toBeNull();
    await user.click(within(notice).getByRole("button", { name: /retry/i }));
    expect(await within(dialog).findByTestId("diagnose-verdict")).toHaveTextContent("All 7 steps");
  });

  it("closes with Escape and diagnoses afresh when opened again", async () => {
    backend.doctor.mockResolvedValue(healthyReport("linear"));
    const { dialog, user } = await openDiagnose();
    await within(dialog).findByTestId("diagnose-timeline");
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("diagnose-dialog")).toBeNull();
    const row = document.querySelector<HTMLElement>('[data-testid="action-row"]');
    if (!row) throw new Error("no row");
    await user.click(within(row).getByTestId("action-menu"));
    await user.click(await screen.findByTestId("menu-diagnose"));
    await screen.findByTestId("diagnose-timeline");
    expect(backend.doctor).toHaveBeenCalledTimes(2);
  });
});
