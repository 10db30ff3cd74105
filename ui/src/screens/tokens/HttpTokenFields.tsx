/** An HTTP request token's parts: its request (editable only when adding) and the response. */
import type { TokenRequestView } from "../../bindings/TokenRequestView";
import type { TokenTestReport } from "../../bindings/TokenTestReport";
import {
  Button,
  Checkbox,
  ErrorNotice,
  FormSection,
  SelectField,
  TextField,
} from "../../components/kit";
import type { IpcError } from "../../ipc";
import { METHODS, type HttpDraft, type TokenErrors } from "./model";
import { RequestRows } from "./RequestRows";
import { TokenTestResult } from "./TokenTestResult";

type Fields = {
  http: HttpDraft;
  setHttpField: <K extends keyof HttpDraft>(field: K, value: HttpDraft[K]) => void;
  errors: TokenErrors;
};

/** The call to the authentication endpoint that returns a token (a new token's). */
export function RequestSection({
  http,
  setHttpField,
  errors,
  rowErrors,
}: Fields & { rowErrors: TokenErrors }) {
  return (
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
          error={errors.method}
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
          error={errors.url}
        />
      </div>
      <RequestRows
        kind="header"
        title="Headers"
        rows={http.headers}
        onChange={(rows) => setHttpField("headers", rows)}
        errors={rowErrors}
      />
      <RequestRows
        kind="body"
        title="Body fields"
        rows={http.body}
        onChange={(rows) => setHttpField("body", rows)}
        errors={rowErrors}
      />
      <Checkbox
        label="Send as form (application/x-www-form-urlencoded)"
        name="form"
        checked={http.form}
        onCheckedChange={(v) => setHttpField("form", v)}
        hint="Otherwise the body fields are sent as a JSON object."
      />
    </FormSection>
  );
}

/** A saved token's request, which can't change (secret values are never shown). */
export function RequestSummary({ request }: { request: TokenRequestView }) {
  return (
    <FormSection
      title="Request"
      description="The request can’t be edited: to change it, add a new token (and point your actions to it)."
    >
      <dl className="token-request-summary" data-testid="token-request-summary">
        <div>
          <dt>Request</dt>
          <dd className="mono">
            {request.method} {request.url}
          </dd>
        </div>
        <div>
          <dt>Headers</dt>
          <dd className="mono">
            {request.headers.length
              ? request.headers
                  .map((h) => `${h.name}: ${h.secret ? "•••• (stored)" : (h.value ?? "")}`)
                  .join(", ")
              : "—"}
          </dd>
        </div>
        <div>
          <dt>Body</dt>
          <dd className="mono">
            {request.body.length
              ? request.body
                  .map((b) => `${b.key}=${b.secret ? "•••• (stored)" : (b.value ?? "")}`)
                  .join(", ")
              : "—"}
            {request.body.length > 0 && (request.form ? " (form)" : " (JSON)")}
          </dd>
        </div>
      </dl>
    </FormSection>
  );
}

/** Where the token is in the JSON answer, and "Test request" with what came back. */
export function ResponseSection({
  http,
  setHttpField,
  errors,
  adding,
  onTest,
  testing,
  testError,
  tested,
  stale,
}: Fields & {
  adding: boolean;
  onTest: () => void;
  testing: boolean;
  testError: IpcError | null;
  tested: { report: TokenTestReport } | null;
  stale: boolean;
}) {
  return (
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
        error={errors.tokenPath}
      />
      <div className="token-test-row">
        <Button onClick={onTest} busy={testing} data-testid="token-test">
          Test request
        </Button>
        {testing ? (
          <span className="token-kind-help" role="status">
            Requesting a token…
          </span>
        ) : (
          !adding && <span className="token-kind-help">Runs the saved request and token path.</span>
        )}
      </div>
      {testError && (
        <ErrorNotice error={testError} title="The test request failed" testId="token-test-error" />
      )}
      {tested && <TokenTestResult report={tested.report} stale={stale} />}
    </FormSection>
  );
}
