import { useSyncExternalStore } from "react";

function subscribe(onChange: () => void): () => void {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}

const getHash = () => window.location.hash;

/** The parts of a `#/<screen>/<rest…>` fragment, decoded. */
export function routeParts(hash: string): string[] {
  return hash
    .replace(/^#\/?/, "")
    .split("?")[0]!
    .split("/")
    .filter((p) => p !== "")
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
}

/** The id from a `#/<id>` fragment if it is one of `ids`, else `fallback`. */
export function useHashRoute<T extends string>(ids: readonly T[], fallback: T): T {
  const hash = useSyncExternalStore(subscribe, getHash, () => "");
  const id = routeParts(hash)[0] ?? "";
  return (ids as readonly string[]).includes(id) ? (id as T) : fallback;
}

/**
 * What follows the screen id: `#/actions/new` → `["new"]`,
 * `#/actions/linear/edit` → `["linear", "edit"]`.
 */
export function useSubRoute(): string[] {
  const hash = useSyncExternalStore(subscribe, getHash, () => "");
  return routeParts(hash).slice(1);
}

/** Go to `#/<parts…>` (each part URL-encoded). */
export function navigate(...parts: string[]): void {
  window.location.hash = `#/${parts.map(encodeURIComponent).join("/")}`;
}
