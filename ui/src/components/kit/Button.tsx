import type { ButtonHTMLAttributes } from "react";

import "./Button.css";

type Props = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: "primary" | "secondary" | "ghost" | "danger";
  size?: "sm" | "md";
  /** Work in progress: shows a spinner, sets aria-busy and ignores clicks. */
  busy?: boolean;
};

export function Button({
  variant = "secondary",
  size = "md",
  busy = false,
  className,
  type = "button",
  disabled,
  children,
  ...rest
}: Props) {
  const classes = ["btn", `btn--${variant}`, `btn--${size}`, busy && "is-busy", className]
    .filter(Boolean)
    .join(" ");
  return (
    <button
      type={type}
      className={classes}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
      {...rest}
    >
      {busy && <span className="btn__spinner" aria-hidden="true" />}
      {children}
    </button>
  );
}
