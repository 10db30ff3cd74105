import type { ComponentType, SVGProps } from "react";

import { ExportIcon, KeyIcon, LinkIcon, PlugIcon, SettingsIcon } from "./components/icons";
import { ActionsScreen } from "./screens/actions/ActionsScreen";
import { ConnectionsScreen } from "./screens/connections/ConnectionsScreen";
import { ExportScreen } from "./screens/export/ExportScreen";
import { GalleryScreen } from "./screens/gallery/GalleryScreen";
import { HealthIcon } from "./screens/health/HealthIcon";
import { HealthScreen } from "./screens/health/HealthScreen";
import { LogsIcon } from "./screens/logs/LogsIcon";
import { LogsScreen } from "./screens/logs/LogsScreen";
import { SettingsScreen } from "./screens/settings/SettingsScreen";
import { TokensScreen } from "./screens/tokens/TokensScreen";

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
  { id: "connections", label: "OAuth Connections", icon: LinkIcon, component: ConnectionsScreen },
  { id: "tokens", label: "Tokens", icon: KeyIcon, component: TokensScreen },
  { id: "export", label: "Export", icon: ExportIcon, component: ExportScreen },
  { id: "gallery", label: "Provider gallery", icon: PlugIcon, component: GalleryScreen },
  { id: "health", label: "Health", icon: HealthIcon, component: HealthScreen },
  { id: "logs", label: "Logs", icon: LogsIcon, component: LogsScreen },
  { id: "settings", label: "Settings", icon: SettingsIcon, component: SettingsScreen },
];
