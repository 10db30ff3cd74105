import { useId, type ReactNode } from "react";

import "./fields.css";

type Props = {
  label: string;
  name: string;
  checked: boolean;
  onCheckedChange: (checked: boolean) => void;
  hint?: ReactNode;
  disabled?: boolean;
  testId?: string;
};

/** A native checkbox with its label on the right and an optional hint below. */
export function Checkbox({ label, name, checked, onCheckedChange, hint, disabled, testId }: Props) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className="checkbox">
      <input
        id={id}
        type="checkbox"
        name={name}
        className="checkbox__input"
        checked={checked}
        onChange={(e) => onCheckedChange(e.target.checked)}
        disabled={disabled}
        aria-describedby={hint ? hintId : undefined}
        data-testid={testId}
      />
      <div className="checkbox__text">
        <label htmlFor={id} className="checkbox__label">
          {label}
        </label>
        {hint && (
          <p id={hintId} className="field__hint">
            {hint}
          </p>
        )}
      </div>
    </div>
  );
}
