// First: note when the bundle started running (the start-up breakdown), then ask for the
// first screen's data while the rest loads.
import { firstScreenShown, markStartup, whenFirstScreenShown } from "./lib/startup";
import "./data/early";

import { QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

// Global styles first so component styles can build on them.
import "./styles/tokens.css";
import "./styles/base.css";
import "./styles/screen.css";

import { App } from "./App";
import { FIRST_SCREEN_WAIT_MS, refreshFirstScreen, seedFirstScreen } from "./data/firstScreen";
import { createQueryClient } from "./data/queryClient";
import { shortenFontStacks } from "./lib/fontStacks";
import { applyRememberedTheme } from "./screens/settings/theme";

markStartup("evaluated");

// Paint in the last theme at once; the saved setting confirms it when it loads.
applyRememberedTheme();

const root = document.getElementById("root");
if (!root) throw new Error("#root element missing from index.html");

/** At the latest, the seeded queries ask again this long after the first render. */
const FIRST_SCREEN_SHOWN_MS = 3000;

const queryClient = createQueryClient();
// The first screen's answers are usually in by now; wait a little for late ones so the
// first paint is the finished screen.
void seedFirstScreen(queryClient, FIRST_SCREEN_WAIT_MS).then((seeded) => {
  markStartup("seeded");
  // Spare the first layout the font look-ups that end in the generic family anyway (after the
  // answers: measuring lays the page out, and the answers waited behind that).
  shortenFontStacks();
  markStartup("fonts");
  // They ask again once the screen is shown (or after a while: a hidden window draws no frame).
  whenFirstScreenShown(() => refreshFirstScreen(queryClient, seeded));
  setTimeout(firstScreenShown, FIRST_SCREEN_SHOWN_MS);
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </StrictMode>,
  );
});
