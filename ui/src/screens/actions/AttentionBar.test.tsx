import { screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it } from "vitest";

import type { Attention } from "../../bindings/Attention";
import { mockBackend, type Backend } from "../../test/ipcMock";
import { renderApp } from "../../test/render";
import { AttentionBar, fixPlace } from "./AttentionBar";

let backend: Backend;

const reconnect: Attention = {
  kind: "reconnect",
  subject: "linear",
  message: "action 'linear' must be connected again: the refresh token was refused",
  fix: "patchbay connect linear",
  id: null,
};
const breaker: Attention = {
  kind: "breaker-open",
  subject: "sentry",
  message: "'sentry' failed 5 times in a row: calls fail fast",
  fix: "patchbay test sentry (once fixed, a passing test closes it)",
  id: null,
};

beforeEach(() => {
  backend = mockBackend();
});

describe("AttentionBar", () => {
  it("shows nothing when nothing needs the user", async () => {
    backend.attention.mockResolvedValue([]);
    renderApp(<AttentionBar />);
    await waitFor(() => expect(backend.attention).toHaveBeenCalled());
    expect(screen.queryByTestId("attention")).not.toBeInTheDocument();
  });

  it("counts and lists each item with its fix, and links a breaker to Health", async () => {
    backend.attention.mockResolvedValue([reconnect, breaker]);
    const { user } = renderApp(<AttentionBar />);
    expect(await screen.findByText("2 things need you")).toBeInTheDocument();
    const items = screen.getAllByTestId("attention-item");
    expect(items.map((i) => i.dataset.kind)).toEqual(["reconnect", "breaker-open"]);
    expect(items[0]).toHaveTextContent("patchbay connect linear");
    await user.click(screen.getByText("Open Health"));
    expect(window.location.hash).toBe("#/health");
  });

  it("sends a connection's reconnect to OAuth Connections; prompts need no link", () => {
    expect(fixPlace({ ...reconnect, fix: "patchbay connection connect google" })?.label).toBe(
      "Open OAuth Connections",
    );
    expect(fixPlace(reconnect)).toBeNull();
    expect(fixPlace({ ...reconnect, kind: "consent" })).toBeNull();
  });
});
