/**
 * The Actions screen's parts that its list does not show at first (the add/edit form, the
 * import screen and card, a row's Delete, Diagnose and Sign in with a code dialogs): each in
 * its own chunk, so the start-up bundle holds what the first screen draws. They are fetched
 * once the first screen is shown (`preloadActionParts`), so opening one later does not wait
 * for its chunk.
 *
 * (The bundle must stay one file: `scripts/check-ui-bundle.sh`, run by the UI's tests, fails
 * when a change leads the bundler to split what the first screen loads into more files.)
 */
import { lazy } from "react";

const loaders = {
  form: () => import("../action-form/ActionForm"),
  import: () => import("../import/parts"),
  dialogs: () => import("./rowDialogs"),
};

export const ActionForm = lazy(() => loaders.form().then((m) => ({ default: m.ActionForm })));
export const ImportPanel = lazy(() => loaders.import().then((m) => ({ default: m.ImportPanel })));
export const ImportScreen = lazy(() => loaders.import().then((m) => ({ default: m.ImportScreen })));
export const ConfirmDialog = lazy(() =>
  loaders.dialogs().then((m) => ({ default: m.ConfirmDialog })),
);
export const DeviceCodeDialog = lazy(() =>
  loaders.dialogs().then((m) => ({ default: m.DeviceCodeDialog })),
);
export const DiagnoseDialog = lazy(() =>
  loaders.dialogs().then((m) => ({ default: m.DiagnoseDialog })),
);

/** Fetch every part's chunk (once; a failed fetch is tried again when the part is opened). */
export function preloadActionParts(): void {
  for (const load of Object.values(loaders)) {
    load().catch(() => {
      // The part's lazy() asks again, and its error shows there.
    });
  }
}
