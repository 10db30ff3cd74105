import { describe, expect, it } from "vitest";

import { advancedEmpty, needsClientDetails } from "./clientDetails";
import { emptyOAuth } from "./model";

describe("client details", () => {
  it("asks for client details only when Advanced is empty and the code says so", () => {
    expect(advancedEmpty(emptyOAuth())).toBe(true);
    expect(advancedEmpty(emptyOAuth(), true)).toBe(false);
    expect(advancedEmpty({ ...emptyOAuth(), assumePkceS256: true })).toBe(true);
    expect(needsClientDetails("needs_client_id", emptyOAuth())).toBe(true);
    expect(needsClientDetails("registration_refused", emptyOAuth())).toBe(true);
    expect(needsClientDetails("access_denied", emptyOAuth())).toBe(false);
    expect(needsClientDetails("needs_client_id", { ...emptyOAuth(), clientId: "x" })).toBe(false);
  });
});
