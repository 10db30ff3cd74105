import { describe, expect, it } from "vitest";

import { relativeTime } from "./relativeTime";

describe("relativeTime", () => {
  const now = Date.parse("2025-06-01T12:00:00Z");
  it.each([
    ["2025-06-01T11:59:30Z", "just now"],
    ["2025-06-01T12:00:30Z", "just now"],
    ["2025-06-01T11:59:00Z", "1 minute ago"],
    ["2025-06-01T11:45:00Z", "15 minutes ago"],
    ["2025-06-01T09:00:00Z", "3 hours ago"],
    ["2025-05-31T10:00:00Z", "yesterday"],
    ["2025-05-20T12:00:00Z", "2 weeks ago"],
    ["2024-06-01T12:00:00Z", "last year"],
    ["not a date", null],
  ])("%s → %s", (iso, expected) => {
    expect(relativeTime(iso, now)).toBe(expected);
  });
});
