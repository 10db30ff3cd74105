// First: note when the bundle started running (the start-up breakdown), then ask for the
// first screen's data while the rest loads.
import { markStartup } from "./lib/startup";
import "./data/early";

import { QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

// Global styles first so component styles can build on them.
import "./styles/tokens.css";
import "./styles/base.css";
import "./styles/screen.css";

import { App } from "./App";
import { FIRST_SCREEN_WAIT_MS, seedFirstScreen } from "./data/firstScreen";
import { createQueryClient } from "./data/queryClient";
import { applyRememberedTheme } from "./screens/settings/theme";

markStartup("evaluated");

// Paint in the last theme at once; the saved setting confirms it when it loads.
applyRememberedTheme();

const root = document.getElementById("root");
if (!root) throw new Error("#root element missing from index.html");

const queryClient = createQueryClient();
// The first screen's answers are usually in by now; wait a little for late ones so the
// first paint is the finished screen.
void seedFirstScreen(queryClient, FIRST_SCREEN_WAIT_MS).then(() => {
  markStartup("seeded");
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </StrictMode>,
  );
});
