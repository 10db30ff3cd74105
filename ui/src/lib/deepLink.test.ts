import fc from "fast-check";
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
    // Found by the property below: a broken percent-escape threw URIError.
    expect(screenFromDeepLink("patchbay://%E0%A4%A", ids)).toBeNull();
  });
});

describe("screenFromDeepLink, any input (fast-check)", () => {
  const anyLink = fc.oneof(
    fc.string(),
    fc.string({ unit: "grapheme" }),
    fc
      .tuple(
        fc.constantFrom(
          "patchbay://",
          "patchbay:/",
          "patchbay:",
          "PATCHBAY://",
          "dev.patchbay.app:/",
        ),
        fc.oneof(fc.constantFrom(...ids, "%", "%E0%A4%A", "%zz", ""), fc.string()),
        fc.oneof(
          fc.constant(""),
          fc.string().map((s) => `/${s}`),
          fc.string().map((s) => `?${s}`),
        ),
      )
      .map(([scheme, screen, rest]) => scheme + screen + rest),
  );

  it("answers a known screen or null, and never throws", () => {
    fc.assert(
      fc.property(anyLink, (url) => {
        const screen = screenFromDeepLink(url, ids);
        expect(screen === null || ids.includes(screen)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
