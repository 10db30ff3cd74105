import { useState } from "react";

import { FieldFrame, useFieldIds } from "./Field";
import type { TextFieldProps } from "./TextField";

/**
 * A masked input with a Show/Hide toggle. Never pre-filled with a stored secret:
 * on edit, pass an empty value and a placeholder like "Stored — leave empty to keep".
 */
export function SecretField({
  label,
  name,
  value,
  onChange,
  placeholder,
  hint,
  error,
  required,
  mono = true,
  disabled,
  testId,
  inputRef,
}: TextFieldProps) {
  const ids = useFieldIds(hint, error);
  const [shown, setShown] = useState(false);
  return (
    <FieldFrame {...ids} label={label} hint={hint} error={error} required={required}>
      <div className="input-group">
        <input
          ref={inputRef}
          id={ids.id}
          name={name}
          type={shown ? "text" : "password"}
          className={mono ? "input input--mono" : "input"}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          placeholder={placeholder}
          required={required}
          autoComplete="off"
          autoCapitalize="off"
          autoCorrect="off"
          spellCheck={false}
          data-1p-ignore=""
          data-lpignore="true"
          disabled={disabled}
          aria-invalid={error ? true : undefined}
          aria-describedby={ids.describedBy}
          data-testid={testId}
        />
        <button
          type="button"
          className="input-group__button"
          aria-pressed={shown}
          aria-label={`Show ${label}`}
          aria-controls={ids.id}
          disabled={disabled}
          onClick={() => setShown((s) => !s)}
          data-testid={testId ? `${testId}-reveal` : undefined}
        >
          {shown ? "Hide" : "Show"}
        </button>
      </div>
    </FieldFrame>
  );
}
