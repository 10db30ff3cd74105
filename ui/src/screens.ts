import type { ComponentType, SVGProps } from "react";

import { PlugIcon } from "./components/icons";
import { ActionsScreen } from "./screens/actions/ActionsScreen";

export type ScreenDef = {
  /** URL fragment: `#/<id>`. */
  id: string;
  label: string;
  icon: ComponentType<SVGProps<SVGSVGElement> & { size?: number }>;
  component: ComponentType;
};

/**
 * Every screen the sidebar offers. Add an entry here when a screen exists;
 * the sidebar renders only these, so there are never dead links.
 */
export const SCREENS: readonly [ScreenDef, ...ScreenDef[]] = [
  { id: "actions", label: "Actions", icon: PlugIcon, component: ActionsScreen },
];
