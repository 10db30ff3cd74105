/** The provider gallery's pure logic: search, and how each sign-in flow is said. */
import type { Provider } from "../../bindings/Provider";
import type { ProviderFlow } from "../../bindings/ProviderFlow";

/** Entries whose id, name, description or URL contain every word of `query` (any case). */
export function filterProviders(list: readonly Provider[], query: string): Provider[] {
  const words = query
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== "");
  if (words.length === 0) return [...list];
  return list.filter((p) => {
    const text = `${p.id} ${p.name} ${p.description} ${p.url}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/** The flow badge's text. */
export function flowLabel(flow: ProviderFlow): string {
  return flow === "dcr" ? "OAuth, automatic" : "Needs your own OAuth app";
}

/** The Add form's route for a provider. */
export function addRoute(id: string): string {
  return `#/actions/new?provider=${encodeURIComponent(id)}`;
}
