/**
 * The first screen's data, asked for as soon as the bundle runs, before React and the
 * screens are even evaluated (that takes a while). main.tsx imports this module right
 * after the start-up marks; `firstScreen.ts` puts the answers into the query cache.
 */
import { startEarly } from "../ipc";

/** Argument-less commands the first screen (Actions, sidebar, banners, prompts) needs. */
export const EARLY_COMMANDS = [
  "list_actions",
  "app_status",
  "get_settings",
  "pending_approvals",
] as const;

export type EarlyCommand = (typeof EARLY_COMMANDS)[number];

startEarly(EARLY_COMMANDS);
