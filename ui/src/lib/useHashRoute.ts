import { useSyncExternalStore } from "react";

function subscribe(onChange: () => void): () => void {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}

const getHash = () => window.location.hash;

/** The id from a `#/<id>` fragment if it is one of `ids`, else `fallback`. */
export function useHashRoute<T extends string>(ids: readonly T[], fallback: T): T {
  const hash = useSyncExternalStore(subscribe, getHash, () => "");
  const id = hash.replace(/^#\/?/, "").split(/[/?]/)[0] ?? "";
  return (ids as readonly string[]).includes(id) ? (id as T) : fallback;
}
