import { cleanup, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { Settings } from "../../bindings/Settings";
import { clearToasts, Toaster } from "../../components/kit";
import { makeStatus } from "../../test/fixtures";
import { mockBackend, wireError, type Backend } from "../../test/ipcMock";
import { renderApp } from "../../test/render";
import { DEFAULT_SETTINGS, settingsView } from "./fixtures";
import { SettingsScreen } from "./SettingsScreen";
import { applyRememberedTheme, applyTheme } from "./theme";

function renderScreen() {
  return renderApp(
    <>
      <SettingsScreen />
      <Toaster />
    </>,
  );
}

let backend: Backend;

beforeEach(() => {
  backend = mockBackend();
  backend.app_status.mockResolvedValue(makeStatus());
  backend.get_settings.mockResolvedValue(settingsView());
  backend.save_settings.mockImplementation(({ settings }: { settings: Settings }) =>
    Promise.resolve(settingsView(settings)),
  );
  applyTheme("system");
});

afterEach(() => {
  clearToasts();
  vi.clearAllMocks();
  localStorage.clear();
});

describe("Settings screen", () => {
  it("shows the saved values, and saves a change as numbers", async () => {
    const { user } = renderScreen();
    const port = await screen.findByLabelText("Callback port");
    expect(port).toHaveValue("47615");
    expect(screen.getByText(/must list http:\/\/127\.0\.0\.1:47615\/callback/)).toBeInTheDocument();
    expect(screen.getByTestId("settings-save")).toBeDisabled();

    await user.clear(port);
    await user.type(port, "47700");
    expect(screen.getByText(/must list http:\/\/127\.0\.0\.1:47700\/callback/)).toBeInTheDocument();
    expect(screen.getByTestId("settings-unsaved")).toBeInTheDocument();
    const days = screen.getByLabelText("Delete after (days)");
    await user.clear(days);
    await user.type(days, "7");
    await user.click(screen.getByTestId("settings-save"));

    await waitFor(() =>
      expect(backend.save_settings).toHaveBeenCalledWith({
        settings: { ...DEFAULT_SETTINGS, callbackPort: 47700, logMaxAgeDays: 7 },
      }),
    );
    expect(await screen.findByText("Settings saved")).toBeInTheDocument();
    expect(screen.queryByTestId("settings-unsaved")).not.toBeInTheDocument();
  });

  it("shows the desktop's switches as saved, and saves the ones flipped", async () => {
    const { user } = renderScreen();
    const tray = await screen.findByRole("switch", { name: "Close to tray" });
    const login = screen.getByRole("switch", { name: "Start at login" });
    expect(tray).toBeChecked();
    expect(login).not.toBeChecked();
    for (const name of ["Action health", "Confirmations and sign-ins", "New gateway clients"]) {
      expect(screen.getByRole("switch", { name })).toBeChecked();
    }
    expect(screen.getByTestId("settings-save")).toBeDisabled();

    await user.click(tray);
    await user.click(login);
    await user.click(screen.getByRole("switch", { name: "New gateway clients" }));
    expect(screen.getByTestId("settings-unsaved")).toBeInTheDocument();
    await user.click(screen.getByTestId("settings-save"));
    await waitFor(() =>
      expect(backend.save_settings).toHaveBeenCalledWith({
        settings: {
          ...DEFAULT_SETTINGS,
          closeToTray: false,
          startAtLogin: true,
          notifyGatewayClients: false,
        },
      }),
    );
    expect(await screen.findByText("Settings saved")).toBeInTheDocument();
    expect(screen.getByRole("switch", { name: "Close to tray" })).not.toBeChecked();
    expect(screen.getByRole("switch", { name: "Start at login" })).toBeChecked();
  });

  it("says so where the desktop shows no tray, and nothing where it does", async () => {
    backend.tray_host.mockResolvedValue(false);
    renderScreen();
    expect(await screen.findByTestId("settings-no-tray")).toHaveTextContent(
      "This desktop shows no system tray: closing the window quits Patchbay.",
    );
    cleanup();
    backend.tray_host.mockResolvedValue(true);
    renderScreen();
    await screen.findByRole("switch", { name: "Close to tray" });
    await waitFor(() => expect(backend.tray_host).toHaveBeenCalledTimes(2));
    expect(screen.queryByTestId("settings-no-tray")).not.toBeInTheDocument();
  });

  it("explains a bad value inline and keeps Save off, without losing the text", async () => {
    const { user } = renderScreen();
    const timeout = await screen.findByLabelText("Sign-in timeout (seconds)");
    await user.clear(timeout);
    await user.type(timeout, "5");
    expect(screen.getByText("Use 10 to 3,600 seconds.")).toBeInTheDocument();
    expect(timeout).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByTestId("settings-save")).toBeDisabled();
    await user.type(timeout, "0");
    expect(screen.queryByText("Use 10 to 3,600 seconds.")).not.toBeInTheDocument();
    expect(screen.getByText(/waits for the browser to come back: 50 seconds/)).toBeInTheDocument();
    expect(screen.getByTestId("settings-save")).toBeEnabled();
  });

  it("reports a refused save and keeps the form as typed", async () => {
    backend.save_settings.mockRejectedValue(wireError("database", "database is locked"));
    const { user } = renderScreen();
    const rows = await screen.findByLabelText("Keep at most (rows)");
    await user.clear(rows);
    await user.type(rows, "5000");
    await user.click(screen.getByTestId("settings-save"));
    expect(await screen.findByText(/Couldn’t save settings/)).toBeInTheDocument();
    expect(rows).toHaveValue("5000");
    expect(screen.getByTestId("settings-unsaved")).toBeInTheDocument();
  });

  it("previews the theme, and Discard puts the saved one back", async () => {
    const { user } = renderScreen();
    await screen.findByLabelText("Callback port");
    await user.click(screen.getByTestId("settings-theme-dark"));
    expect(document.documentElement.dataset.theme).toBe("dark");
    await user.click(screen.getByTestId("settings-discard"));
    expect(document.documentElement.dataset.theme).toBeUndefined();
    expect(screen.getByTestId("settings-save")).toBeDisabled();
  });

  it("saves the theme, remembered for the next start", async () => {
    const { user } = renderScreen();
    await screen.findByLabelText("Callback port");
    await user.click(screen.getByTestId("settings-theme-light"));
    await user.click(screen.getByTestId("settings-save"));
    await waitFor(() =>
      expect(backend.save_settings).toHaveBeenCalledWith({
        settings: { ...DEFAULT_SETTINGS, theme: "light" },
      }),
    );
    await screen.findByText("Settings saved");
    applyTheme("system", false);
    applyRememberedTheme();
    expect(document.documentElement.dataset.theme).toBe("light");
  });

  it("Restore defaults fills the form with the defaults (saved only on Save)", async () => {
    backend.get_settings.mockResolvedValue(
      settingsView({ ...DEFAULT_SETTINGS, confirmTimeoutSecs: 30, theme: "dark" }),
    );
    const { user } = renderScreen();
    const confirm = await screen.findByLabelText("Confirmation timeout (seconds)");
    expect(confirm).toHaveValue("30");
    await user.click(screen.getByTestId("settings-defaults"));
    expect(confirm).toHaveValue("120");
    expect(backend.save_settings).not.toHaveBeenCalled();
    expect(screen.getByTestId("settings-defaults")).toBeDisabled();
  });

  it("says when the environment overrides a value", async () => {
    backend.get_settings.mockResolvedValue(settingsView(DEFAULT_SETTINGS, true));
    renderScreen();
    const note = await screen.findByTestId("settings-override-callbackPort");
    expect(note).toHaveTextContent("PATCHBAY_CALLBACK_PORT");
    expect(note).toHaveTextContent("In effect now: 0");
  });

  it("shows why settings could not load, with Retry", async () => {
    backend.get_settings.mockRejectedValueOnce(wireError("database", "disk I/O error"));
    const { user } = renderScreen();
    expect(await screen.findByTestId("settings-error")).toHaveTextContent("disk I/O error");
    await user.click(screen.getByRole("button", { name: /retry/i }));
    expect(await screen.findByLabelText("Callback port")).toHaveValue("47615");
  });

  it("keeps unsaved edits while another screen is shown", async () => {
    const first = renderScreen();
    const port = await screen.findByLabelText("Callback port");
    await first.user.clear(port);
    await first.user.type(port, "47999");
    first.unmount();
    renderScreen();
    expect(await screen.findByLabelText("Callback port")).toHaveValue("47999");
    expect(screen.getByTestId("settings-unsaved")).toBeInTheDocument();
    await userEvent.setup().click(screen.getByTestId("settings-discard"));
    expect(screen.getByLabelText("Callback port")).toHaveValue("47615");
  });

  it("says whether the app serves the gateway, points to its screen, and saves the switch as it is now", async () => {
    backend.get_settings.mockResolvedValue(
      settingsView({ ...DEFAULT_SETTINGS, gatewayEnabled: true }),
    );
    const { user } = renderScreen();
    const line = await screen.findByTestId("settings-gateway-enabled");
    expect(line).toHaveTextContent("Patchbay serves the gateway while it is open.");
    expect(screen.getByRole("link", { name: "Turn it off on the Gateway screen" })).toHaveAttribute(
      "href",
      "#/gateway",
    );
    const port = screen.getByLabelText("Gateway port");
    await user.clear(port);
    await user.type(port, "48000");
    await user.click(screen.getByTestId("settings-save"));
    await waitFor(() =>
      expect(backend.save_settings).toHaveBeenCalledWith({
        settings: { ...DEFAULT_SETTINGS, gatewayPort: 48000, gatewayEnabled: true },
      }),
    );
  });
});
