import type { ActionView } from "../../bindings/ActionView";
import type { AuthRef } from "../../bindings/AuthRef";

const AUTH_NAMES: Record<AuthRef["type"], string> = {
  none: "None",
  oauth: "OAuth 2.1",
  token: "Token",
  "http-token": "HTTP token",
  connection: "Connection",
};

/** "None", "OAuth 2.1", "Token · NAME", "HTTP token · NAME", "Connection · NAME". */
export function authLabel(auth: AuthRef): string {
  const kind = AUTH_NAMES[auth.type];
  return auth.ref ? `${kind} · ${auth.ref}` : kind;
}

export const KIND_LABELS: Record<ActionView["kind"], string> = { mcp: "MCP", http: "HTTP" };

/** Case-insensitive; every whitespace-separated term must match name, URL or description. */
export function filterActions(actions: readonly ActionView[], query: string): ActionView[] {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return [...actions];
  return actions.filter((action) => {
    const haystack = `${action.name}\n${action.url}\n${action.description}`.toLowerCase();
    return terms.every((term) => haystack.includes(term));
  });
}
