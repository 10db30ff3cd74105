import { describe, expect, it } from "vitest";

import { logRow } from "./fixtures";
import {
  appendRows,
  barAt,
  barText,
  DEFAULT_FILTERS,
  followQuery,
  formatLatency,
  histogramQuery,
  MAX_ROWS,
  moveSelection,
  prettyJson,
  toQuery,
} from "./model";

const NOW = new Date("2026-11-24T09:30:00.000Z");

describe("toQuery", () => {
  it("asks for everything (the most recent rows) with the default filters", () => {
    expect(toQuery(DEFAULT_FILTERS, NOW)).toEqual({
      subject: null,
      since: null,
      until: null,
      kind: null,
      outcome: null,
      search: null,
      afterId: null,
      limit: MAX_ROWS,
      brief: true,
    });
  });

  it("maps action, kind, outcome, time range and a trimmed search", () => {
    const q = toQuery(
      {
        action: "github",
        kind: "token_fetch",
        outcome: "error",
        range: "1h",
        search: "  401 ",
        bar: null,
      },
      NOW,
      500,
    );
    expect(q).toEqual({
      subject: "github",
      since: "2026-11-24T08:30:00.000Z",
      until: null,
      kind: "token_fetch",
      outcome: "error",
      search: "401",
      afterId: null,
      limit: 500,
      brief: true,
    });
  });

  it.each([
    ["15m", "2026-11-24T09:15:00.000Z"],
    ["24h", "2026-11-23T09:30:00.000Z"],
    ["7d", "2026-11-17T09:30:00.000Z"],
  ] as const)("range %s starts at %s", (range, since) => {
    expect(toQuery({ ...DEFAULT_FILTERS, range }, NOW).since).toBe(since);
  });

  it("a picked bar narrows the list to its rows; the histogram keeps the whole range", () => {
    const bar = barAt(Date.parse("2026-11-24T09:00:00Z") / 1000, 1800);
    const filters = { ...DEFAULT_FILTERS, range: "24h" as const, bar };
    const q = toQuery(filters, NOW);
    expect([q.since, q.until]).toEqual(["2026-11-24T09:00:00.000Z", "2026-11-24T09:30:00.000Z"]);
    const h = histogramQuery(filters, NOW);
    expect([h.since, h.until, h.limit, h.brief]).toEqual([
      "2026-11-23T09:30:00.000Z",
      null,
      null,
      null,
    ]);
    expect(barText(bar)).toMatch(/–/);
  });

  it("sends no search for a blank box", () => {
    expect(toQuery({ ...DEFAULT_FILTERS, search: "   " }, NOW).search).toBeNull();
  });
});

describe("following", () => {
  it("asks for rows after the last one loaded", () => {
    const q = toQuery(DEFAULT_FILTERS, NOW);
    expect(followQuery(q, [logRow(3), logRow(9)])).toEqual({ ...q, afterId: 9 });
    expect(followQuery(q, [])).toEqual(q);
  });

  it("appends only newer rows and keeps the most recent `limit`", () => {
    const rows = [logRow(1), logRow(2), logRow(3)];
    expect(appendRows(rows, [logRow(3), logRow(4)]).map((r) => r.id)).toEqual([1, 2, 3, 4]);
    expect(appendRows(rows, [logRow(4), logRow(5)], 3).map((r) => r.id)).toEqual([3, 4, 5]);
  });

  it("returns the same array when nothing is new (no re-render of 100,000 rows)", () => {
    const rows = [logRow(1), logRow(2)];
    expect(appendRows(rows, [])).toBe(rows);
    expect(appendRows(rows, [logRow(2)])).toBe(rows);
  });
});

describe("moveSelection", () => {
  it("moves with the arrows, Home and End, within bounds", () => {
    expect(moveSelection(null, 5, "ArrowDown")).toBe(0);
    expect(moveSelection(null, 5, "ArrowUp")).toBe(4);
    expect(moveSelection(2, 5, "ArrowDown")).toBe(3);
    expect(moveSelection(4, 5, "ArrowDown")).toBe(4);
    expect(moveSelection(0, 5, "ArrowUp")).toBe(0);
    expect(moveSelection(2, 5, "Home")).toBe(0);
    expect(moveSelection(2, 5, "End")).toBe(4);
  });

  it("ignores other keys and empty lists", () => {
    expect(moveSelection(2, 5, "a")).toBeNull();
    expect(moveSelection(null, 0, "ArrowDown")).toBeNull();
  });
});

describe("formatting", () => {
  it("shows latency in ms or seconds", () => {
    expect(formatLatency(null)).toBe("—");
    expect(formatLatency(182)).toBe("182 ms");
    expect(formatLatency(1530)).toBe("1.5 s");
    expect(formatLatency(12_400)).toBe("12 s");
  });

  it("pretty-prints JSON with two spaces", () => {
    expect(prettyJson({ a: [1] })).toBe('{\n  "a": [\n    1\n  ]\n}');
    expect(prettyJson(null)).toBe("—");
  });
});
