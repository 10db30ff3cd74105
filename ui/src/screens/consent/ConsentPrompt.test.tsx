import { screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it } from "vitest";

import { Toaster } from "../../components/kit";
import { makeAction } from "../../test/fixtures";
import { mockBackend, wireError, type Backend } from "../../test/ipcMock";
import { makeConsent } from "../../test/fixtures";
import { renderApp } from "../../test/render";
import { ConsentPrompt, origin, redirectPlace } from "./ConsentPrompt";

let backend: Backend;

function render() {
  return renderApp(
    <>
      <ConsentPrompt />
      <Toaster />
    </>,
  );
}

beforeEach(() => {
  backend = mockBackend();
  backend.list_actions.mockResolvedValue([
    makeAction({ name: "linear" }),
    makeAction({ name: "github" }),
  ]);
});

describe("ConsentPrompt", () => {
  it("shows nothing while no sign-in waits", async () => {
    backend.pending_gateway_consents.mockResolvedValue({ pending: [] });
    render();
    await waitFor(() => expect(backend.pending_gateway_consents).toHaveBeenCalled());
    expect(screen.queryByTestId("consent-prompt")).not.toBeInTheDocument();
  });

  it("shows who asks, its publisher, the code and where it goes back; allows every action", async () => {
    backend.pending_gateway_consents
      .mockResolvedValueOnce({ pending: [makeConsent()] })
      .mockResolvedValue({ pending: [] });
    backend.decide_gateway_consent.mockResolvedValue(makeConsent());
    const { user } = render();
    const prompt = await screen.findByTestId("consent-prompt");
    expect(prompt).toHaveTextContent("Let Visual Studio Code use your Patchbay gateway?");
    expect(screen.getByTestId("consent-origin")).toHaveTextContent("published by vscode.dev");
    expect(screen.getByTestId("consent-code")).toHaveTextContent("KXT-MRW");
    expect(screen.getByTestId("consent-redirect")).toHaveTextContent("127.0.0.1 port 33418");
    expect(screen.queryByTestId("consent-unverified")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("consent-approve"));
    expect(backend.decide_gateway_consent).toHaveBeenCalledWith({
      id: "c1",
      decision: { approve: true, actions: ["*"], tools: [] },
    });
    expect(await screen.findByText("Visual Studio Code may sign in")).toBeInTheDocument();
  });

  it("warns about a self-registered app and gives only the actions picked", async () => {
    backend.pending_gateway_consents.mockResolvedValue({
      pending: [
        makeConsent({
          client: { name: "Some app", clientId: "pbr_x", kind: "registered", publisher: null },
        }),
      ],
    });
    backend.decide_gateway_consent.mockResolvedValue(makeConsent());
    const { user } = render();
    await screen.findByTestId("consent-prompt");
    expect(screen.getByTestId("consent-origin")).toHaveTextContent("registered itself, unverified");
    expect(screen.getByTestId("consent-unverified")).toBeInTheDocument();
    await user.click(screen.getByTestId("consent-all"));
    // Nothing picked yet: Allow waits for a choice.
    expect(screen.getByTestId("consent-approve")).toBeDisabled();
    await user.click(await screen.findByTestId("consent-action-github"));
    await user.click(screen.getByTestId("consent-approve"));
    expect(backend.decide_gateway_consent).toHaveBeenCalledWith({
      id: "c1",
      decision: { approve: true, actions: ["github"], tools: [] },
    });
  });

  it("denies, and shows a refusal from the backend in place", async () => {
    backend.pending_gateway_consents.mockResolvedValue({ pending: [makeConsent()] });
    backend.decide_gateway_consent.mockRejectedValue(
      wireError("not_found", "sign-in waiting for consent 'c1' not found"),
    );
    const { user } = render();
    await screen.findByTestId("consent-prompt");
    await user.click(screen.getByTestId("consent-deny"));
    expect(backend.decide_gateway_consent).toHaveBeenCalledWith({
      id: "c1",
      decision: { approve: false, actions: [], tools: [] },
    });
    expect(await screen.findByText("Couldn’t record the decision")).toBeInTheDocument();
  });

  it("names the origin and the place the browser returns to", () => {
    expect(origin(makeConsent()).verified).toBe(true);
    expect(redirectPlace("https://vscode.dev/redirect")).toBe("vscode.dev");
    expect(redirectPlace("com.example.app:/cb")).toBe("com.example.app");
    expect(redirectPlace("not a url")).toBe("not a url");
  });
});
