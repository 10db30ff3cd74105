/**
 * Every line icon of the app, in one drawing style (24-unit grid, 1.8 stroke, round caps).
 * Decorative: hidden from assistive technology; the control around one carries its name.
 */
import type { ReactNode, SVGProps } from "react";

export type IconProps = Omit<SVGProps<SVGSVGElement>, "children"> & { size?: number };

function Icon({ size = 16, children, ...rest }: IconProps & { children: ReactNode }) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.8}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
      {...rest}
    >
      {children}
    </svg>
  );
}

export const SearchIcon = (p: IconProps) => (
  <Icon {...p}>
    <circle cx="11" cy="11" r="6.5" />
    <path d="m20 20-4.2-4.2" />
  </Icon>
);

export const CopyIcon = (p: IconProps) => (
  <Icon {...p}>
    <rect x="8.5" y="8.5" width="11" height="11" rx="2" />
    <path d="M15.5 8.5V6.5a2 2 0 0 0-2-2h-7a2 2 0 0 0-2 2v7a2 2 0 0 0 2 2h2" />
  </Icon>
);

export const CheckIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="m5 12.5 4.5 4.5L19 7.5" />
  </Icon>
);

export const WarningIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M10.3 4.3 2.9 17.2A2 2 0 0 0 4.6 20h14.8a2 2 0 0 0 1.7-2.8L13.7 4.3a2 2 0 0 0-3.4 0Z" />
    <path d="M12 9.5v4" />
    <path d="M12 16.8h.01" />
  </Icon>
);

export const ErrorIcon = (p: IconProps) => (
  <Icon {...p}>
    <circle cx="12" cy="12" r="8.5" />
    <path d="M12 7.8v4.8" />
    <path d="M12 16.2h.01" />
  </Icon>
);

export const RetryIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M19.5 12a7.5 7.5 0 1 1-2.2-5.3" />
    <path d="M19.5 4.5v4.2h-4.2" />
  </Icon>
);

/** Nav icon for Actions: a plug. */
export const PlugIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M9 3.5v4.5M15 3.5v4.5" />
    <path d="M6.5 8h11v3.5a5.5 5.5 0 0 1-11 0Z" />
    <path d="M12 17v3.5" />
  </Icon>
);

export const TerminalIcon = (p: IconProps) => (
  <Icon {...p}>
    <rect x="3" y="4.5" width="18" height="15" rx="2.5" />
    <path d="m7.5 10 2.5 2.5-2.5 2.5" />
    <path d="M12.5 15.5h4" />
  </Icon>
);

export const KeyIcon = (p: IconProps) => (
  <Icon {...p}>
    <circle cx="8" cy="15" r="4" />
    <path d="m10.8 12.2 8.7-8.7M16 7l2.5 2.5M18.5 4.5 21 7" />
  </Icon>
);

export const LinkIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M10 14a4.5 4.5 0 0 0 6.4 0l3-3a4.5 4.5 0 0 0-6.4-6.4l-1 1" />
    <path d="M14 10a4.5 4.5 0 0 0-6.4 0l-3 3a4.5 4.5 0 0 0 6.4 6.4l1-1" />
  </Icon>
);

/** Nav icon for Export: an arrow leaving a box. */
export const ExportIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M14 4.5h5.5V10" />
    <path d="m19.5 4.5-8 8" />
    <path d="M17.5 13.5v4a2 2 0 0 1-2 2h-9a2 2 0 0 1-2-2v-9a2 2 0 0 1 2-2h4" />
  </Icon>
);

/** Import: an arrow coming down into a tray. */
export const ImportIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M12 4v10" />
    <path d="m7.5 9.5 4.5 4.5 4.5-4.5" />
    <path d="M4.5 14.5v3a2 2 0 0 0 2 2h11a2 2 0 0 0 2-2v-3" />
  </Icon>
);

