import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { beforeEach, describe, expect, it } from "vitest";

import { mockBackend } from "../../test/ipcMock";
import { renderApp } from "../../test/render";
import { ActionForm } from "../action-form/ActionForm";
import { PROVIDERS } from "./fixtures";
import { GalleryScreen } from "./GalleryScreen";

beforeEach(() => {
  const backend = mockBackend();
  backend.list_providers.mockResolvedValue(PROVIDERS);
  backend.list_actions.mockResolvedValue([]);
  backend.callback_urls.mockResolvedValue({
    loopback: "http://127.0.0.1:47700/callback",
    port: 47700,
    appLink: "dev.patchbay.app:/oauth/callback",
  });
  window.location.hash = "#/gallery";
});

describe("GalleryScreen", () => {
  it("shows a tile per provider, says when an own OAuth app is needed, and searches", async () => {
    renderApp(<GalleryScreen />);
    await waitFor(() => expect(screen.getAllByTestId("provider-tile")).toHaveLength(4));
    const hub = screen
      .getAllByTestId("provider-tile")
      .find((t) => t.getAttribute("data-id") === "hubspot")!;
    expect(within(hub).getByText("Needs your own OAuth app")).toBeInTheDocument();
    expect(within(hub).getByText(/create your own OAuth app at/)).toBeInTheDocument();
    expect(within(hub).getByText("http://127.0.0.1:47615/callback")).toBeInTheDocument();
    const lin = screen
      .getAllByTestId("provider-tile")
      .find((t) => t.getAttribute("data-id") === "linear")!;
    expect(within(lin).getByText("OAuth, automatic")).toBeInTheDocument();
    expect(within(lin).getByText("https://linear.app/docs/mcp")).toBeInTheDocument();

    fireEvent.input(screen.getByRole("searchbox"), { target: { value: "stripe" } });
    await waitFor(() => expect(screen.getAllByTestId("provider-tile")).toHaveLength(1));
  });

  it("Add navigates to the Add form with the provider", async () => {
    renderApp(<GalleryScreen />);
    await waitFor(() => expect(screen.getAllByTestId("provider-add")).toHaveLength(4));
    const gh = screen
      .getAllByTestId("provider-tile")
      .find((t) => t.getAttribute("data-id") === "github")!;
    fireEvent.click(within(gh).getByTestId("provider-add"));
    expect(window.location.hash).toBe("#/actions/new?provider=github");
  });

  it("the Add form pre-fills from ?provider=ID", async () => {
    window.location.hash = "#/actions/new?provider=github";
    renderApp(<ActionForm original={null} onClose={() => {}} />);
    await waitFor(() =>
      expect(screen.getByDisplayValue("https://api.githubcopilot.com/mcp/")).toBeInTheDocument(),
    );
    expect(screen.getByDisplayValue("github")).toBeInTheDocument();
  });

  it("an own-app provider opens Advanced configuration and says what to register", async () => {
    window.location.hash = "#/actions/new?provider=github";
    renderApp(<ActionForm original={null} onClose={() => {}} />);
    const note = await screen.findByTestId("provider-own-app");
    expect(note).toHaveTextContent("GitHub needs your own OAuth app.");
    expect(note).toHaveTextContent("OAuth Apps → New OAuth App");
    // The redirect URI on the configured port, not the file's default.
    await waitFor(() => expect(note).toHaveTextContent("http://127.0.0.1:47700/callback"));
    expect(screen.getByLabelText("Client ID")).toBeVisible();
  });

  it("a provider with automatic registration keeps Advanced closed", async () => {
    window.location.hash = "#/actions/new?provider=linear";
    renderApp(<ActionForm original={null} onClose={() => {}} />);
    await waitFor(() =>
      expect(screen.getByDisplayValue("https://mcp.linear.app/mcp")).toBeInTheDocument(),
    );
    expect(screen.queryByTestId("provider-own-app")).not.toBeInTheDocument();
    expect(screen.queryByLabelText("Client ID")).not.toBeInTheDocument();
  });
});
