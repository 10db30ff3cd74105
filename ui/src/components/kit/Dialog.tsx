import { Dialog as RadixDialog } from "radix-ui";
import { useRef, type ReactNode } from "react";

import { CloseIcon } from "./icons";

import "./Dialog.css";

type Props = {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: ReactNode;
  description?: ReactNode;
  children?: ReactNode;
  /** Buttons, right-aligned under the body. */
  footer?: ReactNode;
  testId?: string;
  /** A wider panel for forms. */
  wide?: boolean;
};

const AUTOFOCUS = [
  "[data-autofocus]",
  ".dialog__body input:not([disabled]):not([type=hidden])",
  ".dialog__body textarea:not([disabled])",
  ".dialog__body select:not([disabled])",
  ".dialog__footer button:not([disabled])",
];

/** A modal dialog: focus is trapped, Escape and the × close it. */
export function Dialog({
  open,
  onOpenChange,
  title,
  description,
  children,
  footer,
  testId,
  wide = false,
}: Props) {
  const contentRef = useRef<HTMLDivElement>(null);
  return (
    <RadixDialog.Root open={open} onOpenChange={onOpenChange}>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="dialog-overlay" />
        <RadixDialog.Content
          className={wide ? "dialog dialog--wide" : "dialog"}
          data-testid={testId}
          ref={contentRef}
          onOpenAutoFocus={(event) => {
            // Focus what the user came for (the first field, or a marked button), not the ×.
            const root = contentRef.current;
            const target = AUTOFOCUS.map((sel) => root?.querySelector<HTMLElement>(sel)).find(
              Boolean,
            );
            if (target) {
              event.preventDefault();
              target.focus();
            }
          }}
          {...(description === undefined ? { "aria-describedby": undefined } : {})}
        >
          <header className="dialog__header">
            <RadixDialog.Title className="dialog__title">{title}</RadixDialog.Title>
            <RadixDialog.Close className="dialog__close" aria-label="Close">
              <CloseIcon size={14} strokeWidth={2} />
            </RadixDialog.Close>
          </header>
          {description !== undefined && (
            <RadixDialog.Description className="dialog__description">
              {description}
            </RadixDialog.Description>
          )}
          {children !== undefined && <div className="dialog__body">{children}</div>}
          {footer !== undefined && <footer className="dialog__footer">{footer}</footer>}
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}
