/**
 * The Actions screen's parts that its list does not show at first (the add/edit form, the
 * import screen and card): each in its own chunk, so the start-up bundle holds what the first
 * screen draws (287 kB → 241 kB). They are fetched once the first screen is shown
 * (`preloadActionParts`), so opening one later does not wait for its chunk.
 *
 * (The Diagnose and Sign in with a code dialogs stay in the bundle: made lazy as well, they
 * led the bundler to move the UI library and the kit out of the entry into a chunk of their
 * own, a third file to fetch before the first render, for 8 kB.)
 */
import { lazy } from "react";

const loaders = {
  form: () => import("../action-form/ActionForm"),
  import: () => import("../import/parts"),
};

export const ActionForm = lazy(() => loaders.form().then((m) => ({ default: m.ActionForm })));
export const ImportPanel = lazy(() => loaders.import().then((m) => ({ default: m.ImportPanel })));
export const ImportScreen = lazy(() => loaders.import().then((m) => ({ default: m.ImportScreen })));

/** Fetch every part's chunk (once; a failed fetch is tried again when the part is opened). */
export function preloadActionParts(): void {
  for (const load of Object.values(loaders)) {
    load().catch(() => {
      // The part's lazy() asks again, and its error shows there.
    });
  }
}
