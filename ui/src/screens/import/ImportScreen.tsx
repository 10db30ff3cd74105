import { useId } from "react";

import { BackIcon, Button } from "../../components/kit";
import { navigate } from "../../lib/useHashRoute";
import { ImportPanel } from "./ImportPanel";

import "./ImportPanel.css";

/** `#/actions/import` (the Actions screen's Import… button): the Import card on its own. */
export function ImportScreen() {
  const titleId = useId();
  return (
    <section className="screen" aria-labelledby={titleId} data-testid="import-screen">
      <header className="screen__header import-screen__header">
        <div>
          <Button
            variant="ghost"
            size="sm"
            onClick={() => navigate("actions")}
            data-testid="import-back"
          >
            <BackIcon />
            Actions
          </Button>
          <h1 id={titleId} className="screen__title">
            Import from MCP clients
          </h1>
        </div>
      </header>
      <div className="import-screen__scroll">
        <ImportPanel variant="screen" onDone={() => navigate("actions")} />
      </div>
    </section>
  );
}
