import { describe, expect, it } from "vitest";

import { fromProvider } from "../action-form/model";
import { PROVIDERS } from "./fixtures";
import { addRoute, filterProviders, flowLabel } from "./model";

describe("gallery model", () => {
  it("filters by every word, any case, over name, description and URL", () => {
    expect(filterProviders(PROVIDERS, "").map((p) => p.id)).toEqual(PROVIDERS.map((p) => p.id));
    expect(filterProviders(PROVIDERS, "GIT").map((p) => p.id)).toEqual(["github"]);
    expect(filterProviders(PROVIDERS, "crm hubspot").map((p) => p.id)).toEqual(["hubspot"]);
    expect(filterProviders(PROVIDERS, "mcp.linear.app").map((p) => p.id)).toEqual(["linear"]);
    expect(filterProviders(PROVIDERS, "zzz")).toEqual([]);
  });

  it("says the flow plainly and routes Add to the pre-filled form", () => {
    expect(flowLabel("own_app")).toBe("Needs your own OAuth app");
    expect(flowLabel("dcr")).toBe("OAuth, automatic");
    expect(addRoute("google-calendar")).toBe("#/actions/new?provider=google-calendar");
  });
});

describe("fromProvider", () => {
  it("pre-fills name, URL, OAuth endpoints and scopes", () => {
    const gh = PROVIDERS.find((p) => p.id === "github")!;
    const f = fromProvider(gh);
    expect(f.name).toBe("github");
    expect(f.kind).toBe("mcp");
    expect(f.url).toBe("https://api.githubcopilot.com/mcp/");
    expect(f.auth).toBe("oauth");
    expect(f.oauth.scopes).toBe("repo read:org");
    expect(f.oauth.tokenUrl).toBe("https://github.com/login/oauth/access_token");
    expect(f.oauth.clientId).toBe("");
    expect(f.description).toBe(gh.description);
  });

  it("leaves the OAuth endpoints empty for a DCR provider", () => {
    const f = fromProvider(PROVIDERS.find((p) => p.id === "linear")!);
    expect(f.url).toBe("https://mcp.linear.app/mcp");
    expect(f.oauth.authorizationUrl).toBe("");
    expect(f.oauth.scopes).toBe("");
  });
});
