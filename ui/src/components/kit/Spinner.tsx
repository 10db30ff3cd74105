import "./Spinner.css";

type Props = {
  /** When given, the spinner is a status (announced); otherwise decorative. */
  label?: string;
  size?: number;
  className?: string;
};

export function Spinner({ label, size = 16, className }: Props) {
  const ring = (
    <span
      className={["spinner", className].filter(Boolean).join(" ")}
      style={{ width: size, height: size }}
      aria-hidden="true"
    />
  );
  if (!label) return ring;
  return (
    <span className="spinner-wrap" role="status">
      {ring}
      <span className="visually-hidden">{label}</span>
    </span>
  );
}
