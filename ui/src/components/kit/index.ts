/**
 * Patchbay's component kit: Radix primitives (the `radix-ui` package) with our own styles,
 * on the design tokens in `styles/tokens.css`. Screens import controls from here only, and
 * the dialogs from `dialogs.ts` (kept out of the start-up bundle).
 */
export { Badge, type Tone } from "./Badge";
export { Button } from "./Button";
export { Checkbox } from "./Checkbox";
export { Collapsible } from "./Collapsible";
export { CopyField } from "./CopyField";
export { EmptyState } from "./EmptyState";
export { ErrorNotice } from "./ErrorNotice";
export { errorAdvice, errorTitle, errorToast } from "./errors";
export { FormSection } from "./FormSection";
export * from "./icons";
export { listState } from "./ListStates";
export { LoadingRow } from "./LoadingRow";
export { Menu, type MenuItem, preloadMenu } from "./Menu";
export { RadioCards, type RadioCardOption } from "./RadioCards";
export { SearchField } from "./SearchField";
export { SecretField } from "./SecretField";
export { Segmented } from "./Segmented";
export { SelectField } from "./SelectField";
export { Spinner } from "./Spinner";
export { Switch } from "./Switch";
export { TabPanel, Tabs } from "./Tabs";
export { TextArea } from "./TextArea";
export { TextField, type TextFieldProps } from "./TextField";
export { Toaster } from "./Toaster";
export { useCopy, type CopyState } from "./useCopy";
export { clearToasts, dismissToast, toast, type ToastInput, type ToastTone } from "./toastStore";
