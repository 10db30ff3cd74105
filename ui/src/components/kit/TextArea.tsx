import type { Ref } from "react";

import { FieldFrame, useFieldIds, type FieldProps } from "./Field";

type Props = FieldProps & {
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  autoComplete?: string;
  mono?: boolean;
  rows?: number;
  inputRef?: Ref<HTMLTextAreaElement>;
};

export function TextArea({
  label,
  name,
  value,
  onChange,
  placeholder,
  hint,
  error,
  required,
  autoComplete,
  mono,
  disabled,
  testId,
  inputRef,
  rows = 3,
}: Props) {
  const ids = useFieldIds(hint, error);
  return (
    <FieldFrame {...ids} label={label} hint={hint} error={error} required={required}>
      <textarea
        ref={inputRef}
        id={ids.id}
        name={name}
        rows={rows}
        className={mono ? "input textarea input--mono" : "input textarea"}
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
