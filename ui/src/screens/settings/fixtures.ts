/** Settings for tests and the in-browser mock (`?mock=`; `?mock=env` shows an override). */
import type { Settings } from "../../bindings/Settings";
import type { SettingsView } from "../../bindings/SettingsView";

export const DEFAULT_SETTINGS: Settings = {
  callbackPort: 47615,
  consentTimeoutSecs: 300,
  confirmTimeoutSecs: 120,
  logMaxRows: 100_000,
  logMaxAgeDays: 30,
  theme: "system",
  gatewayPort: 47616,
  gatewayAccessTokenSecs: 3600,
  gatewayRefreshTokenDays: 30,
  gatewayRefreshGraceSecs: 60,
  gatewayEnabled: false,
  closeToTray: true,
  startAtLogin: false,
  notifyHealth: true,
  notifyApprovals: true,
  notifyGatewayClients: true,
};

export const LIMITS: SettingsView["limits"] = [
  { key: "callbackPort", min: 1024, max: 65535, also: 0 },
  { key: "consentTimeoutSecs", min: 10, max: 3600, also: null },
  { key: "confirmTimeoutSecs", min: 1, max: 3600, also: null },
  { key: "logMaxRows", min: 1, max: 10_000_000, also: null },
  { key: "logMaxAgeDays", min: 1, max: 3650, also: null },
  { key: "gatewayPort", min: 1024, max: 65535, also: null },
  { key: "gatewayAccessTokenSecs", min: 5, max: 86_400, also: null },
  { key: "gatewayRefreshTokenDays", min: 1, max: 365, also: null },
  { key: "gatewayRefreshGraceSecs", min: 0, max: 600, also: null },
];

export function settingsView(saved: Settings = DEFAULT_SETTINGS, env = false): SettingsView {
  const overrides = env ? [{ key: "callbackPort", env: "PATCHBAY_CALLBACK_PORT", value: "0" }] : [];
  return {
    saved,
    effective: env ? { ...saved, callbackPort: 0 } : saved,
    defaults: DEFAULT_SETTINGS,
    overrides,
    limits: LIMITS,
  };
}

let saved: Settings = DEFAULT_SETTINGS;

/** The mock backend: saved in memory for the page's life. */
export function settingsMock(scenario: string, command: string, next?: Settings): SettingsView {
  if (command === "save_settings" && next) saved = next;
  return settingsView(saved, scenario === "env");
}
