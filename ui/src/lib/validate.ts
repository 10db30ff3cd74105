/**
 * The backend's input rules (core's `validate.rs`) for the forms, so most mistakes show next
 * to the field before anything is sent. Each check returns the problem as a sentence, or
 * undefined when there is none. The backend checks again; its answer names the field.
 */

/** `[A-Za-z0-9][A-Za-z0-9._-]{0,63}`: the names of actions, connections and tokens. */
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** RFC 9110 token characters: what a header name may hold. */
const HEADER_NAME_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Visible ASCII, spaces and tabs (and Latin-1): what a header value may hold. */
export const HEADER_VALUE_RE = /^[\t\x20-\x7E\x80-\xFF]*$/;

/** RFC 6749 §3.3 scope token characters. */
const SCOPE_RE = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** A name as the backend stores it (the forms send it trimmed). */
export function nameError(value: string): string | undefined {
  const v = value.trim();
  if (v === "") return "Enter a name.";
  if (v.length > 64) return "Use at most 64 characters.";
  if (!NAME_RE.test(v)) {
    return "Use letters, digits, '-', '_' or '.' (no spaces), starting with a letter or digit.";
  }
  return undefined;
}

/** 127.0.0.1 (any 127/8 address), [::1] or localhost. */
function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === "localhost" || h === "[::1]" || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * An endpoint URL as the backend accepts it: https, or http on a loopback host only, with no
 * user name or password. `what` names it in the "required" message ("the token URL").
 */
export function urlError(value: string, required: boolean, what = "a URL"): string | undefined {
  const v = value.trim();
  if (v === "") return required ? `Enter ${what}.` : undefined;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return "Enter a full URL starting with https://, such as https://example.com/mcp.";
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") {
    return "Use an https:// URL (or http:// on this computer).";
  }
  if (u.username !== "" || u.password !== "") {
    return "Remove the user name or password from the URL.";
  }
  if (u.hostname === "") return "The URL needs a host name.";
  if (u.protocol === "http:" && !isLoopbackHost(u.hostname)) {
    return "Use https (plain http is allowed only on 127.0.0.1, [::1] or localhost).";
  }
  return undefined;
}

/** Scopes as typed: separated by spaces or commas. */
export function splitScopes(value: string): string[] {
  return value.split(/[\s,]+/).filter((s) => s !== "");
}

/** Every scope made of the characters OAuth allows. */
export function scopesError(value: string): string | undefined {
  const bad = splitScopes(value).find((s) => !SCOPE_RE.test(s));
  return bad === undefined
    ? undefined
    : `The scope '${bad}' has characters OAuth doesn't allow (quotes, backslashes, non-ASCII).`;
}

/** A header name; an empty one is a problem only when `required`. */
export function headerNameError(value: string, required: boolean): string | undefined {
  const v = value.trim();
  if (v === "") return required ? "Enter the header's name." : undefined;
  return HEADER_NAME_RE.test(v)
    ? undefined
    : "Use letters, digits and !#$%&'*+-.^_`|~ in a header name, without spaces or colons.";
}
