/**
 * The Settings form: text inputs over the numeric settings, checked as the user types, and
 * the desktop's switches. The gateway's switch (`gatewayEnabled`) is the Gateway screen's:
 * the form shows it and saves it as it is saved.
 */
import type { SettingLimit } from "../../bindings/SettingLimit";
import type { Settings } from "../../bindings/Settings";
import type { Theme } from "../../bindings/Theme";

/** The desktop's switches the form edits. */
export type SwitchKey =
  "closeToTray" | "startAtLogin" | "notifyHealth" | "notifyApprovals" | "notifyGatewayClients";

export const SWITCH_KEYS: readonly SwitchKey[] = [
  "closeToTray",
  "startAtLogin",
  "notifyHealth",
  "notifyApprovals",
  "notifyGatewayClients",
];

export type NumericKey = Exclude<keyof Settings, "theme" | "gatewayEnabled" | SwitchKey>;

/** What the inputs hold: numbers as typed, so a half-typed value is never lost. */
export type SettingsDraft = Record<NumericKey, string> &
  Record<SwitchKey, boolean> & { theme: Theme };

export const NUMERIC_KEYS: readonly NumericKey[] = [
  "callbackPort",
  "consentTimeoutSecs",
  "confirmTimeoutSecs",
  "logMaxRows",
  "logMaxAgeDays",
  "gatewayPort",
  "gatewayAccessTokenSecs",
  "gatewayRefreshTokenDays",
  "gatewayRefreshGraceSecs",
];

export function toDraft(s: Settings): SettingsDraft {
  return {
    callbackPort: String(s.callbackPort),
    consentTimeoutSecs: String(s.consentTimeoutSecs),
    confirmTimeoutSecs: String(s.confirmTimeoutSecs),
    logMaxRows: String(s.logMaxRows),
    logMaxAgeDays: String(s.logMaxAgeDays),
    gatewayPort: String(s.gatewayPort),
    gatewayAccessTokenSecs: String(s.gatewayAccessTokenSecs),
    gatewayRefreshTokenDays: String(s.gatewayRefreshTokenDays),
    gatewayRefreshGraceSecs: String(s.gatewayRefreshGraceSecs),
    closeToTray: s.closeToTray,
    startAtLogin: s.startAtLogin,
    notifyHealth: s.notifyHealth,
    notifyApprovals: s.notifyApprovals,
    notifyGatewayClients: s.notifyGatewayClients,
    theme: s.theme,
  };
}

const UNITS: Partial<Record<NumericKey, string>> = {
  consentTimeoutSecs: "seconds",
  confirmTimeoutSecs: "seconds",
  logMaxRows: "rows",
  logMaxAgeDays: "days",
  gatewayAccessTokenSecs: "seconds",
  gatewayRefreshTokenDays: "days",
  gatewayRefreshGraceSecs: "seconds",
};

/** Why a typed value is not allowed, or null. */
export function fieldError(
  key: NumericKey,
  raw: string,
  limits: readonly SettingLimit[],
): string | null {
  const text = raw.trim();
  const limit = limits.find((l) => l.key === key);
  if (text === "") return "Enter a number.";
  if (!/^\d+$/.test(text)) return "Enter a whole number (digits only).";
  if (!limit) return null;
  const n = Number(text);
  if (limit.also !== null && n === limit.also) return null;
  if (n >= limit.min && n <= limit.max) return null;
  const unit = UNITS[key] ? ` ${UNITS[key]}` : "";
  const also = limit.also !== null ? `, or ${limit.also}` : "";
  return `Use ${limit.min.toLocaleString("en-US")} to ${limit.max.toLocaleString("en-US")}${unit}${also}.`;
}

export function draftErrors(
  d: SettingsDraft,
  limits: readonly SettingLimit[],
): Partial<Record<NumericKey, string>> {
  const out: Partial<Record<NumericKey, string>> = {};
  for (const k of NUMERIC_KEYS) {
    const e = fieldError(k, d[k], limits);
    if (e) out[k] = e;
  }
  return out;
}

/**
 * The settings to save; null while any field is invalid. The gateway's switch stays as
 * `saved` has it (the Gateway screen may have turned it since the form was opened).
 */
export function fromDraft(
  d: SettingsDraft,
  limits: readonly SettingLimit[],
  saved: Pick<Settings, "gatewayEnabled">,
): Settings | null {
  if (Object.keys(draftErrors(d, limits)).length > 0) return null;
  return {
    gatewayEnabled: saved.gatewayEnabled,
    callbackPort: Number(d.callbackPort.trim()),
    consentTimeoutSecs: Number(d.consentTimeoutSecs.trim()),
    confirmTimeoutSecs: Number(d.confirmTimeoutSecs.trim()),
    logMaxRows: Number(d.logMaxRows.trim()),
    logMaxAgeDays: Number(d.logMaxAgeDays.trim()),
    gatewayPort: Number(d.gatewayPort.trim()),
    gatewayAccessTokenSecs: Number(d.gatewayAccessTokenSecs.trim()),
    gatewayRefreshTokenDays: Number(d.gatewayRefreshTokenDays.trim()),
    gatewayRefreshGraceSecs: Number(d.gatewayRefreshGraceSecs.trim()),
    closeToTray: d.closeToTray,
    startAtLogin: d.startAtLogin,
    notifyHealth: d.notifyHealth,
    notifyApprovals: d.notifyApprovals,
    notifyGatewayClients: d.notifyGatewayClients,
    theme: d.theme,
  };
}

/** True when the draft differs from what is saved (by value: "0300" equals 300). */
export function isDirty(d: SettingsDraft, saved: Settings): boolean {
  if (d.theme !== saved.theme) return true;
  if (SWITCH_KEYS.some((k) => d[k] !== saved[k])) return true;
  return NUMERIC_KEYS.some((k) => d[k].trim() !== String(saved[k]));
}

/** The loopback redirect URI providers must list, for the port in the draft. */
export function redirectUriFor(port: string): string | null {
  const t = port.trim();
  if (!/^\d+$/.test(t)) return null;
  return Number(t) === 0 ? null : `http://127.0.0.1:${Number(t)}/callback`;
}

/** "5 minutes", "2 minutes 30 seconds", "45 seconds": the timeouts in words. */
export function durationWords(raw: string): string | null {
  const t = raw.trim();
  if (!/^\d+$/.test(t)) return null;
  const s = Number(t);
  const m = Math.floor(s / 60);
  const r = s % 60;
  const part = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
  if (m === 0) return part(r, "second");
  return r === 0 ? part(m, "minute") : `${part(m, "minute")} ${part(r, "second")}`;
}
