import { describe, expect, it } from "vitest";

import { makeAction } from "../../test/fixtures";
import {
  clientFieldOfError,
  clientProblems,
  emptyClientDraft,
  mayUseText,
  redirectLines,
  redirectUriError,
  sortClients,
  stepProblems,
  toClientForm,
} from "./clientModel";
import { CLIENTS, makeClient } from "./fixtures";

describe("OAuth client model", () => {
  it("accepts the redirect URIs core accepts and refuses the others, naming the line", () => {
    // The same cases as core's `redirect_uri` test.
    for (const ok of [
      "http://[::1]:9/cb",
      "http://127.0.0.1:8080/callback",
      "http://localhost:3000/cb",
      "https://x.example/cb",
      "com.example.app:/cb",
    ]) {
      expect(redirectUriError(ok), ok).toBeUndefined();
    }
    expect(redirectUriError("http://app.example/cb")).toMatch(
      /^‘http:\/\/app\.example\/cb’ uses plain http away from this computer/,
    );
    expect(redirectUriError("ftp://x/y")).toMatch(/the scheme ‘ftp’ isn’t allowed/);
    expect(redirectUriError("https://x.example/#f")).toMatch(/must not have a fragment/);
    expect(redirectUriError("https://x.example/#")).toMatch(/must not have a fragment/);
    expect(redirectUriError("nope")).toMatch(/^‘nope’ isn’t a full URI/);
  });

  it("reads one URI per line and checks both steps apart", () => {
    expect(redirectLines(" https://a.example/cb \r\n\n  \nhttp://127.0.0.1/cb")).toEqual([
      "https://a.example/cb",
      "http://127.0.0.1/cb",
    ]);
    const actions = [makeAction({ name: "linear" })];
    const problems = clientProblems(emptyClientDraft(), actions);
    expect(Object.keys(problems)).toEqual(["name", "redirectUris", "auth"]);
    expect(Object.keys(stepProblems(problems, "app"))).toEqual(["name", "redirectUris"]);
    expect(Object.keys(stepProblems(problems, "scope"))).toEqual(["auth"]);
    const bad = clientProblems(
      { ...emptyClientDraft(), redirectUris: "https://ok.example/cb\nhttp://bad.example/cb" },
      actions,
    );
    expect(bad.redirectUris).toMatch(/‘http:\/\/bad\.example\/cb’/);
  });

  it("sends the draft as core's form and places core's fields", () => {
    const actions = [makeAction({ name: "linear" }), makeAction({ name: "github" })];
    expect(
      toClientForm(
        {
          name: " crm ",
          type: "public",
          redirectUris: "https://crm.example/cb\n\n",
          all: false,
          actions: ["linear", "github"],
          limits: { linear: { picked: ["search"], typed: "create, list" } },
        },
        actions,
      ),
    ).toEqual({
      name: "crm",
      type: "public",
      redirectUris: ["https://crm.example/cb"],
      actions: ["linear", "github"],
      tools: ["linear__search", "linear__create", "linear__list"],
    });
    expect(clientFieldOfError({ field: "url" })).toBe("redirectUris");
    expect(clientFieldOfError({ field: "name" })).toBe("name");
    expect(clientFieldOfError({ field: "auth" })).toBe("auth");
    expect(clientFieldOfError({ field: "expires" })).toBeUndefined();
    expect(clientFieldOfError({})).toBeUndefined();
  });

  it("lists active clients first, newest first, and says what each may use", () => {
    expect(sortClients(CLIENTS).map((c) => c.name)).toEqual(["n8n", "acme-crm", "old-bot"]);
    expect(mayUseText(makeClient({ actions: ["*"] }))).toBe("Every action, present and future");
    expect(mayUseText(makeClient({ actions: ["a", "b"] }))).toBe("a, b");
    expect(mayUseText(makeClient({ actions: [] }))).toMatch(/^No actions/);
  });
});
