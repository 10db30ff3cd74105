import { CommandSnippet } from "../../components/CommandSnippet";
import { Button, EmptyState, ErrorNotice, PlugIcon, TerminalIcon } from "../../components/kit";
import type { IpcError } from "../../ipc";
import { navigate } from "../../lib/useHashRoute";

export const ADD_ACTION_COMMAND = "patchbay action add my-server --url https://example.com/mcp";

export function ActionsEmpty() {
  return (
    <EmptyState
      testId="actions-empty"
      icon={<PlugIcon size={22} />}
      title="No actions yet"
      description="An action gives your agents an authenticated connection to a remote MCP server or an HTTP API."
      action={
        <Button
          variant="primary"
          onClick={() => navigate("actions", "new")}
          data-testid="empty-add-action"
        >
          Add Custom Action
        </Button>
      }
    >
      <div className="state-panel__steps">
        <p className="state-panel__label">
          <TerminalIcon size={14} />
          Or add one from the terminal
        </p>
        <CommandSnippet command={ADD_ACTION_COMMAND} />
        <p className="state-panel__hint">It appears here as soon as it’s saved.</p>
      </div>
    </EmptyState>
  );
}

type ErrorProps = { error: IpcError; onRetry: () => void; retrying: boolean };

export function ActionsError({ error, onRetry, retrying }: ErrorProps) {
  return (
    <div className="state-error">
      <ErrorNotice
        error={error}
        title="Couldn’t load actions"
        onRetry={onRetry}
        retrying={retrying}
        testId="actions-error"
      />
    </div>
  );
}
