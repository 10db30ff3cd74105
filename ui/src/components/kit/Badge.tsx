import type { HTMLAttributes } from "react";

import "./Badge.css";

export type Tone = "neutral" | "accent" | "info" | "success" | "danger" | "warning";

type Props = HTMLAttributes<HTMLSpanElement> & {
  tone?: Tone;
  /** Leading status dot. */
  dot?: boolean;
  variant?: "soft" | "outline";
};

export function Badge({
  tone = "neutral",
  dot = false,
  variant = "soft",
  className,
  children,
  ...rest
}: Props) {
  const classes = ["badge", `badge--${variant}`, `tone-${tone}`, className]
    .filter(Boolean)
    .join(" ");
  return (
    <span className={classes} {...rest}>
      {dot && <span className="badge__dot" aria-hidden="true" />}
      <span className="badge__label">{children}</span>
    </span>
  );
}
