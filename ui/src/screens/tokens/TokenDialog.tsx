import { useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";

import type { HttpTokenForm } from "../../bindings/HttpTokenForm";
import type { TokenTestReport } from "../../bindings/TokenTestReport";
import type { TokenView } from "../../bindings/TokenView";
import {
  Button,
  Checkbox,
  Dialog,
  ErrorNotice,
  FormSection,
  SecretField,
  Segmented,
  SelectField,
  TextField,
  toast,
} from "../../components/kit";
import {
  addHttpToken,
  editHttpToken,
  saveTextToken,
  testHttpTokenForm,
  testToken,
  toIpcError,
  type IpcError,
} from "../../ipc";
import { tokenKeys } from "./data";
import {
  describeReport,
  emptyHttpDraft,
  emptyTextDraft,
  headerPreview,
  httpDraftFromView,
  METHODS,
  requestErrors,
  textDraftFromView,
  toHttpForm,
  tokenFieldOfError,
  toTextForm,
  validateHttp,
  validateText,
  type HttpDraft,
  type TextDraft,
  type TokenErrors,
  type TokenKindChoice,
} from "./model";
import { RequestRows } from "./RequestRows";
import { TokenTestResult } from "./TokenTestResult";

type Props = {
  /** The token to edit, or null to add one. */
  editing: TokenView | null;
  onClose: () => void;
};

type Tested = { report: TokenTestReport; fingerprint: string };

/** What makes two test runs the same request (the token's name and header don't matter). */
function fingerprint(form: HttpTokenForm): string {
  return JSON.stringify([
    form.method,
    form.url,
    form.headers,
    form.body,
    form.form,
    form.tokenPath,
  ]);
}

const FIELD_ORDER = ["name", "value", "url", "tokenPath", "headerName", "prefix"];

/**
 * Add or edit a token. Text tokens hold a value; HTTP request tokens hold the request that
 * fetches one, which must pass "Test request" to be saved (or be saved anyway on purpose).
 * Nothing typed is lost when a step fails.
 */
export function TokenDialog({ editing, onClose }: Props) {
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<TokenKindChoice>(
    editing?.kind === "http-request" ? "http" : "text",
  );
  const [text, setText] = useState<TextDraft>(() =>
    editing?.kind === "text" ? textDraftFromView(editing) : emptyTextDraft(),
  );
  const [http, setHttp] = useState<HttpDraft>(() =>
    editing?.kind === "http-request" ? httpDraftFromView(editing) : emptyHttpDraft(),
  );
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [showAll, setShowAll] = useState(false);
  const [serverErrors, setServerErrors] = useState<TokenErrors>({});
  const [saveError, setSaveError] = useState<IpcError | null>(null);
  const [saving, setSaving] = useState<null | "save" | "anyway">(null);
  const [tested, setTested] = useState<Tested | null>(null);
  const [testing, setTesting] = useState(false);
  const [testError, setTestError] = useState<IpcError | null>(null);
  const formRef = useRef<HTMLFormElement>(null);

  const adding = editing === null;
  const problems: TokenErrors =
    kind === "text" ? validateText(text, adding) : validateHttp(http, !adding);
  const errorOf = (f: string): string | undefined =>
    serverErrors[f] ?? (showAll || touched[f] ? problems[f] : undefined);
  const httpForm = toHttpForm(http);
  const stale = tested !== null && tested.fingerprint !== fingerprint(httpForm);
  const offerAnyway =
    adding &&
    kind === "http" &&
    (saveError?.code === "token_request_failed" ||
      (tested !== null && !tested.report.ok && !stale));

  function touch(field: string) {
    setTouched((t) => ({ ...t, [field]: true }));
    setServerErrors((e) => {
      if (!(field in e)) return e;
      const next = { ...e };
      delete next[field];
      return next;
    });
  }

  function setTextField<K extends keyof TextDraft>(field: K, value: TextDraft[K]) {
    setText((d) => ({ ...d, [field]: value }));
    touch(field);
  }

  function setHttpField<K extends keyof HttpDraft>(field: K, value: HttpDraft[K]) {
    setHttp((d) => ({ ...d, [field]: value }));
    touch(field);
  }

  function switchKind(next: string) {
    const k = next === "http" ? "http" : "text";
    // Name and description carry over.
    if (k === "http") setHttp((d) => ({ ...d, name: text.name, description: text.description }));
    else setText((d) => ({ ...d, name: http.name, description: http.description }));
    setKind(k);
    setSaveError(null);
    setServerErrors({});
  }

  /** Shows every problem and focuses the first; true when there is none. */
  function checkAll(errors: TokenErrors): boolean {
    setShowAll(true);
    const keys = Object.keys(errors);
    if (keys.length === 0) return true;
    const first =
      FIELD_ORDER.find((f) => keys.includes(f)) ?? keys.sort((a, b) => a.localeCompare(b))[0]!;
    formRef.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
    return false;
  }

  function failed(e: unknown) {
    const error = toIpcError(e);
    const field = tokenFieldOfError(error);
    if (field && error.code !== "token_request_failed") {
      setServerErrors({ [field]: error.message });
      formRef.current?.querySelector<HTMLElement>(`[name="${field}"]`)?.focus();
    } else {
      setSaveError(error);
    }
  }

  async function runTest() {
    setTestError(null);
    if (adding) {
      if (!checkAll(requestErrors(problems))) return;
      const form = toHttpForm(http);
      setTesting(true);
      try {
        const report = await testHttpTokenForm(form);
        setTested({ report, fingerprint: fingerprint(form) });
      } catch (e) {
        setTestError(toIpcError(e));
      } finally {
        setTesting(false);
      }
      return;
    }
    if (!editing) return;
    setTesting(true);
    try {
      const report = await testToken(editing.name);
      setTested({ report, fingerprint: fingerprint(httpForm) });
    } catch (e) {
      setTestError(toIpcError(e));
    } finally {
      setTesting(false);
    }
  }

  function saved(name: string, description?: string) {
    void queryClient.invalidateQueries({ queryKey: tokenKeys.list });
    toast({ title: `Saved ${name}`, description, tone: "success" });
    onClose();
  }

  async function save(anyway: boolean) {
    setSaveError(null);
    if (!checkAll(problems)) return;
    setSaving(anyway ? "anyway" : "save");
    try {
      if (kind === "text") {
        const token = await saveTextToken(editing?.name ?? null, toTextForm(text));
        saved(token.name);
      } else if (editing) {
        const token = await editHttpToken(editing.name, httpForm);
        saved(token.name);
      } else {
        const result = await addHttpToken(httpForm, anyway);
        saved(
          result.token.name,
          result.report
            ? describeReport(result.report).lines.join(" ")
            : "Saved without a passing test: check it with Test request.",
        );
      }
    } catch (e) {
      failed(e);
    } finally {
      setSaving(null);
    }
  }

  const busy = saving !== null;
  const title = editing ? `Edit ${editing.name}` : "Add token";

  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      title={title}
      description="Tokens are credentials your actions send in a request header. Values are kept in the system keychain and never shown again."
      testId="token-dialog"
      wide
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          {offerAnyway && (
            <Button
              variant="danger"
              onClick={() => void save(true)}
              busy={saving === "anyway"}
              disabled={busy}
              data-testid="token-save-anyway"
            >
              Save anyway
            </Button>
          )}
          <Button
            variant="primary"
            onClick={() => void save(false)}
            busy={saving === "save"}
            disabled={busy}
            data-testid="token-save"
          >
            Save
          </Button>
        </>
      }
    >
      <form
        ref={formRef}
        className="conn-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save(false);
        }}
      >
        <Segmented
          label="Kind"
          name="tokenKind"
          value={kind}
          onChange={switchKind}
          options={[
            { value: "text", label: "Text token", disabled: !adding && kind !== "text" },
            { value: "http", label: "HTTP request token", disabled: !adding && kind !== "http" },
          ]}
        />
        <p className="token-kind-help">
          {kind === "text"
            ? "A fixed value, such as an API key or a personal access token."
            : "Fetched from your authentication endpoint, and fetched again when an action gets 401 Unauthorized."}
          {!adding && " The kind can’t change: add a new token instead."}
        </p>

        <FormSection title="Token">
          <div className="conn-form__grid">
            <TextField
              label="Name"
              name="name"
              value={kind === "text" ? text.name : http.name}
              onChange={(v) =>
                kind === "text" ? setTextField("name", v) : setHttpField("name", v)
              }
              required
              mono
              placeholder={kind === "text" ? "GITHUB_PAT" : "CRM_TOKEN"}
              hint="Actions refer to it by this name."
              error={errorOf("name")}
              autoComplete="off"
            />
            <TextField
              label="Description"
              name="description"
              value={kind === "text" ? text.description : http.description}
              onChange={(v) =>
                kind === "text" ? setTextField("description", v) : setHttpField("description", v)
              }
              placeholder="What it is for, where it comes from"
              autoComplete="off"
            />
          </div>
          {kind === "text" && (
            <SecretField
              label="Value"
              name="value"
              value={text.value}
              onChange={(v) => setTextField("value", v)}
              required={adding}
              placeholder={editing ? "Stored — leave empty to keep" : "Paste the token"}
              error={errorOf("value")}
            />
          )}
        </FormSection>

        {kind === "http" && adding && (
          <FormSection
            title="Request"
            description="The call to your authentication endpoint that returns a token."
          >
            <div className="token-request-line">
              <SelectField
                label="Method"
                name="method"
                value={http.method}
                onChange={(v) => setHttpField("method", v)}
                options={METHODS.map((m) => ({ value: m, label: m }))}
              />
              <TextField
                label="URL"
                name="url"
                value={http.url}
                onChange={(v) => setHttpField("url", v)}
                required
                mono
                type="url"
                placeholder="https://auth.example.com/token"
                error={errorOf("url")}
              />
            </div>
            <RequestRows
              kind="header"
              title="Headers"
              rows={http.headers}
              onChange={(rows) => setHttpField("headers", rows)}
              errors={showAll ? problems : {}}
            />
            <RequestRows
              kind="body"
              title="Body fields"
              rows={http.body}
              onChange={(rows) => setHttpField("body", rows)}
              errors={showAll ? problems : {}}
            />
            <Checkbox
              label="Send as form (application/x-www-form-urlencoded)"
              name="form"
              checked={http.form}
              onCheckedChange={(v) => setHttpField("form", v)}
              hint="Otherwise the body fields are sent as a JSON object."
            />
          </FormSection>
        )}

        {kind === "http" && !adding && editing?.request && (
          <FormSection
            title="Request"
            description="The request can’t be edited: to change it, add a new token (and point your actions to it)."
          >
            <dl className="token-request-summary" data-testid="token-request-summary">
              <div>
                <dt>Request</dt>
                <dd className="mono">
                  {editing.request.method} {editing.request.url}
                </dd>
              </div>
              <div>
                <dt>Headers</dt>
                <dd className="mono">
                  {editing.request.headers.length
                    ? editing.request.headers
                        .map((h) => `${h.name}: ${h.secret ? "•••• (stored)" : (h.value ?? "")}`)
                        .join(", ")
                    : "—"}
                </dd>
              </div>
              <div>
                <dt>Body</dt>
                <dd className="mono">
                  {editing.request.body.length
                    ? editing.request.body
                        .map((b) => `${b.key}=${b.secret ? "•••• (stored)" : (b.value ?? "")}`)
                        .join(", ")
                    : "—"}
                  {editing.request.body.length > 0 &&
                    (editing.request.form ? " (form)" : " (JSON)")}
                </dd>
              </div>
            </dl>
          </FormSection>
        )}

        {kind === "http" && (
          <FormSection
            title="Response"
            description="Where the token is in the JSON answer. Test the request to see it."
          >
            <TextField
              label="Token path"
              name="tokenPath"
              value={http.tokenPath}
              onChange={(v) => setHttpField("tokenPath", v)}
              required
              mono
              placeholder="$.access_token"
              hint="A JSONPath such as $.access_token or $.data.token."
              error={errorOf("tokenPath")}
            />
            <div className="token-test-row">
              <Button onClick={() => void runTest()} busy={testing} data-testid="token-test">
                Test request
              </Button>
              {testing ? (
                <span className="token-kind-help" role="status">
                  Requesting a token…
                </span>
              ) : (
                !adding && (
                  <span className="token-kind-help">Runs the saved request and token path.</span>
                )
              )}
            </div>
            {testError && (
              <ErrorNotice
                error={testError}
                title="The test request failed"
                testId="token-test-error"
              />
            )}
            {tested && <TokenTestResult report={tested.report} stale={stale} />}
          </FormSection>
        )}

        <FormSection title="Sending it" description="The header your actions send the token in.">
          <div className="conn-form__grid">
            <TextField
              label="Header name"
              name="headerName"
              value={kind === "text" ? text.headerName : http.headerName}
              onChange={(v) =>
                kind === "text" ? setTextField("headerName", v) : setHttpField("headerName", v)
              }
              mono
              placeholder="Authorization"
              error={errorOf("headerName")}
              autoComplete="off"
            />
            <TextField
              label="Prefix"
              name="prefix"
              value={kind === "text" ? text.prefix : http.prefix}
              onChange={(v) =>
                kind === "text" ? setTextField("prefix", v) : setHttpField("prefix", v)
              }
              mono
              placeholder="Bearer"
              hint="Leave empty to send the token alone."
              error={errorOf("prefix")}
              autoComplete="off"
            />
          </div>
          <p className="token-preview" data-testid="token-header-preview">
            Sent as{" "}
            <code>
              {headerPreview({
                headerName:
                  (kind === "text" ? text.headerName : http.headerName).trim() || "Authorization",
                prefix: kind === "text" ? text.prefix : http.prefix,
              })}
            </code>
          </p>
        </FormSection>
        <button type="submit" hidden tabIndex={-1} />
      </form>

      {saveError && (
        <ErrorNotice
          error={saveError}
          title={
            saveError.code === "token_request_failed"
              ? "The token request failed, so nothing was saved"
              : "Couldn’t save the token"
          }
          testId="token-save-error"
        >
          {offerAnyway && (
            <span className="token-kind-help">
              Test request shows what the endpoint answered. Fix the request and save again, or use
              Save anyway to keep it as it is.
            </span>
          )}
        </ErrorNotice>
      )}
    </Dialog>
  );
}
