import type { InputHTMLAttributes } from "react";

import { SearchIcon } from "./icons";

import "./SearchField.css";

type Props = Omit<InputHTMLAttributes<HTMLInputElement>, "value" | "onChange" | "type"> & {
  value: string;
  onValueChange: (value: string) => void;
  label: string;
};

/** Search input with a leading icon; Escape clears it. */
export function SearchField({ value, onValueChange, label, className, onKeyDown, ...rest }: Props) {
  return (
    <div className={["search-field", className].filter(Boolean).join(" ")}>
      <SearchIcon size={14} className="search-field__icon" />
      <input
        type="search"
        aria-label={label}
        autoComplete="off"
        spellCheck={false}
        value={value}
        onChange={(e) => onValueChange(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Escape" && value !== "") {
            e.preventDefault();
            onValueChange("");
          }
          onKeyDown?.(e);
        }}
        {...rest}
      />
    </div>
  );
}
