import { Toast } from "radix-ui";
import { useSyncExternalStore } from "react";

import { CloseIcon } from "./icons";
import { dismissToast, getToasts, subscribeToasts, type ToastEntry } from "./toastStore";

import "./Toaster.css";

/** Where `toast()` shows up. Mount once, near the root. */
export function Toaster() {
  const toasts = useSyncExternalStore(subscribeToasts, getToasts, getToasts);
  return (
    <Toast.Provider duration={5000} swipeDirection="right" label="Notification">
      {toasts.map((t) => (
        <ToastItem key={t.id} entry={t} />
      ))}
      <Toast.Viewport className="toaster" label="Notifications ({hotkey})" />
    </Toast.Provider>
  );
}

function ToastItem({ entry }: { entry: ToastEntry }) {
  return (
    <Toast.Root
      className={`toast toast--${entry.tone}`}
      type="background"
      data-testid="toast"
      data-tone={entry.tone}
      defaultOpen
      onOpenChange={(open) => {
        if (!open) dismissToast(entry.id);
      }}
    >
      <span className="toast__icon" aria-hidden="true" />
      <div className="toast__text">
        <Toast.Title className="toast__title">{entry.title}</Toast.Title>
        {entry.description && (
          <Toast.Description className="toast__description">{entry.description}</Toast.Description>
        )}
      </div>
      <Toast.Close className="toast__close" aria-label="Dismiss">
        <CloseIcon size={12} strokeWidth={2.2} />
      </Toast.Close>
    </Toast.Root>
  );
}
