/** The dialogs a row of the Actions list opens on request, in one chunk (`parts.ts`). */
export { ConfirmDialog } from "../../components/kit/dialogs";
export { DeviceCodeDialog } from "./DeviceCodeDialog";
export { DiagnoseDialog } from "./diagnose/DiagnoseDialog";
