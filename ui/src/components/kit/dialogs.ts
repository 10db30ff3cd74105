/**
 * The kit's dialogs, apart from the rest of the kit (`index.ts`): Radix's dialog brings a
 * focus trap, a scroll lock and `aria-hidden` for the rest of the page, and no part of the
 * first screen opens one before it is used. Importing them from here, never from `index.ts`,
 * keeps that code out of the start-up bundle (the bundler keeps whatever the first screen
 * imports, even unused, in its one file: vite.config.ts).
 */
export { ConfirmDialog } from "./ConfirmDialog";
export { Dialog } from "./Dialog";
