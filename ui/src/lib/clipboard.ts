/**
 * Copies text to the clipboard. Uses the async Clipboard API when available
 * and falls back to a hidden textarea + execCommand("copy") (older WebKitGTK,
 * or a denied permission). Resolves to false if both fail.
 */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the legacy path
  }
  return legacyCopy(text);
}

function legacyCopy(text: string): boolean {
  const textarea = document.createElement("textarea");
  textarea.value = text;
  textarea.setAttribute("readonly", "");
  textarea.style.position = "fixed";
  textarea.style.opacity = "0";
  textarea.style.pointerEvents = "none";
  const active = document.activeElement;
  document.body.appendChild(textarea);
  textarea.select();
  let ok = false;
  try {
    // Deprecated, but still the only synchronous fallback in old webviews.
    ok = document.execCommand("copy");
  } catch {
    ok = false;
  }
  textarea.remove();
  if (active instanceof HTMLElement) active.focus();
  return ok;
}
