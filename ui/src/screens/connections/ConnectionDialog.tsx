import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import type { ConnectionView } from "../../bindings/ConnectionView";
import {
  Button,
  Checkbox,
  CopyField,
  ErrorNotice,
  FormSection,
  SecretField,
  SelectField,
  TextField,
  toast,
} from "../../components/kit";
import { Dialog } from "../../components/kit/dialogs";
import { queryKeys } from "../../data/keys";
import { saveConnection, toIpcError, type IpcError } from "../../ipc";
import { DialogForm } from "../../components/layout/DialogForm";
import { useFormState } from "../../lib/useFormState";
import { CLIENT_CREDENTIALS_HINT, GRANT_OPTIONS } from "../../lib/grants";
import type { OAuthGrant } from "../../bindings/OAuthGrant";
import { SignInPanel } from "./SignInPanel";
import { useSignIn } from "./useSignIn";
import {
  AUTH_METHOD_OPTIONS,
  draftFromConnection,
  emptyConnectionDraft,
  fieldOfError,
  toConnectionForm,
  validateConnection,
  type AuthMethodChoice,
  type ConnectionDraft,
  type ConnectionField,
} from "./model";

type Props = {
  /** The connection to edit, or null to add one. */
  editing: ConnectionView | null;
  onClose: () => void;
};

const FIELD_ORDER: ConnectionField[] = [
  "name",
  "provider",
  "clientId",
  "clientSecret",
  "tokenAuthMethod",
  "grant",
  "authorizationUrl",
  "tokenUrl",
  "revocationUrl",
  "registrationUrl",
  "scopes",
];

/**
 * Add or edit an OAuth connection. "Save and authorize" saves, then signs in in the
 * browser and reports inside the dialog. Nothing typed is lost when a step fails.
 */
