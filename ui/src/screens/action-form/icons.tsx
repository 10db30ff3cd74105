/** Small line icons used only by the action form (same drawing style as components/icons). */
import type { ReactNode } from "react";

function Icon({ size = 14, children }: { size?: number; children: ReactNode }) {
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
    >
      {children}
    </svg>
  );
}

export const BackIcon = () => (
  <Icon>
    <path d="M19 12H5M11 18l-6-6 6-6" />
  </Icon>
);

export const PlusIcon = () => (
  <Icon>
    <path d="M12 5v14M5 12h14" />
  </Icon>
);

export const RemoveIcon = () => (
  <Icon>
    <path d="M6 6l12 12M18 6 6 18" />
  </Icon>
);

export const ConnectedIcon = () => (
  <Icon size={16}>
    <circle cx="12" cy="12" r="8.5" />
    <path d="m8.5 12.2 2.3 2.3 4.7-4.8" />
  </Icon>
);

export const ShieldIcon = () => (
  <Icon size={18}>
    <path d="M12 3.5 5 6.5v5.2c0 4.3 3 7.6 7 8.8 4-1.2 7-4.5 7-8.8V6.5Z" />
    <path d="m9 12 2.2 2.2L15.5 10" />
  </Icon>
);

export const TokenIcon = () => (
  <Icon size={18}>
    <circle cx="8" cy="15" r="4" />
    <path d="m10.8 12.2 8.7-8.7M16 7l2.5 2.5" />
  </Icon>
);

export const RequestIcon = () => (
  <Icon size={18}>
    <path d="M4 7h12M12 3l4 4-4 4" />
    <path d="M20 17H8M12 13l-4 4 4 4" />
  </Icon>
);

export const LinkedIcon = () => (
  <Icon size={18}>
    <path d="M10 14a4.5 4.5 0 0 0 6.4 0l3-3a4.5 4.5 0 0 0-6.4-6.4l-1 1" />
    <path d="M14 10a4.5 4.5 0 0 0-6.4 0l-3 3a4.5 4.5 0 0 0 6.4 6.4l1-1" />
  </Icon>
);

export const NoneIcon = () => (
  <Icon size={18}>
    <circle cx="12" cy="12" r="8.5" />
    <path d="m6 6 12 12" />
  </Icon>
);
