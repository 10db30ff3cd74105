import { useCallback, useState } from "react";

import type { ActionView } from "../../bindings/ActionView";
import type { GatewayTool } from "../../bindings/GatewayTool";
import type { NewGatewayKey } from "../../bindings/NewGatewayKey";
import {
  Button,
  Checkbox,
  Dialog,
  ErrorNotice,
  LoadingRow,
  Segmented,
  TextField,
} from "../../components/kit";
import { DialogForm } from "../../components/layout/DialogForm";
import { useActions } from "../../data/queries";
import { gatewayTools, toIpcError, type IpcError } from "../../ipc";
import { useFormState } from "../../lib/useFormState";
import { useAddGatewayKey } from "./data";
import {
  draftProblems,
  emptyDraft,
  type Expiry,
  type KeyDraft,
  type KeyField,
  keyFieldOfError,
  type ToolLimit,
  toKeyForm,
} from "./model";

type Props = {
  onClose: () => void;
  /** The key was made: the caller shows it, once. */
  onCreated: (key: NewGatewayKey) => void;
};

const EXPIRIES: { value: Expiry; label: string }[] = [
  { value: "never", label: "Never" },
  { value: "30d", label: "30 days" },
  { value: "90d", label: "90 days" },
  { value: "custom", label: "Custom" },
];

/** Where the focus goes for a field's problem. */
const SELECTORS: Record<KeyField, string> = {
  name: '[name="name"]',
  auth: '[name="allActions"]',
  tools: "[data-tool-limits] input",
  expires: '[name="expires"], [name="expiry"]',
};

/** Create an access key: a name, what it opens (actions, optionally some tools), how long. */
export function KeyDialog({ onClose, onCreated }: Props) {
  const actions = useActions();
  const list = actions.data ?? [];
  const add = useAddGatewayKey();
  const [saveError, setSaveError] = useState<IpcError | null>(null);
  const tools = useToolLists();
  const form = useFormState<KeyDraft, KeyField>({
    initial: emptyDraft,
    validate: (d) => draftProblems(d, list),
    showProblems: "submit",
    selector: (key) => SELECTORS[key],
  });
  const d = form.values;
  const { errors } = form;

  function submit() {
    setSaveError(null);
    if (!form.attempt()) return;
    add.mutate(toKeyForm(d, list), {
      onSuccess: (k) => onCreated(k),
      onError: (e) => {
        const error = toIpcError(e);
        const field = keyFieldOfError(error);
        if (field) form.fail(field, error.message);
        else setSaveError(error);
      },
    });
  }

  function pick(name: string, on: boolean) {
    const picked = on ? [...d.actions, name] : d.actions.filter((a) => a !== name);
    form.update({ actions: picked }, "auth");
  }

  function setLimit(name: string, limit: ToolLimit | undefined) {
    const limits = { ...d.limits };
    if (limit) limits[name] = limit;
    else delete limits[name];
    form.update({ limits }, "tools", "auth");
  }

  const mcp = list.filter((a) => a.kind === "mcp" && (d.all || d.actions.includes(a.name)));

  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open && !add.isPending) onClose();
      }}
      title="Create access key"
      description="A bearer key for one MCP client. It is shown once; Patchbay keeps only its hash."
      testId="gateway-key-dialog"
      wide
      footer={
        <>
          <Button onClick={onClose} disabled={add.isPending}>
            Cancel
          </Button>
          <Button
            variant="primary"
            onClick={submit}
            busy={add.isPending}
            data-testid="gateway-key-save"
          >
            Create key
          </Button>
        </>
      }
    >
      <DialogForm attach={form.attachForm} onSubmit={submit}>
        <TextField
          {...form.bind("name")}
          label="Name"
          hint="Who uses it, e.g. codex or ci-laptop. Letters, digits, '-', '_' and '.'."
          required
          mono
          autoComplete="off"
          testId="gateway-key-name"
        />

        <fieldset className="key-form__group" aria-describedby="key-actions-error">
          <legend className="field__label">Opens</legend>
          <Checkbox
            label="Every action, present and future"
            name="allActions"
            checked={d.all}
            onCheckedChange={(on) => form.update({ all: on }, "auth", "tools")}
            hint="Actions you add later are opened too."
            testId="gateway-key-all"
          />
          {!d.all && (
            <ActionPicker
              actions={list}
              loading={actions.isPending}
              picked={d.actions}
              onPick={pick}
            />
          )}
          {errors.auth && (
            <p className="field__error" id="key-actions-error" role="alert">
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
                action={a}
                limit={d.limits[a.name]}
                onChange={(l) => setLimit(a.name, l)}
                list={tools.lists[a.name]}
                onLoad={() => tools.load(a.name)}
              />
            ))}
            {errors.tools && (
              <p className="field__error" role="alert" data-testid="gateway-key-tools-error">
                {errors.tools}
              </p>
            )}
          </fieldset>
        )}

        <div className="key-form__group">
          <Segmented
            label="Expires"
            name="expiry"
            value={d.expiry}
            onChange={(v) => form.update({ expiry: v as Expiry }, "expires")}
            options={EXPIRIES}
            testIdPrefix="gateway-key-expiry"
          />
          {d.expiry === "custom" ? (
            <TextField
              name="expires"
              value={d.custom}
              onChange={(v) => form.update({ custom: v }, "expires")}
              error={errors.expires}
              label="Works for"
              placeholder="e.g. 12h, 7d, 6 weeks"
              hint="A number and a unit, as patchbay gateway key add --expires takes it."
              mono
              testId="gateway-key-expires"
            />
          ) : (
            <>
              <p className="field__hint">
                {d.expiry === "never"
                  ? "The key works until you revoke it."
                  : `The key stops working ${d.expiry === "30d" ? "30" : "90"} days from now.`}
              </p>
              {errors.expires && (
                <p className="field__error" role="alert">
                  {errors.expires}
                </p>
              )}
            </>
          )}
        </div>
      </DialogForm>

      {saveError && (
        <ErrorNotice
          error={saveError}
          title="Couldn’t create the key"
          testId="gateway-key-save-error"
        />
      )}
    </Dialog>
  );
}

