import { RadioGroup } from "radix-ui";
import { useId, type ReactNode } from "react";

import "./choices.css";

export type RadioCardOption = {
  value: string;
  title: string;
  description?: ReactNode;
  icon?: ReactNode;
  disabled?: boolean;
};

type Props = {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  options: RadioCardOption[];
  testIdPrefix?: string;
  /** Hide the group label visually (it stays the accessible name). */
  hideLabel?: boolean;
};

/** A radio group drawn as cards (arrow keys move and select). */
export function RadioCards({
  label,
  name,
  value,
  onChange,
  options,
  testIdPrefix,
  hideLabel = false,
}: Props) {
  const labelId = useId();
  const prefix = testIdPrefix ?? name;
  return (
    <div className="choice-group">
      <span id={labelId} className={hideLabel ? "visually-hidden" : "field__label"}>
        {label}
      </span>
      <RadioGroup.Root
        className="radio-cards"
        name={name}
        value={value}
        onValueChange={onChange}
        aria-labelledby={labelId}
      >
        {options.map((o) => (
          <RadioGroup.Item
            key={o.value}
            value={o.value}
            disabled={o.disabled}
            className="radio-card"
            data-testid={`${prefix}-card-${o.value}`}
          >
            {o.icon && (
              <span className="radio-card__icon" aria-hidden="true">
                {o.icon}
              </span>
            )}
            <span className="radio-card__text">
              <span className="radio-card__title">{o.title}</span>
              {o.description && <span className="radio-card__description">{o.description}</span>}
            </span>
            <span className="radio-card__mark" aria-hidden="true">
              <RadioGroup.Indicator className="radio-card__dot" />
            </span>
          </RadioGroup.Item>
        ))}
      </RadioGroup.Root>
    </div>
  );
}