export function ConnectionDialog({ editing, onClose }: Props) {
  const queryClient = useQueryClient();
  // The stored connection this dialog edits (set once the first save succeeded).
  const [stored, setStored] = useState<ConnectionView | null>(editing);
  const { attachForm, ...form } = useFormState<ConnectionDraft, ConnectionField>({
    initial: () => (editing ? draftFromConnection(editing) : emptyConnectionDraft()),
    validate: (d) => validateConnection(d, stored),
    showProblems: "touch",
    firstField: (errors) => FIELD_ORDER.find((f) => errors[f] !== undefined),
  });
  const { values: draft, set, errors } = form;
  const [saveError, setSaveError] = useState<IpcError | null>(null);
  const [saving, setSaving] = useState<null | "save" | "authorize">(null);
  const signIn = useSignIn();

  async function save(authorize: boolean) {
    setSaveError(null);
    if (!form.attempt()) return;
    setSaving(authorize ? "authorize" : "save");
    let saved: ConnectionView;
    try {
      saved = await saveConnection(stored?.name ?? null, toConnectionForm(draft));
    } catch (e) {
      const error = toIpcError(e);
      const field = fieldOfError(error);
      if (field) form.fail(field, error.message);
      else setSaveError(error);
      return;
    } finally {
      setSaving(null);
    }
    // The secret is stored now: never keep it on screen.
    setStored(saved);
    form.setValues((d) => ({ ...d, clientSecret: "", clearClientSecret: false }));
    void queryClient.invalidateQueries({ queryKey: queryKeys.connections });
    if (!authorize) {
      toast({ title: `Saved ${saved.name}`, tone: "success" });
      onClose();
      return;
    }
    await signIn.start(saved.name);
  }

  function close() {
    if (signIn.state.phase === "waiting") void signIn.cancel();
    onClose();
  }

  const phase = signIn.state.phase;
  const busy = saving !== null || phase === "waiting";
  const secretPlaceholder = stored?.clientSecretSet
    ? "Stored — leave empty to keep"
    : "Leave empty for a public PKCE client";

  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open) close();
      }}
      title={editing ? `Edit ${editing.name}` : "Add connection"}
      description="An OAuth app you registered with a provider. Set it up once, then use it from any action."
      testId="connection-dialog"
      wide
      footer={
        phase === "connected" ? (
          <Button variant="primary" onClick={onClose} data-testid="connection-done">
            Done
          </Button>
        ) : (
          <>
            <Button onClick={close}>Cancel</Button>
            <Button
              onClick={() => void save(false)}
              busy={saving === "save"}
              disabled={busy}
              data-testid="connection-save"
            >
              Save
            </Button>
            <Button
              variant="primary"
              onClick={() => void save(true)}
              busy={saving === "authorize"}
              disabled={busy}
              data-testid="connection-save-authorize"
            >
              Save and authorize
            </Button>
          </>
        )
      }
    >
      <DialogForm attach={attachForm} onSubmit={() => void save(false)}>
        <FormSection title="Connection">
          <div className="conn-form__grid">
            <TextField
              label="Connection name"
              {...form.bind("name")}
              required
              mono
              placeholder="hubspot-sales"
              hint="Actions refer to it by this name."
              autoComplete="off"
            />
            <TextField
              label="Provider"
              {...form.bind("provider")}
              required
              placeholder="HubSpot"
              hint="The service it signs in to. Several connections per provider are fine."
              autoComplete="off"
            />
          </div>
        </FormSection>

        <FormSection
          title="OAuth app"
          description="From the app you created in the provider’s developer settings."
        >
          <div className="conn-form__grid">
            <TextField
              label="Client ID"
              {...form.bind("clientId")}
              required
              mono
              autoComplete="off"
            />
            <SecretField
              label="Client secret"
              {...form.bind("clientSecret")}
              placeholder={secretPlaceholder}
              disabled={draft.clearClientSecret}
            />
          </div>
          {stored?.clientSecretSet && (
            <Checkbox
              label="Remove the stored client secret"
              name="clearClientSecret"
              checked={draft.clearClientSecret}
              onCheckedChange={(v) => set("clearClientSecret", v)}
              hint="Makes this a public PKCE client."
            />
          )}
          <SelectField
            label="Token auth method"
            name="tokenAuthMethod"
            value={draft.tokenAuthMethod}
            onChange={(v) => set("tokenAuthMethod", v as AuthMethodChoice)}
            options={AUTH_METHOD_OPTIONS}
            hint="How Patchbay proves it is your app at the token URL. The provider’s docs say which one."
            error={errors.tokenAuthMethod}
          />
          <SelectField
            label="Grant"
            name="grant"
            value={draft.grant}
            onChange={(v) => set("grant", v as OAuthGrant)}
            options={GRANT_OPTIONS}
            hint={draft.grant === "client-credentials" ? CLIENT_CREDENTIALS_HINT : undefined}
            error={errors.grant}
          />
          {stored?.publicJwk && (
            <CopyField
              label="Public key (JWK): register it with the provider"
              value={JSON.stringify(stored.publicJwk)}
              testId="connection-public-jwk"
            />
          )}
        </FormSection>

        <FormSection title="Endpoints" description="HTTPS URLs from the provider’s OAuth 2.0 docs.">
          <TextField
            label="Authorization URL"
            {...form.bind("authorizationUrl")}
            required
            mono
            type="url"
            placeholder="https://provider.example/oauth/authorize"
            hint="Where you grant access in the browser."
          />
          <TextField
            label="Token URL"
            {...form.bind("tokenUrl")}
            required
            mono
            type="url"
            placeholder="https://provider.example/oauth/token"
            hint="Where the authorization code is exchanged for tokens."
          />
          <div className="conn-form__grid">
            <TextField
              label="Revocation URL"
              {...form.bind("revocationUrl")}
              mono
              type="url"
              hint="Optional: tokens are revoked here when you disconnect."
            />
            <TextField
              label="Registration URL"
              {...form.bind("registrationUrl")}
              mono
              type="url"
              hint="Optional: dynamic client registration (RFC 7591)."
            />
          </div>
        </FormSection>

        <FormSection title="Access" description="What the connection may do at the provider.">
          <TextField
            label="Scopes"
            {...form.bind("scopes")}
            mono
            placeholder="crm.objects.contacts.read oauth"
            hint="Space or comma separated, from the provider’s docs. Ask only for what you need."
          />
        </FormSection>
      </DialogForm>

      {saveError && (
        <ErrorNotice
          error={saveError}
          title="Couldn’t save the connection"
          testId="connection-save-error"
        />
      )}
      {phase !== "idle" && (
        <SignInPanel
          state={signIn.state}
          onCancel={() => void signIn.cancel()}
          onRetry={() => stored && void signIn.start(stored.name)}
        />
      )}
    </Dialog>
  );
}
