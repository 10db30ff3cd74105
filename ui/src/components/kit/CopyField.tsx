import { useId } from "react";

import { Button } from "./Button";
import { CheckIcon, CopyIcon } from "./icons";

import { useCopy } from "./useCopy";

import "./CopyField.css";

type Props = { label: string; value: string; testId?: string };

/** A read-only value (a URL, an id) with a Copy button. */
export function CopyField({ label, value, testId }: Props) {
  const id = useId();
  const { state, copy, ref: valueRef } = useCopy<HTMLElement>(value);

  return (
    <div className="copy-field" data-testid={testId}>
      <span className="field__label" id={`${id}-label`}>
        {label}
      </span>
      <div className="copy-field__box">
        <code ref={valueRef} className="copy-field__value" aria-labelledby={`${id}-label`}>
          {value}
        </code>
        <Button
          variant="ghost"
          size="sm"
          onClick={() => void copy()}
          aria-label={`Copy ${label}`}
          data-testid={testId ? `${testId}-copy` : undefined}
        >
          {state === "copied" ? <CheckIcon size={14} /> : <CopyIcon size={14} />}
          {state === "copied" ? "Copied" : "Copy"}
        </Button>
      </div>
      <p className="copy-field__status" role="status">
        {state === "failed"
          ? "Couldn’t reach the clipboard: the text is selected, press ⌘C or Ctrl+C."
          : ""}
      </p>
    </div>
  );
}
