import { useCallback, useId, useState } from "react";

import type { ActionView } from "../../bindings/ActionView";
import type { GatewayTool } from "../../bindings/GatewayTool";
import { Button, Checkbox, ErrorNotice, LoadingRow, TextField } from "../../components/kit";
import { gatewayTools, toIpcError, type IpcError } from "../../ipc";
import type { ScopeDraft, ScopeField, ToolLimit } from "./model";

/**
 * What an access key or an OAuth client may use, as the Create access key and New OAuth
 * client forms both ask it: every action or some, and optionally some tools of an MCP action
 * (listed by asking its server, or typed). Focus selectors: `[name="allActions"]`,
 * `[data-tool-limits] input`.
 */

type Props = {
  /** Prefixes every test id: `gateway-key`, `gateway-client`. */
  idPrefix: string;
  /** The group's legend: "Opens", "May use". */
  legend: string;
  /** Under "Every action…": what that means for this kind of credential. */
  allHint: string;
  /** When there are no actions yet. */
  noActions: string;
  scope: ScopeDraft;
  actions: ActionView[];
  loading: boolean;
  errors: Partial<Record<ScopeField, string>>;
  /** Change the scope; `fields` were edited. */
  onChange: (patch: Partial<ScopeDraft>, ...fields: ScopeField[]) => void;
};

export function ScopeFields({
  idPrefix,
  legend,
  allHint,
  noActions,
  scope,
  actions,
  loading,
  errors,
  onChange,
}: Props) {
  const errorId = useId();
  const tools = useToolLists();

  function pick(name: string, on: boolean) {
    const picked = on ? [...scope.actions, name] : scope.actions.filter((a) => a !== name);
    onChange({ actions: picked }, "auth");
  }

  function setLimit(name: string, limit: ToolLimit | undefined) {
    const limits = { ...scope.limits };
    if (limit) limits[name] = limit;
    else delete limits[name];
    onChange({ limits }, "tools", "auth");
  }

  const mcp = actions.filter(
    (a) => a.kind === "mcp" && (scope.all || scope.actions.includes(a.name)),
  );

  return (
    <>
      <fieldset className="key-form__group" aria-describedby={errorId}>
        <legend className="field__label">{legend}</legend>
        <Checkbox
          label="Every action, present and future"
          name="allActions"
          checked={scope.all}
          onCheckedChange={(on) => onChange({ all: on }, "auth", "tools")}
          hint={allHint}
          testId={`${idPrefix}-all`}
        />
        {!scope.all && (
          <ActionPicker
            idPrefix={idPrefix}
            actions={actions}
            loading={loading}
            picked={scope.actions}
            onPick={pick}
            noActions={noActions}
          />
        )}
        {errors.auth && (
          <p className="field__error" id={errorId} role="alert">
            {errors.auth}
          </p>
        )}
      </fieldset>

      {mcp.length > 0 && (
        <fieldset className="key-form__group" data-tool-limits="">
          <legend className="field__label">Tool limits (optional)</legend>
          <p className="field__hint">
            An action opens all of its tools unless you limit it here. Listing the tools asks the
            action’s server.
          </p>
          {mcp.map((a) => (
            <ToolLimitRow
              key={a.id}
              idPrefix={idPrefix}
              action={a}
              limit={scope.limits[a.name]}
              onChange={(l) => setLimit(a.name, l)}
              list={tools.lists[a.name]}
              onLoad={() => tools.load(a.name)}
            />
          ))}
          {errors.tools && (
            <p className="field__error" role="alert" data-testid={`${idPrefix}-tools-error`}>
              {errors.tools}
            </p>
          )}
        </fieldset>
      )}
    </>
  );
}

