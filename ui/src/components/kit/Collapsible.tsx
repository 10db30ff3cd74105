import { Collapsible as RadixCollapsible } from "radix-ui";
import type { ReactNode } from "react";

import "./Collapsible.css";

type Props = {
  title: ReactNode;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  children: ReactNode;
  testId?: string;
};

/** A disclosure: a toggle button (aria-expanded) showing or hiding its content. */
export function Collapsible({ title, open, onOpenChange, children, testId }: Props) {
  return (
    <RadixCollapsible.Root
      className="collapsible"
      open={open}
      onOpenChange={onOpenChange}
      data-testid={testId}
    >
      <RadixCollapsible.Trigger
        className="collapsible__trigger"
        data-testid={testId ? `${testId}-toggle` : undefined}
      >
        <svg
          className="collapsible__chevron"
          width="12"
          height="12"
          viewBox="0 0 24 24"
          aria-hidden="true"
          focusable="false"
        >
          <path
            d="m9 6 6 6-6 6"
            fill="none"
            stroke="currentColor"
            strokeWidth="2.2"
            strokeLinecap="round"
            strokeLinejoin="round"
          />
        </svg>
        <span>{title}</span>
      </RadixCollapsible.Trigger>
      <RadixCollapsible.Content className="collapsible__content">
        {children}
      </RadixCollapsible.Content>
    </RadixCollapsible.Root>
  );
}
