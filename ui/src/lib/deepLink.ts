/**
 * The screen a `patchbay://<screen>[/…]` app link asks for, if it is one of
 * `screenIds`; null for anything else (OAuth redirects on the
 * `dev.patchbay.app:` scheme are handled by the backend, not routed here).
 */
export function screenFromDeepLink(url: string, screenIds: readonly string[]): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== "patchbay:") return null;
  // `patchbay://actions` puts the screen in the host; `patchbay:/actions` in the path.
  const first = (parsed.host || parsed.pathname.replace(/^\/+/, "")).split("/")[0] ?? "";
  let id: string;
  try {
    id = decodeURIComponent(first).toLowerCase();
  } catch {
    // A broken percent-escape (`patchbay://%E0%A4%A`) names no screen.
    return null;
  }
  return screenIds.includes(id) ? id : null;
}
