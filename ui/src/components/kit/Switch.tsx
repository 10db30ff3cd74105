import { Switch as RadixSwitch } from "radix-ui";

import "./Switch.css";

type Props = {
  checked: boolean;
  onCheckedChange: (checked: boolean) => void;
  /** The accessible name ("Enabled: linear"). */
  label: string;
  disabled?: boolean;
  testId?: string;
};

/** An on/off switch (role=switch, Space toggles). */
export function Switch({ checked, onCheckedChange, label, disabled, testId }: Props) {
  return (
    <RadixSwitch.Root
      className="switch"
      checked={checked}
      onCheckedChange={onCheckedChange}
      disabled={disabled}
      aria-label={label}
      data-testid={testId}
    >
      <RadixSwitch.Thumb className="switch__thumb" />
    </RadixSwitch.Root>
  );
}
