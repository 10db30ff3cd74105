/**
 * The prompts that come up over any screen: a tool call waiting for the user's confirmation,
 * a local app's sign-in waiting for consent. Only their queries run with the first screen;
 * a prompt's dialog (and with it Radix's dialog, focus trap and scroll lock) is fetched when
 * something first waits, or once the first screen is shown (`preloadPrompts`), so the
 * start-up bundle does not carry them.
 */
import { lazy, Suspense } from "react";

import { usePendingApprovals, usePendingConsents } from "../data/queries";

const loaders = {
  approval: () => import("./approvals/ApprovalPrompt"),
  consent: () => import("./consent/ConsentPrompt"),
};

const ApprovalPrompt = lazy(() => loaders.approval().then((m) => ({ default: m.ApprovalPrompt })));
const ConsentPrompt = lazy(() => loaders.consent().then((m) => ({ default: m.ConsentPrompt })));

/** Fetch both prompts' chunks (once; a failed fetch is tried again when one is needed). */
export function preloadPrompts(): void {
  for (const load of Object.values(loaders)) {
    load().catch(() => {
      // The prompt's lazy() asks again when something waits, and its error shows there.
    });
  }
}

/** Each prompt, mounted while something waits for it. */
export function Prompts() {
  const approvals = usePendingApprovals();
  const consents = usePendingConsents();
  return (
    <>
      {(approvals.data?.length ?? 0) > 0 && (
        <Suspense fallback={null}>
          <ApprovalPrompt />
        </Suspense>
      )}
      {(consents.data?.pending.length ?? 0) > 0 && (
        <Suspense fallback={null}>
          <ConsentPrompt />
        </Suspense>
      )}
    </>
  );
}