function ActionPicker({
  actions,
  loading,
  picked,
  onPick,
}: {
  actions: ActionView[];
  loading: boolean;
  picked: string[];
  onPick: (name: string, on: boolean) => void;
}) {
  if (loading) return <LoadingRow>Loading actions…</LoadingRow>;
  if (actions.length === 0) {
    return (
      <p className="field__hint" data-testid="gateway-key-no-actions">
        No actions yet. A key for every action also opens the ones you add later.
      </p>
    );
  }
  return (
    <div className="key-form__actions" data-testid="gateway-key-actions">
      {actions.map((a) => (
        <Checkbox
          key={a.id}
          label={a.name}
          name="keyActions"
          checked={picked.includes(a.name)}
          onCheckedChange={(on) => onPick(a.name, on)}
          hint={`${a.kind === "mcp" ? "MCP server" : "HTTP endpoint"}${a.enabled ? "" : " · disabled: not served until enabled"}`}
          testId={`gateway-key-action-${a.name}`}
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
  action,
  limit,
  onChange,
  list,
  onLoad,
}: {
  action: ActionView;
  limit: ToolLimit | undefined;
  onChange: (limit: ToolLimit | undefined) => void;
  list: ToolList | undefined;
  onLoad: () => void;
}) {
  const name = action.name;
  return (
    <div className="key-form__limit" data-testid={`gateway-key-limit-${name}`}>
      <Checkbox
        label={`Limit ${name} to some tools`}
        name={`limit-${name}`}
        checked={limit !== undefined}
        onCheckedChange={(on) => {
          onChange(on ? { picked: [], typed: "" } : undefined);
          if (on && list?.phase !== "done") onLoad();
        }}
        testId={`gateway-key-limit-${name}-on`}
      />
      {limit && (
        <div className="key-form__tools">
          {list?.phase === "loading" && <LoadingRow>Asking {name} for its tools…</LoadingRow>}
          {list?.phase === "failed" && (
            <ErrorNotice
              error={list.error}
              title={`Couldn’t list the tools of ${name}`}
              advice="Type the tool names below, or try again."
              testId={`gateway-key-tools-failed-${name}`}
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
              <div className="key-form__tool-list" data-testid={`gateway-key-tools-${name}`}>
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
                    testId={`gateway-key-tool-${name}-${t.name}`}
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
            testId={`gateway-key-typed-${name}`}
          />
        </div>
      )}
    </div>
  );
}
