import { RadioGroup } from "radix-ui";
import { useId } from "react";

import "./choices.css";

type Props = {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  options: { value: string; label: string; disabled?: boolean }[];
  testIdPrefix?: string;
  hideLabel?: boolean;
};

/** A small radio group drawn as a segmented control (Yes/No, MCP/HTTP). */
export function Segmented({
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
        className="segmented"
        name={name}
        value={value}
        onValueChange={onChange}
        orientation="horizontal"
        aria-labelledby={labelId}
      >
        {options.map((o) => (
          <RadioGroup.Item
            key={o.value}
            value={o.value}
            disabled={o.disabled}
            className="segmented__item"
            data-testid={`${prefix}-${o.value}`}
          >
            {o.label}
          </RadioGroup.Item>
        ))}
      </RadioGroup.Root>
    </div>
  );
}
