import { useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";

import type { ConnectionView } from "../../bindings/ConnectionView";
import {
  Badge,
  Button,
  Checkbox,
  Dialog,
  ErrorNotice,
  FormSection,
  SecretField,
  SelectField,
  Spinner,
  TextField,
  toast,
} from "../../components/kit";
import { saveConnection, toIpcError, type IpcError } from "../../ipc";
import { connectionKeys, useSignIn } from "./data";
import {
  AUTH_METHOD_OPTIONS,
  draftFromConnection,
  emptyConnectionDraft,
  fieldOfError,
  toConnectionForm,
  validateConnection,
  type AuthMethodChoice,
  type ConnectionDraft,
  type ConnectionErrors,
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
  const [draft, setDraft] = useState<ConnectionDraft>(() =>
    editing ? draftFromConnection(editing) : emptyConnectionDraft(),
  );
  // The stored connection this dialog edits (set once the first save succeeded).
  const [stored, setStored] = useState<ConnectionView | null>(editing);
  const [touched, setTouched] = useState<Partial<Record<ConnectionField, boolean>>>({});
  const [showAll, setShowAll] = useState(false);
  const [serverErrors, setServerErrors] = useState<ConnectionErrors>({});
  const [saveError, setSaveError] = useState<IpcError | null>(null);
  const [saving, setSaving] = useState<null | "save" | "authorize">(null);
  const signIn = useSignIn();
  const formRef = useRef<HTMLFormElement>(null);

  const problems = validateConnection(draft, stored);
  const errorOf = (f: ConnectionField): string | undefined =>
    serverErrors[f] ?? (showAll || touched[f] ? problems[f] : undefined);

  function set<K extends ConnectionField>(field: K, value: ConnectionDraft[K]) {
    setDraft((d) => ({ ...d, [field]: value }));
    setTouched((t) => ({ ...t, [field]: true }));
    setServerErrors((e) => {
      if (!(field in e)) return e;
      const next = { ...e };
      delete next[field];
      return next;
    });
  }

  function focusField(field: ConnectionField) {
    formRef.current?.querySelector<HTMLElement>(`[name="${field}"]`)?.focus();
  }

  async function save(authorize: boolean) {
    setShowAll(true);
    setSaveError(null);
    const first = FIELD_ORDER.find((f) => problems[f] !== undefined);
    if (first) {
      focusField(first);
      return;
    }
    setSaving(authorize ? "authorize" : "save");
    let saved: ConnectionView;
    try {
      saved = await saveConnection(stored?.name ?? null, toConnectionForm(draft));
    } catch (e) {
      const error = toIpcError(e);
      const field = fieldOfError(error);
      if (field) {
        setServerErrors({ [field]: error.message });
        focusField(field);
      } else {
        setSaveError(error);
      }
      return;
    } finally {
      setSaving(null);
    }
    // The secret is stored now: never keep it on screen.
    setStored(saved);
    setDraft((d) => ({ ...d, clientSecret: "", clearClientSecret: false }));
    setTouched({});
    void queryClient.invalidateQueries({ queryKey: connectionKeys.list });
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
      <form
        ref={formRef}
        className="conn-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save(false);
        }}
      >
        <FormSection title="Connection">
          <div className="conn-form__grid">
            <TextField
              label="Connection name"
              name="name"
              value={draft.name}
              onChange={(v) => set("name", v)}
              required
              mono
              placeholder="hubspot-sales"
              hint="Actions refer to it by this name."
              error={errorOf("name")}
              autoComplete="off"
            />
            <TextField
              label="Provider"
              name="provider"
              value={draft.provider}
              onChange={(v) => set("provider", v)}
              required
              placeholder="HubSpot"
              hint="The service it signs in to. Several connections per provider are fine."
              error={errorOf("provider")}
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
              name="clientId"
              value={draft.clientId}
              onChange={(v) => set("clientId", v)}
              required
              mono
              error={errorOf("clientId")}
              autoComplete="off"
            />
            <SecretField
              label="Client secret"
              name="clientSecret"
              value={draft.clientSecret}
              onChange={(v) => set("clientSecret", v)}
              placeholder={secretPlaceholder}
              error={errorOf("clientSecret")}
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
            error={errorOf("tokenAuthMethod")}
          />
        </FormSection>

        <FormSection title="Endpoints" description="HTTPS URLs from the provider’s OAuth 2.0 docs.">
          <TextField
            label="Authorization URL"
            name="authorizationUrl"
            value={draft.authorizationUrl}
            onChange={(v) => set("authorizationUrl", v)}
            required
            mono
            type="url"
            placeholder="https://provider.example/oauth/authorize"
            hint="Where you grant access in the browser."
            error={errorOf("authorizationUrl")}
          />
          <TextField
            label="Token URL"
            name="tokenUrl"
            value={draft.tokenUrl}
            onChange={(v) => set("tokenUrl", v)}
            required
            mono
            type="url"
            placeholder="https://provider.example/oauth/token"
            hint="Where the authorization code is exchanged for tokens."
            error={errorOf("tokenUrl")}
          />
          <div className="conn-form__grid">
            <TextField
              label="Revocation URL"
              name="revocationUrl"
              value={draft.revocationUrl}
              onChange={(v) => set("revocationUrl", v)}
              mono
              type="url"
              hint="Optional: tokens are revoked here when you disconnect."
              error={errorOf("revocationUrl")}
            />
            <TextField
              label="Registration URL"
              name="registrationUrl"
              value={draft.registrationUrl}
              onChange={(v) => set("registrationUrl", v)}
              mono
              type="url"
              hint="Optional: dynamic client registration (RFC 7591)."
              error={errorOf("registrationUrl")}
            />
          </div>
        </FormSection>

        <FormSection title="Access" description="What the connection may do at the provider.">
          <TextField
            label="Scopes"
            name="scopes"
            value={draft.scopes}
            onChange={(v) => set("scopes", v)}
            mono
            placeholder="crm.objects.contacts.read oauth"
            hint="Space or comma separated, from the provider’s docs. Ask only for what you need."
            error={errorOf("scopes")}
          />
        </FormSection>
        {/* Enter in a field submits (Save). */}
        <button type="submit" hidden tabIndex={-1} />
      </form>

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

function SignInPanel({
  state,
  onCancel,
  onRetry,
}: {
  state: ReturnType<typeof useSignIn>["state"];
  onCancel: () => void;
  onRetry: () => void;
}) {
  if (state.phase === "waiting") {
    return (
      <div className="signin-panel" data-testid="connection-signin" data-phase="waiting">
        <Spinner />
        <div className="signin-panel__text" role="status">
          <strong>Waiting for the browser…</strong>
          <span>Saved. Allow access at the provider, then come back here.</span>
        </div>
        <Button size="sm" onClick={onCancel} data-testid="connection-cancel-signin">
          Cancel sign-in
        </Button>
      </div>
    );
  }
  if (state.phase === "connected") {
    return (
      <div
        className="signin-panel signin-panel--ok"
        data-testid="connection-signin"
        data-phase="connected"
        role="status"
      >
        <Badge tone="success" dot>
          {state.grant.account ? `Connected as ${state.grant.account}` : "Connected"}
        </Badge>
        <span className="signin-panel__message">
          Saved and authorized. Actions using <strong>{state.name}</strong> can call the provider
          now.
        </span>
      </div>
    );
  }
  if (state.phase === "failed") {
    return (
      <div data-testid="connection-signin" data-phase="failed">
        <ErrorNotice
          error={state.error}
          title="Authorization failed"
          testId="connection-signin-error"
        >
          <Button size="sm" variant="primary" onClick={onRetry} data-testid="connection-try-again">
            Try again
          </Button>
        </ErrorNotice>
        <p className="signin-panel__note">The connection is saved; only the sign-in failed.</p>
      </div>
    );
  }
  return null;
}
