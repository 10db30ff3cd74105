import { describe, expect, it } from "vitest";

import { IpcError } from "../../ipc";

import { makeHttpToken, makeTextToken, passingReport, failingReport } from "./fixtures";
import {
  describeReport,
  emptyHttpDraft,
  emptyTextDraft,
  headerPreview,
  httpDraftFromView,
  newRow,
  shapeRows,
  textDraftFromView,
  toHttpForm,
  toTextForm,
  tokenFieldOfError,
  tokenPathProblem,
  validateHttp,
  validateText,
  type HttpDraft,
} from "./model";

describe("text tokens", () => {
  it("defaults to Authorization: Bearer", () => {
    expect(emptyTextDraft()).toMatchObject({ headerName: "Authorization", prefix: "Bearer" });
  });

  it("requires a name and, when adding, a value", () => {
    expect(Object.keys(validateText(emptyTextDraft(), true)).sort()).toEqual(["name", "value"]);
    const edit = textDraftFromView(makeTextToken());
    expect(edit.value).toBe("");
    expect(validateText(edit, false)).toEqual({});
  });

  it("rejects bad header names and control characters", () => {
    const d = { ...emptyTextDraft(), name: "T", value: "a\nb", headerName: "X Api" };
    expect(Object.keys(validateText(d, true)).sort()).toEqual(["headerName", "value"]);
  });

  it("sends an empty value as null (keep the stored one) and fills the header default", () => {
    expect(
      toTextForm({
        name: " T ",
        description: " d ",
        value: "",
        headerName: " ",
        prefix: " Token ",
      }),
    ).toEqual({
      name: "T",
      description: "d",
      value: null,
      headerName: "Authorization",
      prefix: "Token",
    });
    expect(toTextForm({ ...emptyTextDraft(), name: "T", value: "abc " }).value).toBe("abc ");
  });
});

const http = (over: Partial<HttpDraft> = {}): HttpDraft => ({
  ...emptyHttpDraft(),
  name: "METEO",
  url: "https://auth.example.com/token",
  ...over,
});

describe("HTTP request tokens", () => {
  it("defaults to POST and $.access_token", () => {
    expect(emptyHttpDraft()).toMatchObject({
      method: "POST",
      tokenPath: "$.access_token",
      form: false,
    });
  });

  it("validates the URL, the token path and the rows", () => {
    expect(validateHttp(http(), false)).toEqual({});
    const errors = validateHttp(
      http({
        url: "http://auth.example.com",
        tokenPath: "",
        headers: [newRow({ name: "Bad Name", value: "x" }), newRow({ value: "orphan" })],
        body: [newRow({ name: "a", value: "1" }), newRow({ name: "a", value: "2" })],
      }),
      false,
    );
    expect(Object.keys(errors).sort()).toEqual(
      ["body-name-1", "header-name-0", "header-name-1", "tokenPath", "url"].sort(),
    );
  });

  it("checks only the editable fields on edit", () => {
    expect(validateHttp(http({ url: "" }), true)).toEqual({});
    expect(validateHttp(http({ url: "", name: "" }), true)).toHaveProperty("name");
  });

  it("accepts JSONPaths and the dotted shorthand", () => {
    for (const ok of [
      "$.access_token",
      "$['token']",
      "data.access_token",
      "$.data[0].t",
      "items[0].t",
    ]) {
      expect(tokenPathProblem(ok), ok).toBeNull();
    }
    for (const bad of ["", "access token", "$x", ".x"])
      expect(tokenPathProblem(bad), bad).not.toBeNull();
  });

  it("builds the wire object with secret flags and drops empty rows", () => {
    const form = toHttpForm(
      http({
        description: " weather ",
        method: "PUT",
        headers: [
          newRow({ name: " X-Api-Key ", value: "k-123", secret: true }),
          newRow({ name: "Accept", value: "application/json" }),
          newRow(),
        ],
        body: [newRow({ name: "client_secret", value: "shh", secret: true }), newRow()],
        form: true,
        tokenPath: " data.token ",
        headerName: "X-Token",
        prefix: "",
      }),
    );
    expect(form).toEqual({
      name: "METEO",
      description: "weather",
      method: "PUT",
      url: "https://auth.example.com/token",
      headers: [
        { name: "X-Api-Key", value: "k-123", secret: true },
        { name: "Accept", value: "application/json", secret: false },
      ],
      body: [{ name: "client_secret", value: "shh", secret: true }],
      form: true,
      tokenPath: "data.token",
      headerName: "X-Token",
      prefix: "",
    });
  });

  it("reads a stored token without its secret values", () => {
    const d = httpDraftFromView(makeHttpToken());
    expect(d.headers.map((h) => [h.name, h.value, h.secret])).toEqual([
      ["X-Api-Key", "", true],
      ["Accept", "application/json", false],
    ]);
    expect(d.body[0]).toMatchObject({ name: "grant_type", value: "client_credentials" });
    expect(d.form).toBe(true);
  });
});

describe("display", () => {
  it("previews the header without the value", () => {
    expect(headerPreview({ headerName: "Authorization", prefix: "Bearer" })).toBe(
      "Authorization: Bearer ••••",
    );
    expect(headerPreview({ headerName: "X-Key", prefix: null })).toBe("X-Key: ••••");
  });

  it("describes a found token by path, preview and length", () => {
    const s = describeReport(passingReport());
    expect(s.headline).toBe("HTTP 200 in 143 ms");
    expect(s.lines).toEqual(["Token found at $.access_token: eyJh… (812 characters)"]);
  });

  it("describes a miss by message and shape", () => {
    const r = failingReport();
    expect(describeReport(r).lines).toEqual(["no value at $.access_token"]);
    expect(shapeRows(r.shape)).toEqual([
      { key: "data", type: "object" },
      { key: "expires_in", type: "number" },
    ]);
    expect(shapeRows("string")).toBe("string");
    expect(describeReport(failingReport({ status: null })).headline).toBe(
      "No HTTP answer in 88 ms",
    );
  });
});

describe("backend errors", () => {
  it("points an error at the field the backend names, or at the whole dialog", () => {
    const at = (field: "name" | "tokenPath" | "url" | "headerName" | "clientId") =>
      tokenFieldOfError(new IpcError("invalid_input", "refused", { field }));
    expect(at("name")).toBe("name");
    expect(at("tokenPath")).toBe("tokenPath");
    expect(at("url")).toBe("url");
    expect(at("headerName")).toBe("headerName");
    expect(at("clientId")).toBeNull();
    expect(tokenFieldOfError(new IpcError("conflict", "exists", { field: "name" }))).toBe("name");
    expect(tokenFieldOfError(new IpcError("vault_locked", "locked"))).toBeNull();
  });
});
