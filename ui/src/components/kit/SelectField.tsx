import { FieldFrame, useFieldIds, type FieldProps } from "./Field";

type Props = Omit<FieldProps, "required"> & {
  value: string;
  onChange: (value: string) => void;
  options: { value: string; label: string }[];
};

/** A native `<select>` (keyboard, screen reader and WebDriver friendly), styled. */
export function SelectField({
  label,
  name,
  value,
  onChange,
  options,
  hint,
  error,
  disabled,
  testId,
}: Props) {
  const ids = useFieldIds(hint, error);
  return (
    <FieldFrame {...ids} label={label} hint={hint} error={error}>
      <div className="select">
        <select
          id={ids.id}
          name={name}
          className="input select__input"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          disabled={disabled}
          aria-invalid={error ? true : undefined}
          aria-describedby={ids.describedBy}
          data-testid={testId}
        >
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
        <svg
          className="select__chevron"
          width="12"
          height="12"
          viewBox="0 0 24 24"
          aria-hidden="true"
          focusable="false"
        >
          <path
            d="m6 9 6 6 6-6"
            fill="none"
            stroke="currentColor"
            strokeWidth="2"
            strokeLinecap="round"
          />
        </svg>
      </div>
    </FieldFrame>
  );
}
