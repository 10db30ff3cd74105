import { Tabs as RadixTabs } from "radix-ui";
import type { ReactNode } from "react";

import "./Tabs.css";

type Props = {
  value: string;
  onValueChange: (value: string) => void;
  tabs: { value: string; label: ReactNode; testId?: string }[];
  /** Label for the tab list (screen readers). */
  label?: string;
  children: ReactNode;
};

/** Tabs (arrow keys move between tabs); put one `TabPanel` per tab in `children`. */
export function Tabs({ value, onValueChange, tabs, label, children }: Props) {
  return (
    <RadixTabs.Root className="tabs" value={value} onValueChange={onValueChange}>
      <RadixTabs.List className="tabs__list" aria-label={label}>
        {tabs.map((t) => (
          <RadixTabs.Trigger
            key={t.value}
            value={t.value}
            className="tabs__tab"
            data-testid={t.testId}
          >
            {t.label}
          </RadixTabs.Trigger>
        ))}
      </RadixTabs.List>
      {children}
    </RadixTabs.Root>
  );
}

export function TabPanel({ value, children }: { value: string; children: ReactNode }) {
  return (
    <RadixTabs.Content value={value} className="tabs__panel">
      {children}
    </RadixTabs.Content>
  );
}
