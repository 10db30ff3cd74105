import { lazy, type ComponentType, type SVGProps } from "react";

import {
  ExportIcon,
  GatewayIcon,
  HealthIcon,
  KeyIcon,
  LinkIcon,
  LogsIcon,
  PlugIcon,
  SettingsIcon,
} from "./components/kit";
import { ActionsScreen } from "./screens/actions/ActionsScreen";

/**
 * Every screen but the first loads on first visit (its own chunk): the start-up bundle holds
 * only what the Actions list needs.
 */
const ConnectionsScreen = lazy(() =>
  import("./screens/connections/ConnectionsScreen").then((m) => ({ default: m.ConnectionsScreen })),
);
const TokensScreen = lazy(() =>
  import("./screens/tokens/TokensScreen").then((m) => ({ default: m.TokensScreen })),
);
const ExportScreen = lazy(() =>
  import("./screens/export/ExportScreen").then((m) => ({ default: m.ExportScreen })),
);
const GalleryScreen = lazy(() =>
  import("./screens/gallery/GalleryScreen").then((m) => ({ default: m.GalleryScreen })),
);
const GatewayScreen = lazy(() =>
  import("./screens/gateway/GatewayScreen").then((m) => ({ default: m.GatewayScreen })),
);
const HealthScreen = lazy(() =>
  import("./screens/health/HealthScreen").then((m) => ({ default: m.HealthScreen })),
);
const LogsScreen = lazy(() =>
  import("./screens/logs/LogsScreen").then((m) => ({ default: m.LogsScreen })),
);
const SettingsScreen = lazy(() =>
  import("./screens/settings/SettingsScreen").then((m) => ({ default: m.SettingsScreen })),
);

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
  { id: "gateway", label: "Gateway", icon: GatewayIcon, component: GatewayScreen },
  { id: "gallery", label: "Provider gallery", icon: PlugIcon, component: GalleryScreen },
  { id: "health", label: "Health", icon: HealthIcon, component: HealthScreen },
  { id: "logs", label: "Logs", icon: LogsIcon, component: LogsScreen },
  { id: "settings", label: "Settings", icon: SettingsIcon, component: SettingsScreen },
];