function ActionPicker({
  idPrefix,
  actions,
  loading,
  picked,
  onPick,
  noActions,
}: {
  idPrefix: string;
  actions: ActionView[];
  loading: boolean;
  picked: string[];
  onPick: (name: string, on: boolean) => void;
  noActions: string;
}) {
  if (loading) return <LoadingRow>Loading actions…</LoadingRow>;
  if (actions.length === 0) {
    return (
      <p className="field__hint" data-testid={`${idPrefix}-no-actions`}>
        {noActions}
      </p>
    );
  }
  return (
    <div className="key-form__actions" data-testid={`${idPrefix}-actions`}>
      {actions.map((a) => (
        <Checkbox
          key={a.id}
          label={a.name}
          name="scopeActions"
          checked={picked.includes(a.name)}
          onCheckedChange={(on) => onPick(a.name, on)}
          hint={`${a.kind === "mcp" ? "MCP server" : "HTTP endpoint"}${a.enabled ? "" : " · disabled: not served until enabled"}`}
          testId={`${idPrefix}-action-${a.name}`}
        />
      ))}
    </div>
  );
}

type ToolList =
  | { phase: "loading" }
  | { phase: "done"; tools: GatewayTool[] }
  | { phase: "failed"; error: IpcError };

/** Each action's tools, asked of its server on demand (once, or again on Try again). */
function useToolLists() {
  const [lists, setLists] = useState<Record<string, ToolList>>({});
  const load = useCallback((name: string) => {
    const set = (l: ToolList) => setLists((all) => ({ ...all, [name]: l }));
    set({ phase: "loading" });
    gatewayTools(name).then(
      (tools) => set({ phase: "done", tools }),
      (e: unknown) => set({ phase: "failed", error: toIpcError(e) }),
    );
  }, []);
  return { lists, load };
}

function ToolLimitRow({
  idPrefix,
  action,
  limit,
  onChange,
  list,
  onLoad,
}: {
  idPrefix: string;
  action: ActionView;
  limit: ToolLimit | undefined;
  onChange: (limit: ToolLimit | undefined) => void;
  list: ToolList | undefined;
  onLoad: () => void;
}) {
  const name = action.name;
  const id = `${idPrefix}-limit-${name}`;
  return (
    <div className="key-form__limit" data-testid={id}>
      <Checkbox
        label={`Limit ${name} to some tools`}
        name={`limit-${name}`}
        checked={limit !== undefined}
        onCheckedChange={(on) => {
          onChange(on ? { picked: [], typed: "" } : undefined);
          if (on && list?.phase !== "done") onLoad();
        }}
        testId={`${id}-on`}
      />
      {limit && (
        <div className="key-form__tools">
          {list?.phase === "loading" && <LoadingRow>Asking {name} for its tools…</LoadingRow>}
          {list?.phase === "failed" && (
            <ErrorNotice
              error={list.error}
              title={`Couldn’t list the tools of ${name}`}
              advice="Type the tool names below, or try again."
              testId={`${idPrefix}-tools-failed-${name}`}
            >
              <Button size="sm" onClick={onLoad}>
                Try again
              </Button>
            </ErrorNotice>
          )}
          {list?.phase === "done" &&
            (list.tools.length === 0 ? (
              <p className="field__hint">{name} lists no tools: type their names below.</p>
            ) : (
              <div className="key-form__tool-list" data-testid={`${idPrefix}-tools-${name}`}>
                {list.tools.map((t) => (
                  <Checkbox
                    key={t.name}
                    label={t.name}
                    name={`tool-${name}`}
                    checked={limit.picked.includes(t.name)}
                    onCheckedChange={(on) =>
                      onChange({
                        ...limit,
                        picked: on
                          ? [...limit.picked, t.name]
                          : limit.picked.filter((p) => p !== t.name),
                      })
                    }
                    hint={t.title ?? t.description ?? undefined}
                    testId={`${idPrefix}-tool-${name}-${t.name}`}
                  />
                ))}
              </div>
            ))}
          <TextField
            label={list?.phase === "done" && list.tools.length > 0 ? "Other tools" : "Tool names"}
            name={`typed-${name}`}
            value={limit.typed}
            onChange={(typed) => onChange({ ...limit, typed })}
            placeholder="search_issues, create_issue"
            hint="As the server names them, separated by commas or spaces."
            mono
            testId={`${idPrefix}-typed-${name}`}
          />
        </div>
      )}
    </div>
  );
}
