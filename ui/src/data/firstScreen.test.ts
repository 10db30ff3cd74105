import { QueryObserver } from "@tanstack/react-query";
import { invoke } from "@tauri-apps/api/core";
import { waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { appStatus, getSettings, IpcError, listActions, startEarly } from "../ipc";
import { EARLY_COMMANDS } from "./early";
import { refreshFirstScreen, seedFirstScreen } from "./firstScreen";
import { queryKeys } from "./keys";
import { createQueryClient } from "./queryClient";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

const invokeMock = vi.mocked(invoke);
type TauriWindow = Window & { __TAURI_INTERNALS__?: unknown };

beforeEach(() => {
  invokeMock.mockReset();
  (window as TauriWindow).__TAURI_INTERNALS__ = {};
});

afterEach(() => {
  delete (window as TauriWindow).__TAURI_INTERNALS__;
});

describe("seedFirstScreen", () => {
  it("puts the early answers into the cache, so the first render has them", async () => {
    const answers: Record<string, unknown> = {
      list_actions: [{ name: "linear" }],
      app_status: { version: "1" },
      get_settings: { effective: { theme: "dark" } },
      pending_approvals: [],
    };
    invokeMock.mockImplementation((command: string) => Promise.resolve(answers[command]));
    startEarly(EARLY_COMMANDS);
    expect(invokeMock.mock.calls.map((c) => c[0])).toEqual([...EARLY_COMMANDS]);

    const qc = createQueryClient();
    await seedFirstScreen(qc, 200);
    expect(qc.getQueryData(queryKeys.actions)).toEqual([{ name: "linear" }]);
    expect(qc.getQueryData(queryKeys.appStatus)).toEqual({ version: "1" });
    expect(qc.getQueryData(queryKeys.settings)).toEqual({ effective: { theme: "dark" } });
    expect(qc.getQueryData(queryKeys.pendingApprovals)).toEqual([]);
    // Taken: the queries' own calls ask the backend again.
    invokeMock.mockResolvedValueOnce([]);
    await listActions();
    expect(invokeMock).toHaveBeenCalledTimes(EARLY_COMMANDS.length + 1);
  });

  it("leaves a late or failed answer to its query", async () => {
    let answerSettings: (v: unknown) => void = () => undefined;
    invokeMock.mockImplementation((command: string) => {
      if (command === "get_settings") return new Promise((r) => (answerSettings = r));
      if (command === "app_status") {
        return Promise.reject(
          Object.assign(new Error("No keychain"), { code: "vault_unavailable" }),
        );
      }
      return Promise.resolve([]);
    });
    startEarly(EARLY_COMMANDS);
    const qc = createQueryClient();
    const t0 = performance.now();
    await seedFirstScreen(qc, 50);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(qc.getQueryData(queryKeys.actions)).toEqual([]);
    expect(qc.getQueryData(queryKeys.settings)).toBeUndefined();
    expect(qc.getQueryData(queryKeys.appStatus)).toBeUndefined();

    // The late answer still reaches the query that asks, without a second call.
    const settings = getSettings();
    answerSettings({ effective: { theme: "light" } });
    await expect(settings).resolves.toEqual({ effective: { theme: "light" } });
    // And the failure is the query's error.
    const error: unknown = await appStatus().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IpcError);
    expect((error as IpcError).code).toBe("vault_unavailable");
    expect(invokeMock).toHaveBeenCalledTimes(EARLY_COMMANDS.length);
  });

  it("renders at once outside the app (nothing was asked early)", async () => {
    delete (window as TauriWindow).__TAURI_INTERNALS__;
    const qc = createQueryClient();
    const t0 = performance.now();
    await seedFirstScreen(qc, 5000);
    expect(performance.now() - t0).toBeLessThan(100);
    expect(qc.getQueryData(queryKeys.actions)).toBeUndefined();
    expect(invokeMock).not.toHaveBeenCalled();
  });

  it("keeps the seeded answers until the screen is shown, then asks again", async () => {
    invokeMock.mockImplementation((command: string) =>
      Promise.resolve(command === "list_actions" ? [{ name: "linear" }] : []),
    );
    startEarly(EARLY_COMMANDS);
    const qc = createQueryClient();
    const seeded = await seedFirstScreen(qc, 200);
    expect(seeded).toHaveLength(EARLY_COMMANDS.length);
    invokeMock.mockClear();

    // The list mounts (as the first render does): no second call in the first frame.
    const list = new QueryObserver(qc, { queryKey: queryKeys.actions, queryFn: listActions });
    const stop = list.subscribe(() => undefined);
    await new Promise((r) => setTimeout(r, 20));
    expect(invokeMock).not.toHaveBeenCalled();
    expect(list.getCurrentResult().data).toEqual([{ name: "linear" }]);

    // Shown: it asks again (only what is on screen: the others have no observer), and the
    // answer replaces the seeded one.
    invokeMock.mockResolvedValue([{ name: "linear" }, { name: "notion" }]);
    refreshFirstScreen(qc, seeded);
    await waitFor(() => expect(list.getCurrentResult().data).toHaveLength(2));
    expect(invokeMock.mock.calls.map((c) => c[0])).toEqual(["list_actions"]);
    // And a later mount follows the usual freshness again (stale at once: it asks).
    stop();
    const again = new QueryObserver(qc, { queryKey: queryKeys.actions, queryFn: listActions });
    const stopAgain = again.subscribe(() => undefined);
    await waitFor(() => expect(invokeMock).toHaveBeenCalledTimes(2));
    stopAgain();
  });
});
