import { describe, expect, it } from "vitest";

import { DEFAULT_SETTINGS, LIMITS } from "./fixtures";
import {
  draftErrors,
  durationWords,
  fieldError,
  fromDraft,
  isDirty,
  redirectUriFor,
  toDraft,
} from "./model";

describe("settings model", () => {
  it("round-trips settings through the draft", () => {
    const d = toDraft(DEFAULT_SETTINGS);
    expect(d.callbackPort).toBe("47615");
    expect(fromDraft(d, LIMITS, DEFAULT_SETTINGS)).toEqual(DEFAULT_SETTINGS);
    expect(isDirty(d, DEFAULT_SETTINGS)).toBe(false);
  });

  it("saves the gateway's switch as it is saved now, not as it was when the form opened", () => {
    const d = toDraft(DEFAULT_SETTINGS);
    expect(fromDraft(d, LIMITS, { gatewayEnabled: true })).toEqual({
      ...DEFAULT_SETTINGS,
      gatewayEnabled: true,
    });
  });

  it("checks numbers against the backend's limits", () => {
    expect(fieldError("callbackPort", "0", LIMITS)).toBeNull();
    expect(fieldError("callbackPort", "47700", LIMITS)).toBeNull();
    expect(fieldError("callbackPort", "80", LIMITS)).toBe("Use 1,024 to 65,535, or 0.");
    expect(fieldError("callbackPort", "", LIMITS)).toBe("Enter a number.");
    expect(fieldError("consentTimeoutSecs", "1.5", LIMITS)).toBe(
      "Enter a whole number (digits only).",
    );
    expect(fieldError("consentTimeoutSecs", "-3", LIMITS)).toMatch(/whole number/);
    expect(fieldError("logMaxAgeDays", "0", LIMITS)).toBe("Use 1 to 3,650 days.");
    expect(fieldError("logMaxRows", " 500 ", LIMITS)).toBeNull();
  });

  it("refuses to build settings while a field is invalid, and keeps what was typed", () => {
    const d = { ...toDraft(DEFAULT_SETTINGS), callbackPort: "8o8o" };
    expect(fromDraft(d, LIMITS, DEFAULT_SETTINGS)).toBeNull();
    expect(Object.keys(draftErrors(d, LIMITS))).toEqual(["callbackPort"]);
    expect(d.callbackPort).toBe("8o8o");
  });

  it("compares by value and notices a theme change", () => {
    const d = toDraft(DEFAULT_SETTINGS);
    expect(isDirty({ ...d, consentTimeoutSecs: " 300 " }, DEFAULT_SETTINGS)).toBe(false);
    expect(isDirty({ ...d, consentTimeoutSecs: "301" }, DEFAULT_SETTINGS)).toBe(true);
    expect(isDirty({ ...d, theme: "dark" }, DEFAULT_SETTINGS)).toBe(true);
  });

  it("says the redirect URI and the durations in words", () => {
    expect(redirectUriFor("47700")).toBe("http://127.0.0.1:47700/callback");
    expect(redirectUriFor("0")).toBeNull();
    expect(redirectUriFor("x")).toBeNull();
    expect(durationWords("300")).toBe("5 minutes");
    expect(durationWords("150")).toBe("2 minutes 30 seconds");
    expect(durationWords("61")).toBe("1 minute 1 second");
    expect(durationWords("45")).toBe("45 seconds");
    expect(durationWords("")).toBeNull();
  });
});
