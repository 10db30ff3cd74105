import { Suspense } from "react";

import { Spinner, Toaster } from "./components/kit";
import { Sidebar } from "./components/Sidebar";
import { VaultBanner } from "./components/VaultBanner";
import { useActions } from "./data/queries";
import { useDataChangedSync } from "./data/useDataChangedSync";
import { useDeepLinkRouting } from "./data/useDeepLinkRouting";
import { useSignInReturned } from "./data/useSignInReturned";
import { markStartup } from "./lib/startup";
import { useHashRoute } from "./lib/useHashRoute";
import { SCREENS } from "./screens";
import { Prompts } from "./screens/prompts";
import { useReportReady, useThemeFromSettings } from "./screens/settings/data";

import "./App.css";

const SCREEN_IDS = SCREENS.map((s) => s.id);

/** App shell: sidebar + content. Expects a QueryClientProvider above it. */
export function App() {
  markStartup("rendering");
  useDataChangedSync();
  useDeepLinkRouting(SCREEN_IDS);
  useSignInReturned();
  useThemeFromSettings();
  // The first screen is up once the actions list has its answer (data or error).
  useReportReady(!useActions().isPending);
  const activeId = useHashRoute(SCREEN_IDS, SCREENS[0].id);
  const screen = SCREENS.find((s) => s.id === activeId) ?? SCREENS[0];
  const Screen = screen.component;

  return (
    <>
      <div className="app">
        <Sidebar screens={SCREENS} activeId={screen.id} />
        <main className="app__content">
          <VaultBanner />
          <Suspense
            fallback={
              <div className="app__loading">
                <Spinner label={`Loading ${screen.label}…`} size={20} />
              </div>
            }
          >
            <Screen />
          </Suspense>
        </main>
      </div>
      {/* Outside the grid: the toast region and the prompt must not become grid rows. */}
      <Prompts />
      <Toaster />
    </>
  );
}
