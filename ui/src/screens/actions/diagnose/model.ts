/**
 * Diagnose (pure): how a diagnosis reads in the window and in the copied report. The report's
 * details arrive redacted from core (no token, secret, code or cookie); the copied text is
 * made from them alone.
 */
import type { DoctorReport } from "../../../bindings/DoctorReport";
import type { DoctorStep } from "../../../bindings/DoctorStep";
import type { DoctorStepName } from "../../../bindings/DoctorStepName";

/** Each step's name in words (its contract name is shown beside it). */
export const STEP_LABELS: Record<DoctorStepName, string> = {
  probe: "Probe",
  "resource-metadata": "Resource metadata",
  "authorization-server-metadata": "Authorization server metadata",
  client: "Client",
  token: "Token",
  "mcp-handshake": "MCP handshake",
  tools: "Tools",
  "http-request": "HTTP request",
};

const text = (d: Record<string, unknown>, key: string): string | null => {
  const v = d[key];
  return typeof v === "string" ? v : null;
};

const num = (d: Record<string, unknown>, key: string): number | null => {
  const v = d[key];
  return typeof v === "number" ? v : null;
};

const status = (d: Record<string, unknown>): string | null => {
  const r = d.response;
  if (typeof r !== "object" || r === null) return null;
  const s = (r as Record<string, unknown>).status;
  return typeof s === "number" ? `HTTP ${s}` : null;
};

/** What a step saw, in one line (the error's message when it failed with one). */
export function stepGist(s: DoctorStep): string {
  const d = s.detail;
  const error = d.error;
  if (typeof error === "object" && error !== null) {
    const message = (error as Record<string, unknown>).message;
    if (typeof message === "string") return message;
  }
  switch (s.step) {
    case "probe":
      return [status(d), text(d, "note")].filter(Boolean).join(": ");
    case "resource-metadata":
    case "authorization-server-metadata": {
      const used = text(d, "used");
      const issuer = text(d, "issuer");
      if (!used) return text(d, "note") ?? "No document found";
      return issuer ? `${used} (issuer ${issuer})` : used;
    }
    case "client": {
      const id = text(d, "clientId");
      return [text(d, "identity"), id && `(${id})`].filter(Boolean).join(" ");
    }
    case "token": {
      const parts = [text(d, "kind")];
      const expires = text(d, "expiresAt");
      if (expires) parts.push(`expires ${expires}`);
      if (d.refreshed === true) parts.push("refreshed now");
      if (d.refreshPossible === true) parts.push("refresh possible");
      return parts.filter(Boolean).join(", ");
    }
    case "mcp-handshake": {
      const p = text(d, "protocolVersion");
      return p ? `Protocol ${p}` : "";
    }
    case "tools": {
      const n = num(d, "count") ?? 0;
      return `${n} ${n === 1 ? "tool" : "tools"}`;
    }
    case "http-request":
      return status(d) ?? "";
  }
}

/** The step that failed, if one did. */
export function failedStep(r: DoctorReport): DoctorStep | undefined {
  return r.steps.find((s) => !s.ok);
}

export function totalMs(r: DoctorReport): number {
  return r.steps.reduce((sum, s) => sum + s.latencyMs, 0);
}

/** The verdict in one line. */
export function headline(r: DoctorReport): string {
  const failed = failedStep(r);
  if (failed) return `Failed at ${STEP_LABELS[failed.step].toLowerCase()}`;
  const n = r.steps.length;
  return `All ${n} ${n === 1 ? "step" : "steps"} passed in ${totalMs(r)} ms`;
}

/** A step's detail as indented JSON. */
export function detailJson(s: DoctorStep): string {
  return JSON.stringify(s.detail, null, 2);
}

/**
 * The text Copy report puts on the clipboard: safe to paste into a bug report (the details
 * are core's redacted ones; nothing else of the action is added).
 */
export function reportText(r: DoctorReport): string {
  const failed = failedStep(r);
  const lines = [
    `Patchbay diagnosis of ${r.name}: ${failed ? `failed at ${failed.step}` : "ok"}`,
    "(secrets redacted: tokens, secrets, codes and cookies show as [redacted, N chars])",
    "",
  ];
  r.steps.forEach((s, i) => {
    lines.push(`${i + 1}. ${s.step}: ${s.ok ? "ok" : "FAILED"} (${s.latencyMs} ms)`);
    const gist = stepGist(s);
    if (gist) lines.push(`   ${gist}`);
    if (s.fix) lines.push(`   fix: ${s.fix}`);
    for (const l of detailJson(s).split("\n")) lines.push(`   ${l}`);
    lines.push("");
  });
  lines.push(`Same report from the CLI: patchbay --json doctor ${r.name}`);
  return lines.join("\n");
}
