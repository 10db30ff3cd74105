import type { TokenView } from "../../bindings/TokenView";
import { Button, ErrorNotice, Segmented } from "../../components/kit";
import { Dialog } from "../../components/kit/dialogs";
import { DialogForm } from "../../components/layout/DialogForm";
import { RequestSection, RequestSummary, ResponseSection } from "./HttpTokenFields";
import { SendingSection, TokenSection } from "./TokenFields";
import { useTokenDraft } from "./useTokenDraft";

type Props = {
  /** The token to edit, or null to add one. */
  editing: TokenView | null;
  onClose: () => void;
};

/**
 * Add or edit a token. Text tokens hold a value; HTTP request tokens hold the request that
 * fetches one, which must pass "Test request" to be saved (or be saved anyway on purpose).
 * Nothing typed is lost when a step fails.
 */
export function TokenDialog({ editing, onClose }: Props) {
  const { attachForm, ...draft } = useTokenDraft(editing, onClose);
  const { kind, text, http, shared, errors } = draft;

  const busy = draft.saving !== null;
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
          {draft.offerAnyway && (
            <Button
              variant="danger"
              onClick={() => void draft.save(true)}
              busy={draft.saving === "anyway"}
              disabled={busy}
              data-testid="token-save-anyway"
            >
              Save anyway
            </Button>
          )}
          <Button
            variant="primary"
            onClick={() => void draft.save(false)}
            busy={draft.saving === "save"}
            disabled={busy}
            data-testid="token-save"
          >
            Save
          </Button>
        </>
      }
    >
      <DialogForm attach={attachForm} onSubmit={() => void draft.save(false)}>
        <Segmented
          label="Kind"
          name="tokenKind"
          value={kind}
          onChange={draft.switchKind}
          options={[
            { value: "text", label: "Text token", disabled: !draft.adding && kind !== "text" },
            {
              value: "http",
              label: "HTTP request token",
              disabled: !draft.adding && kind !== "http",
            },
          ]}
        />
        <p className="token-kind-help">
          {kind === "text"
            ? "A fixed value, such as an API key or a personal access token."
            : "Fetched from your authentication endpoint, and fetched again when an action gets 401 Unauthorized."}
          {!draft.adding && " The kind can’t change: add a new token instead."}
        </p>

        <TokenSection
          draft={shared}
          setShared={draft.setShared}
          errors={errors}
          adding={draft.adding}
          text={
            kind === "text"
              ? { value: text.value, onChange: (v) => draft.setTextField("value", v) }
              : null
          }
        />
        {kind === "http" && draft.adding && (
          <RequestSection
            http={http}
            setHttpField={draft.setHttpField}
            errors={errors}
            rowErrors={draft.rowErrors}
          />
        )}
        {kind === "http" && !draft.adding && editing?.request && (
          <RequestSummary request={editing.request} />
        )}
        {kind === "http" && (
          <ResponseSection
            http={http}
            setHttpField={draft.setHttpField}
            errors={errors}
            adding={draft.adding}
            onTest={() => void draft.runTest()}
            testing={draft.testing}
            testError={draft.testError}
            tested={draft.tested}
            stale={draft.stale}
          />
        )}
        <SendingSection draft={shared} setShared={draft.setShared} errors={errors} />
      </DialogForm>

      {draft.saveError && (
        <ErrorNotice
          error={draft.saveError}
          title={
            draft.saveError.code === "token_request_failed"
              ? "The token request failed, so nothing was saved"
              : "Couldn’t save the token"
          }
          testId="token-save-error"
        >
          {draft.offerAnyway && (
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
