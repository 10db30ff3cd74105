import { Button } from "../../components/Button";
import { CommandSnippet } from "../../components/CommandSnippet";
import { ErrorIcon, PlugIcon, RetryIcon, TerminalIcon } from "../../components/icons";
import type { IpcError } from "../../ipc";

export const ADD_ACTION_COMMAND = "patchbay action add my-server --url https://example.com/mcp";

export function ActionsEmpty() {
  return (
    <div className="state-panel" data-testid="actions-empty">
      <div className="state-panel__art" aria-hidden="true">
        <PlugIcon size={22} />
      </div>
      <h2 className="state-panel__title">No actions yet</h2>
      <p className="state-panel__text">
        An action gives your agents an authenticated connection to a remote MCP server or an HTTP
        API.
      </p>
      <div className="state-panel__steps">
        <p className="state-panel__label">
          <TerminalIcon size={14} />
          Add Custom Action from the terminal
        </p>
        <CommandSnippet command={ADD_ACTION_COMMAND} />
        <p className="state-panel__hint">It appears here as soon as it’s saved.</p>
      </div>
    </div>
  );
}

type ErrorProps = { error: IpcError; onRetry: () => void; retrying: boolean };

export function ActionsError({ error, onRetry, retrying }: ErrorProps) {
  return (
    <div className="state-panel state-panel--error" role="alert" data-testid="actions-error">
      <div className="state-panel__art" aria-hidden="true">
        <ErrorIcon size={22} />
      </div>
      <h2 className="state-panel__title">Couldn’t load actions</h2>
      <p className="state-panel__text">{error.message}</p>
      <p className="state-panel__code">
        Error code <code>{error.code}</code>
      </p>
      <Button onClick={onRetry} aria-busy={retrying}>
        <RetryIcon size={14} className={retrying ? "spin" : undefined} />
        {retrying ? "Retrying…" : "Retry"}
      </Button>
    </div>
  );
}
