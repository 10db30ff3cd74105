import { QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

// Global styles first so component styles can build on them.
import "./styles/tokens.css";
import "./styles/base.css";

import { App } from "./App";
import { createQueryClient } from "./data/queryClient";
import { applyRememberedTheme } from "./screens/settings/theme";

// Paint in the last theme at once; the saved setting confirms it when it loads.
applyRememberedTheme();

const root = document.getElementById("root");
if (!root) throw new Error("#root element missing from index.html");

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={createQueryClient()}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
