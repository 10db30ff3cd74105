/** The import screen and card, one chunk (loaded by `screens/actions/parts.ts`). */
export { ImportPanel } from "./ImportPanel";
export { ImportScreen } from "./ImportScreen";
