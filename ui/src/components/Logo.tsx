import { useId } from "react";

const JACKS = [18, 32, 46];

/**
 * The Patchbay mark: two columns of jacks joined by a patch cable.
 * Same drawing as /icons/icon.svg (the app icon), cropped to the tile.
 */
export function LogoMark({ size = 24 }: { size?: number }) {
  const gradient = useId();
  return (
    <svg width={size} height={size} viewBox="5 5 54 54" aria-hidden="true" focusable="false">
      <defs>
        <linearGradient id={gradient} x1="0" y1="0" x2="1" y2="1">
          <stop offset="0" stopColor="#6d5efc" />
          <stop offset="1" stopColor="#3f2fc4" />
        </linearGradient>
      </defs>
      <rect x="5" y="5" width="54" height="54" rx="12.5" fill={`url(#${gradient})`} />
      {JACKS.map((y) => (
        <g key={y}>
          <circle cx="20" cy={y} r="5" fill="#fff" fillOpacity="0.95" />
          <circle cx="44" cy={y} r="5" fill="#fff" fillOpacity="0.95" />
          <circle cx="20" cy={y} r="2" fill="#3f2fc4" />
          <circle cx="44" cy={y} r="2" fill="#3f2fc4" />
        </g>
      ))}
      <path
        d="M20 18 C 34 18, 30 46, 44 46"
        fill="none"
        stroke="#ffb547"
        strokeWidth="4.5"
        strokeLinecap="round"
      />
      <circle cx="20" cy="18" r="3.4" fill="#ffb547" />
      <circle cx="44" cy="46" r="3.4" fill="#ffb547" />
    </svg>
  );
}
