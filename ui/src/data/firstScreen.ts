/**
 * Render the first screen once, complete: the answers `data/early.ts` asked for go into the
 * query cache before the first render, so the window's first paint is the list, not a
 * spinner followed by the list (under software rendering a full paint of the window
 * costs 100-300 ms). The queries still ask again as they mount, so nothing changed in between
 * is missed.
 */
import type { QueryClient, QueryKey } from "@tanstack/react-query";

import { takeEarly } from "../ipc";
import { EARLY_COMMANDS, type EarlyCommand } from "./early";
import { queryKeys } from "./keys";

/** How long the first render waits at most for the early answers. */
export const FIRST_SCREEN_WAIT_MS = 250;

/** Where each early answer goes (every early command has a place: the type checks it). */
const CACHE_KEYS: Record<EarlyCommand, QueryKey> = {
  list_actions: queryKeys.actions,
  app_status: queryKeys.appStatus,
  get_settings: queryKeys.settings,
  pending_approvals: queryKeys.pendingApprovals,
};

/**
 * Put the early answers that arrive within `ms` into `qc` (a late or failed one is left to
 * its query). Never rejects.
 */
export async function seedFirstScreen(qc: QueryClient, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  await Promise.all(
    EARLY_COMMANDS.map(async (command) => {
      const answer = await takeEarly(command, deadline - performance.now());
      if (answer !== undefined) qc.setQueryData(CACHE_KEYS[command], answer.value);
    }),
  );
}
