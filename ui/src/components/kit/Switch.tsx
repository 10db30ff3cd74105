import "./Switch.css";

type Props = {
  checked: boolean;
  onCheckedChange: (checked: boolean) => void;
  /** The accessible name ("Enabled: linear"). */
  label: string;
  disabled?: boolean;
  testId?: string;
};

/**
 * An on/off switch: a button with role=switch and aria-checked (Space and Enter toggle it, as
 * any button). Written by hand, not Radix's: Radix's renders a hidden form input beside the
 * button and measures it, which cost each row of the first screen a second render, and the
 * plain element is all the switch pattern needs. `data-state` ("checked" / "unchecked") and
 * `data-disabled` are the attributes the styles (and Radix's own switch) use.
 */
export function Switch({ checked, onCheckedChange, label, disabled, testId }: Props) {
  const state = checked ? "checked" : "unchecked";
  return (
    <button
      type="button"
      role="switch"
      className="switch"
      aria-checked={checked}
      aria-label={label}
      data-state={state}
      data-disabled={disabled ? "" : undefined}
      data-testid={testId}
      disabled={disabled}
      onClick={() => onCheckedChange(!checked)}
    >
      <span className="switch__thumb" data-state={state} />
    </button>
  );
}