/** Settings: a slider panel. */
export const SettingsIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M4 6h9M17 6h3M4 12h3M11 12h9M4 18h11M19 18h1" />
    <circle cx="15" cy="6" r="2" />
    <circle cx="9" cy="12" r="2" />
    <circle cx="17" cy="18" r="2" />
  </Icon>
);

/** Nav icon for Health: a pulse line. */
export const HealthIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M3 12h4l2.5-6 5 12 2.5-6h4" />
  </Icon>
);

/** Nav icon for the Gateway: one hub with lines out to its clients. */
export const GatewayIcon = (p: IconProps) => (
  <Icon {...p}>
    <circle cx="12" cy="12" r="2.5" />
    <path d="M12 9.5V6M12 14.5V18M9.5 12H6M14.5 12H18" />
    <circle cx="12" cy="4" r="1.8" />
    <circle cx="12" cy="20" r="1.8" />
    <circle cx="4" cy="12" r="1.8" />
    <circle cx="20" cy="12" r="1.8" />
  </Icon>
);

/** Nav icon for Logs: the lines of a list. */
export const LogsIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M8.5 6.5h11M8.5 12h11M8.5 17.5h11" />
    <path d="M4.5 6.5h.01M4.5 12h.01M4.5 17.5h.01" />
  </Icon>
);

export const BackIcon = ({ size = 14, ...p }: IconProps) => (
  <Icon size={size} {...p}>
    <path d="M19 12H5M11 18l-6-6 6-6" />
  </Icon>
);

export const PlusIcon = ({ size = 14, ...p }: IconProps) => (
  <Icon size={size} {...p}>
    <path d="M12 5v14M5 12h14" />
  </Icon>
);

/** A cross: close a dialog or toast, remove a row. */
export const CloseIcon = ({ size = 14, ...p }: IconProps) => (
  <Icon size={size} {...p}>
    <path d="M6 6l12 12M18 6 6 18" />
  </Icon>
);

/** Three dots: a row's menu of more actions. */
export const MoreIcon = ({ size = 16, ...p }: IconProps) => (
  <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false" {...p}>
    <circle cx="12" cy="5.5" r="1.7" fill="currentColor" />
    <circle cx="12" cy="12" r="1.7" fill="currentColor" />
    <circle cx="12" cy="18.5" r="1.7" fill="currentColor" />
  </svg>
);

export const ConnectedIcon = (p: IconProps) => (
  <Icon {...p}>
    <circle cx="12" cy="12" r="8.5" />
    <path d="m8.5 12.2 2.3 2.3 4.7-4.8" />
  </Icon>
);

/** The OAuth 2.1 card. */
export const ShieldIcon = ({ size = 18, ...p }: IconProps) => (
  <Icon size={size} {...p}>
    <path d="M12 3.5 5 6.5v5.2c0 4.3 3 7.6 7 8.8 4-1.2 7-4.5 7-8.8V6.5Z" />
    <path d="m9 12 2.2 2.2L15.5 10" />
  </Icon>
);

/** The bearer token card (KeyIcon is the Tokens nav icon). */
export const TokenIcon = ({ size = 18, ...p }: IconProps) => (
  <Icon size={size} {...p}>
    <circle cx="8" cy="15" r="4" />
    <path d="m10.8 12.2 8.7-8.7M16 7l2.5 2.5" />
  </Icon>
);

/** The HTTP request token card: a request and its answer. */
export const RequestIcon = ({ size = 18, ...p }: IconProps) => (
  <Icon size={size} {...p}>
    <path d="M4 7h12M12 3l4 4-4 4" />
    <path d="M20 17H8M12 13l-4 4 4 4" />
  </Icon>
);

/** The "no credentials" card. */
export const NoneIcon = ({ size = 18, ...p }: IconProps) => (
  <Icon size={size} {...p}>
    <circle cx="12" cy="12" r="8.5" />
    <path d="m6 6 12 12" />
  </Icon>
);
