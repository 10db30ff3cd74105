import { useId, type ReactNode } from "react";

import "./fields.css";

/** What every labelled control shares: visible label, hint, error. */
export type FieldProps = {
  label: string;
  name: string;
  hint?: ReactNode;
  error?: string | null;
  required?: boolean;
  disabled?: boolean;
  testId?: string;
};

/** Ids and ARIA wiring for one field (internal to the kit). */
export function useFieldIds(hint: ReactNode, error: string | null | undefined) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy =
    [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(" ") || undefined;
  return { id, hintId, errorId, describedBy };
}

type FrameProps = {
  id: string;
  hintId: string;
  errorId: string;
  label: string;
  hint?: ReactNode;
  error?: string | null;
  required?: boolean;
  children: ReactNode;
};

/** Label above, control, then the error (if any) and the hint. */
export function FieldFrame({
  id,
  hintId,
  errorId,
  label,
  hint,
  error,
  required,
  children,
}: FrameProps) {
  return (
    <div className={error ? "field has-error" : "field"}>
      <label className="field__label" htmlFor={id}>
        {label}
        {required && (
          <span className="field__required" aria-hidden="true">
            {" "}
            *
          </span>
        )}
      </label>
      {children}
      {error && (
        <p className="field__error" id={errorId}>
          {error}
        </p>
      )}
      {hint && (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      )}
    </div>
  );
}
