import type { ActionKind } from "../../bindings/ActionKind";
import {
  Button,
  CloseIcon,
  PlusIcon,
  Segmented,
  SelectField,
  TextArea,
  TextField,
} from "../../components/kit";
import type { Update } from "./useActionForm";
import { headerRow, METHODS, type FieldErrors, type FormState } from "./model";
import { bodyParams } from "./validation";

type Props = {
  state: FormState;
  errors: FieldErrors;
  update: Update;
  isEdit: boolean;
  onKindChange: (kind: ActionKind) => void;
};

const BODY_EXAMPLE = '{"city": "{{city}}", "days": {{days}}}';

/** Kind, URL and (HTTP endpoints) method, headers and body template. */
export function ServerSection({ state, errors, update, isEdit, onKindChange }: Props) {
  const http = state.kind === "http";
  const params = http ? bodyParams(state.body) : [];
  const removeHeader = (i: number) =>
    update(
      { headers: state.headers.filter((_, j) => j !== i) },
      "headers",
      ...state.headers.flatMap((_, j) => [`header-name-${j}`, `header-value-${j}`] as const),
    );
  const setHeader = (i: number, patch: { name?: string; value?: string }) =>
    update(
      { headers: state.headers.map((h, j) => (j === i ? { ...h, ...patch } : h)) },
      "headers",
      patch.name !== undefined ? `header-name-${i}` : `header-value-${i}`,
    );

  return (
    <>
      <div className="action-form__field">
        <Segmented
          label="Kind"
          name="kind"
          value={state.kind}
          onChange={(v) => onKindChange(v as ActionKind)}
          options={[
            { value: "mcp", label: "Remote MCP server", disabled: isEdit },
            { value: "http", label: "HTTP endpoint", disabled: isEdit },
          ]}
        />
        <p className="field__hint">
          {isEdit
            ? "An action’s kind can’t change: add a new action for the other kind."
            : "An MCP server offers tools to your agents; an HTTP endpoint is one request they can make."}
        </p>
        {errors.kind && <p className="field__error">{errors.kind}</p>}
      </div>
      <TextField
        label={http ? "HTTP endpoint URL" : "Remote MCP server URL"}
        name="url"
        type="url"
        value={state.url}
        onChange={(v) => update({ url: v }, "url")}
        required
        mono
        autoComplete="off"
        placeholder={http ? "https://api.example.com/v1/forecast" : "https://mcp.example.com/mcp"}
        hint="https://, or http:// on this computer (127.0.0.1, localhost)."
        error={errors.url}
      />
      {http && (
        <>
          <SelectField
            label="Method"
            name="method"
            value={state.method}
            onChange={(v) => update({ method: v }, "method", "body")}
            options={METHODS.map((m) => ({ value: m, label: m }))}
            error={errors.method}
          />
          <fieldset className="action-form__headers">
            <legend className="field__label">Headers</legend>
            {state.headers.length === 0 && (
              <p className="field__hint">
                No fixed headers. The credential is added from Authentication.
              </p>
            )}
            {state.headers.map((h, i) => (
              <div className="action-form__header-row" key={h.key} data-testid="header-row">
                <TextField
                  label={`Header ${i + 1} name`}
                  name={`header-name-${i}`}
                  value={h.name}
                  onChange={(v) => setHeader(i, { name: v })}
                  mono
                  autoComplete="off"
                  placeholder="Accept"
                  error={errors[`header-name-${i}`]}
                />
                <TextField
                  label={`Header ${i + 1} value`}
                  name={`header-value-${i}`}
                  value={h.value}
                  onChange={(v) => setHeader(i, { value: v })}
                  mono
                  autoComplete="off"
                  placeholder="application/json"
                  error={errors[`header-value-${i}`]}
                />
                <Button
                  variant="ghost"
                  size="sm"
                  className="action-form__remove"
                  aria-label={`Remove header ${i + 1}${h.name.trim() ? ` (${h.name.trim()})` : ""}`}
                  onClick={() => removeHeader(i)}
                  data-testid={`remove-header-${i}`}
                >
                  <CloseIcon />
                </Button>
              </div>
            ))}
            {errors.headers && <p className="field__error">{errors.headers}</p>}
            <div>
              <Button
                size="sm"
                onClick={() => update({ headers: [...state.headers, headerRow()] })}
                data-testid="add-header"
              >
                <PlusIcon />
                Add header
              </Button>
            </div>
          </fieldset>
          <TextArea
            label="Body"
            name="body"
            value={state.body}
            onChange={(v) => update({ body: v }, "body")}
            rows={5}
            mono
            placeholder={state.method === "GET" ? "GET requests have no body" : BODY_EXAMPLE}
            hint={
              <>
                A JSON template; {"{{param}}"} placeholders are filled from the agent’s arguments.
                {state.method === "GET" && " A GET request cannot have a body."}
                {params.length > 0 && ` Parameters: ${params.join(", ")}.`}
              </>
            }
            error={errors.body}
          />
        </>
      )}
    </>
  );
}
