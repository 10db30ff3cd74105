import { QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ReactElement } from "react";

import { App } from "../App";
import { createQueryClient } from "../data/queryClient";

/** Renders `ui` (default: the whole app) with a fresh QueryClient. */
export function renderApp(ui: ReactElement = <App />) {
  const queryClient = createQueryClient();
  const user = userEvent.setup();
  const result = render(<QueryClientProvider client={queryClient}>{ui}</QueryClientProvider>);
  return { ...result, user, queryClient };
}
