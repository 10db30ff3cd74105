import type { HTMLInputTypeAttribute, Ref } from "react";

import { FieldFrame, useFieldIds, type FieldProps } from "./Field";

export type TextFieldProps = FieldProps & {
  value: string;
  onChange: (value: string) => void;
  type?: HTMLInputTypeAttribute;
  placeholder?: string;
  autoComplete?: string;
  /** Monospace text (URLs, ids, JSONPath). */
  mono?: boolean;
  inputRef?: Ref<HTMLInputElement>;
};

export function TextField({
  label,
  name,
  value,
  onChange,
  type = "text",
  placeholder,
  hint,
  error,
  required,
  autoComplete,
  mono,
  disabled,
  testId,
  inputRef,
}: TextFieldProps) {
  const ids = useFieldIds(hint, error);
  return (
    <FieldFrame {...ids} label={label} hint={hint} error={error} required={required}>
      <input
        ref={inputRef}
        id={ids.id}
        name={name}
        type={type}
        className={mono ? "input input--mono" : "input"}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        placeholder={placeholder}
        required={required}
        autoComplete={autoComplete}
        disabled={disabled}
        spellCheck={mono ? false : undefined}
        aria-invalid={error ? true : undefined}
        aria-describedby={ids.describedBy}
        data-testid={testId}
      />
    </FieldFrame>
  );
}
