/**
 * The page's start-up marks, `performance.now()` values (ms since the page began loading),
 * sent with `app_ready` for the start-up benchmark's breakdown. main.tsx imports this module
 * first, so `script` is taken as the bundle starts running. The others, in order:
 * `evaluated` (main.tsx runs: every module evaluated), `seeded` (the first screen's answers
 * in the cache), `fonts` (the font stacks measured, `fontStacks.ts`), `rendering` (App's
 * first render starts), `rendered` (it is in the DOM), `listed` (the actions list with its
 * answer in the DOM), `effects` (its layout effect asks for the next frame), `frame` (that
 * frame starts).
 */
const marks: Record<string, number> = { script: performance.now() };

/** Note when a start-up step happened (the first time only). */
export function markStartup(name: string): void {
  if (!(name in marks)) marks[name] = performance.now();
}

/** The marks so far. */
export function startupMarks(): Record<string, number> {
  return { ...marks };
}

let shown = false;
const whenShown: (() => void)[] = [];

/** Run `fn` once the first screen is on screen (at once if it is already). */
export function whenFirstScreenShown(fn: () => void): void {
  if (shown) fn();
  else whenShown.push(fn);
}

/** The first screen is on screen (or never will be soon: a window started hidden). */
export function firstScreenShown(): void {
  if (shown) return;
  shown = true;
  for (const fn of whenShown.splice(0)) fn();
}
