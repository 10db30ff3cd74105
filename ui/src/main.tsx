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
import { applyRememberedFontStacks, readStacks, shortenFontStacks } from "./lib/fontStacks";
import { preloadMenu } from "./components/kit";
import { preloadActionParts } from "./screens/actions/parts";
import { preloadPrompts } from "./screens/prompts";
import { applyRememberedTheme } from "./screens/settings/theme";

markStartup("evaluated");

// Paint in the last theme at once; the saved setting confirms it when it loads.
applyRememberedTheme();

const root = document.getElementById("root");
if (!root) throw new Error("#root element missing from index.html");

/** At the latest, the seeded queries ask again this long after the first render. */
const FIRST_SCREEN_SHOWN_MS = 3000;
/** The font stacks are measured again, and the Actions screen's other parts fetched, this
 * long after the first screen is shown (off the path to its paint, before they are needed). */
const AFTER_SHOWN_MS = 1000;

// The font stacks as the last start measured them (lib/fontStacks.ts); null: never measured.
const stacks = readStacks();
const knownFonts = applyRememberedFontStacks(document, stacks);

const queryClient = createQueryClient();
// The first screen's answers are usually in by now; wait a little for late ones so the
// first paint is the finished screen.
void seedFirstScreen(queryClient, FIRST_SCREEN_WAIT_MS).then((seeded) => {
  markStartup("seeded");
  // Spare the first layout the font look-ups that end in the generic family anyway: as the
  // last start found (then checked again once the screen is shown), or measured now (after
  // the answers: measuring lays the page out, and the answers waited behind that).
  if (knownFonts === null) shortenFontStacks(document, stacks);
  else
    whenFirstScreenShown(() =>
      setTimeout(() => shortenFontStacks(document, stacks), AFTER_SHOWN_MS),
    );
  markStartup("fonts");
  // They ask again once the screen is shown (or after a while: a hidden window draws no frame).
  whenFirstScreenShown(() => refreshFirstScreen(queryClient, seeded));
  whenFirstScreenShown(() =>
    setTimeout(() => {
      preloadMenu();
      preloadActionParts();
      preloadPrompts();
    }, AFTER_SHOWN_MS),
  );
  setTimeout(firstScreenShown, FIRST_SCREEN_SHOWN_MS);
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </StrictMode>,
  );
});
