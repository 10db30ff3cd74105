import type { ReactNode } from "react";

import { Button } from "./Button";
import { Dialog } from "./Dialog";

type Props = {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: ReactNode;
  description: ReactNode;
  confirmLabel: string;
  /** A red confirm button (deleting, revoking). */
  destructive?: boolean;
  /** The confirmed work runs: the confirm button spins and the dialog stays put. */
  busy?: boolean;
  onConfirm: () => void;
  testId?: string;
};

/** "Are you sure?" with Cancel and a confirm button. The caller closes it when done. */
export function ConfirmDialog({
  open,
  onOpenChange,
  title,
  description,
  confirmLabel,
  destructive = false,
  busy = false,
  onConfirm,
  testId = "confirm-dialog",
}: Props) {
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (!busy || next) onOpenChange(next);
      }}
      title={title}
      description={description}
      testId={testId}
      footer={
        <>
          <Button
            data-testid="confirm-cancel"
            data-autofocus=""
            onClick={() => onOpenChange(false)}
            disabled={busy}
          >
            Cancel
          </Button>
          <Button
            data-testid="confirm-ok"
            variant={destructive ? "danger" : "primary"}
            busy={busy}
            onClick={onConfirm}
          >
            {confirmLabel}
          </Button>
        </>
      }
    />
  );
}
