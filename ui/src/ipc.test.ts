import { invoke } from "@tauri-apps/api/core";
import { listen, type EventCallback } from "@tauri-apps/api/event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import {
  appStatus,
  DATA_CHANGED_EVENT,
  IpcError,
  listActions,
  onDataChanged,
  startEarly,
  toIpcError,
} from "./ipc";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));
vi.mock("@tauri-apps/api/event", () => ({ listen: vi.fn() }));

const invokeMock = vi.mocked(invoke);
const listenMock = vi.mocked(listen);

type TauriWindow = Window & { __TAURI_INTERNALS__?: unknown };

beforeEach(() => {
  invokeMock.mockReset();
  listenMock.mockReset();
  (window as TauriWindow).__TAURI_INTERNALS__ = {};
});

afterEach(() => {
  delete (window as TauriWindow).__TAURI_INTERNALS__;
  window.history.replaceState(null, "", "/");
});

async function rejection(promise: Promise<unknown>): Promise<IpcError> {
  const error: unknown = await promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IpcError);
  return error as IpcError;
}

describe("commands", () => {
  it("invokes the Rust commands by name and returns their result", async () => {
    invokeMock.mockResolvedValueOnce([{ id: "1" }]).mockResolvedValueOnce({ version: "9" });
    await expect(listActions()).resolves.toEqual([{ id: "1" }]);
    await expect(appStatus()).resolves.toEqual({ version: "9" });
    expect(invokeMock.mock.calls.map((c) => c[0])).toEqual(["list_actions", "app_status"]);
  });

  it("turns an ErrorBody rejection into an IpcError with the same code and message", async () => {
    invokeMock.mockRejectedValue({ code: "vault_locked", message: "Keychain is locked" });
    const error = await rejection(listActions());
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe("vault_locked");
    expect(error.message).toBe("Keychain is locked");
    expect(error.name).toBe("IpcError");
  });

  it("turns a string rejection into an internal IpcError", async () => {
    invokeMock.mockRejectedValue("command list_actions not found");
    const error = await rejection(appStatus());
    expect(error.code).toBe("internal");
    expect(error.message).toBe("command list_actions not found");
  });
});

describe("toIpcError", () => {
  it("maps unknown shapes and unknown codes to internal", () => {
    expect(toIpcError({ code: "teapot", message: "short and stout" })).toMatchObject({
      code: "internal",
      message: "short and stout",
    });
    expect(toIpcError({ code: "not_found" })).toMatchObject({
      code: "not_found",
      message: "Unknown error",
    });
    expect(toIpcError(new TypeError("boom"))).toMatchObject({ code: "internal", message: "boom" });
    expect(toIpcError(null)).toMatchObject({ code: "internal", message: "Unexpected error: null" });
    expect(toIpcError(42)).toMatchObject({ code: "internal", message: "Unexpected error: 42" });
    expect(toIpcError("")).toMatchObject({ code: "internal", message: "Unknown error" });
    const original = new IpcError("conflict", "exists");
    expect(toIpcError(original)).toBe(original);
  });

  it("keeps the form field a body names, and drops one it doesn't know", () => {
    expect(
      toIpcError({ code: "invalid_input", message: "token URL must use https", field: "tokenUrl" })
        .field,
    ).toBe("tokenUrl");
    expect(toIpcError({ code: "conflict", message: "exists", field: "name" }).field).toBe("name");
    expect(toIpcError({ code: "invalid_input", message: "x", field: "colour" }).field).toBe(
      undefined,
    );
    expect(toIpcError({ code: "invalid_input", message: "no field" }).field).toBe(undefined);
  });
});

describe("onDataChanged", () => {
  it("listens to db-changed, calls back on each event and returns the unlisten function", async () => {
    const unlisten = vi.fn();
    let handler: EventCallback<unknown> | undefined;
    listenMock.mockImplementation((_event, h) => {
      handler = h;
      return Promise.resolve(unlisten);
    });
    const cb = vi.fn();

    const stop = await onDataChanged(cb);
    expect(DATA_CHANGED_EVENT).toBe("db-changed");
    expect(listenMock).toHaveBeenCalledWith("db-changed", expect.any(Function));
    handler?.({ event: "db-changed", id: 1, payload: null });
    handler?.({ event: "db-changed", id: 2, payload: null });
    expect(cb).toHaveBeenCalledTimes(2);
    stop();
    expect(unlisten).toHaveBeenCalledTimes(1);
  });
});

describe("outside Tauri", () => {
  it("answers from the mock backend for ?mock= and never touches the IPC bridge", async () => {
    delete (window as TauriWindow).__TAURI_INTERNALS__;
    window.history.replaceState(null, "", "/?mock=empty");
    await expect(listActions()).resolves.toEqual([]);

    window.history.replaceState(null, "", "/?mock=error");
    expect((await rejection(listActions())).code).toBe("database");

    const stop = await onDataChanged(() => {});
    stop();
    expect(invokeMock).not.toHaveBeenCalled();
    expect(listenMock).not.toHaveBeenCalled();
  });
});

describe("startEarly", () => {
  it("asks at once and hands that answer to the next call only", async () => {
    invokeMock.mockResolvedValueOnce([{ id: "early" }]).mockResolvedValueOnce([{ id: "later" }]);
    startEarly(["list_actions"]);
    expect(invokeMock).toHaveBeenCalledTimes(1);
    startEarly(["list_actions"]); // already under way: not asked twice
    expect(invokeMock).toHaveBeenCalledTimes(1);
    await expect(listActions()).resolves.toEqual([{ id: "early" }]);
    expect(invokeMock).toHaveBeenCalledTimes(1);
    await expect(listActions()).resolves.toEqual([{ id: "later" }]);
    expect(invokeMock).toHaveBeenCalledTimes(2);
  });

  it("hands an early failure to its taker as an IpcError", async () => {
    // Until it is taken, the failure is no unhandled rejection (Vitest fails the run on one).
    invokeMock.mockRejectedValueOnce({ code: "vault_locked", message: "Keychain is locked" });
    startEarly(["app_status"]);
    await new Promise((r) => setTimeout(r, 10));
    const error = await rejection(appStatus());
    expect(error.code).toBe("vault_locked");
    expect(invokeMock).toHaveBeenCalledTimes(1);
  });

  it("does nothing outside the app", async () => {
    delete (window as TauriWindow).__TAURI_INTERNALS__;
    startEarly(["list_actions"]);
    expect(invokeMock).not.toHaveBeenCalled();
    (window as TauriWindow).__TAURI_INTERNALS__ = {};
    invokeMock.mockResolvedValueOnce([]);
    await expect(listActions()).resolves.toEqual([]);
    expect(invokeMock).toHaveBeenCalledWith("list_actions", undefined);
  });
});
