import { describe, expect, it } from "vitest";

import { screenFromDeepLink } from "./deepLink";

const ids = ["actions", "tokens"];

describe("screenFromDeepLink", () => {
  it("routes patchbay://<screen> links to known screens", () => {
    expect(screenFromDeepLink("patchbay://actions", ids)).toBe("actions");
    expect(screenFromDeepLink("patchbay://Tokens/extra?x=1", ids)).toBe("tokens");
    expect(screenFromDeepLink("patchbay:/actions", ids)).toBe("actions");
  });

  it("ignores unknown screens, other schemes and garbage", () => {
    expect(screenFromDeepLink("patchbay://settings", ids)).toBeNull();
    expect(screenFromDeepLink("dev.patchbay.app:/oauth/callback?code=x", ids)).toBeNull();
    expect(screenFromDeepLink("https://actions", ids)).toBeNull();
    expect(screenFromDeepLink("not a url", ids)).toBeNull();
    expect(screenFromDeepLink("", ids)).toBeNull();
  });
});
