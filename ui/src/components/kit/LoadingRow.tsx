import type { ReactNode } from "react";

import { Spinner } from "./Spinner";

import "./LoadingRow.css";

/** A spinner and what is loading ("Loading logs…"), centred where the content will be. */
export function LoadingRow({ children }: { children: ReactNode }) {
  return (
    <div className="loading-row" role="status">
      <Spinner />
      <span>{children}</span>
    </div>
  );
}
