import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";

import type { ActionView } from "../../bindings/ActionView";
import type { AuthType } from "../../bindings/AuthType";
import type { Provider } from "../../bindings/Provider";
import {
  Button,
  Checkbox,
  ConfirmDialog,
  ErrorNotice,
  FormSection,
  Segmented,
  TextArea,
  TextField,
  toast,
} from "../../components/kit";
import { queryKeys } from "../../data/queries";
import {
  cancelConnect,
  connect,
  disconnect,
  removeAction,
  saveAction,
  toIpcError,
  type IpcError,
} from "../../ipc";
import { useCallbackUrls } from "../connections/data";
import { AuthSection } from "./AuthSection";
import { ConnectPanel, type ConnectPhase } from "./ConnectPanel";
import { formKeys, useOAuthStatus } from "./data";
import { BackIcon } from "./icons";
import {
  ADVANCED_FIELDS,
  advancedEmpty,
  emptyForm,
  fieldForError,
  firstErrorField,
  formFromAction,
  needsClientDetails,
  toWire,
  validate,
  wireKey,
  type FieldErrors,
  type FieldKey,
  type FormState,
  type OAuthState,
} from "./model";
import { ServerSection } from "./ServerSection";

export type Update = (patch: Partial<FormState>, ...clear: FieldKey[]) => void;
export type UpdateOAuth = (patch: Partial<OAuthState>, ...clear: FieldKey[]) => void;

const CONFIRM_HINT =
  "Yes: each tool call waits until you approve it in Patchbay (denied after 2 minutes without an answer). No: tools run without asking.";

function hasErrors(e: FieldErrors): boolean {
  return Object.values(e).some((v) => v !== undefined);
}

/** What the server said, as a sentence next to a field. */
function fieldMessage(err: IpcError): string {
  if (err.code === "conflict") return "An action with this name already exists: pick another name.";
  const m = err.message.trim();
  return m.charAt(0).toUpperCase() + m.slice(1) + (/[.!?]$/.test(m) ? "" : ".");
}

/** An own-app provider from the gallery: what to register there, before Connect. */
function OwnAppNotice({ provider: p }: { provider: Provider }) {
  // The redirect URI on the configured callback port (Settings), not the file's default.
  const urls = useCallbackUrls();
  const redirect = urls.data?.loopback ?? p.register?.redirectUri ?? null;
  return (
    <div className="action-form__provider-note" role="note" data-testid="provider-own-app">
      <p>
        <strong>{p.name} needs your own OAuth app.</strong>{" "}
        {p.register ? `Create one at ${p.register.where}` : "Create one in its developer console"}
        {redirect && (
          <>
            {" "}
            with the redirect URI <code>{redirect}</code>
          </>
        )}
        , then enter its Client ID (and secret) in Advanced configuration below.
      </p>
      {p.register?.what && <p>{p.register.what}</p>}
    </div>
  );
}

export function ActionFormBody({
  view,
  onClose,
  initial,
  provider,
}: {
  view: ActionView | null;
  onClose: () => void;
  /** A new action's starting state (from a gallery entry). */
  initial?: FormState;
  /** The gallery entry it came from: an own-app provider opens Advanced configuration. */
  provider?: Provider;
}) {
  const isEdit = view !== null;
  const queryClient = useQueryClient();
  const [state, setState] = useState<FormState>(() =>
    view ? formFromAction(view) : (initial ?? emptyForm()),
  );
  const [attempted, setAttempted] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [topError, setTopError] = useState<IpcError | null>(null);
  /** The stored action this form edits (set by Connect on a new form). */
  const [savedName, setSavedName] = useState<string | null>(view?.name ?? null);
  const [savedKey, setSavedKey] = useState(() => wireKey(state));
  const [savedAuth, setSavedAuth] = useState<AuthType | null>(view?.auth.type ?? null);
  const [secretStored, setSecretStored] = useState(view?.oauth?.clientSecretSet ?? false);
  const [createdHere, setCreatedHere] = useState(false);
  const [authTouched, setAuthTouched] = useState(isEdit);
  const [advancedOpen, setAdvancedOpen] = useState(() =>
    isEdit
      ? !advancedEmpty(formFromAction(view).oauth, view.oauth?.clientSecretSet)
      : provider?.flow === "own_app",
  );
  const [phase, setPhase] = useState<ConnectPhase | null>(null);
  const [saving, setSaving] = useState(false);
  const [dialog, setDialog] = useState<null | "discard-created" | "discard-edits">(null);
  const [removing, setRemoving] = useState(false);

  const formRef = useRef<HTMLFormElement>(null);
  const focusNext = useRef<FieldKey | null>(null);
  /** The sign-in waiting for the browser, cancelled if the form goes away. */
  const waitingFor = useRef<string | null>(null);

  useEffect(() => {
    return () => {
      if (waitingFor.current !== null)
        void cancelConnect("action", waitingFor.current).catch(() => {});
    };
  }, []);

  // Move focus to a field asked for by the last event (after it rendered, e.g. inside Advanced).
  useEffect(() => {
    const key = focusNext.current;
    if (key === null) return;
    focusNext.current = null;
    const form = formRef.current;
    if (!form) return;
    const selector =
      key === "kind"
        ? `[data-testid="kind-${state.kind}"]`
        : key === "auth"
          ? `[data-testid="auth-card-${state.auth}"]`
          : key === "headers"
            ? `[data-testid="add-header"]`
            : `[name="${key}"]:not([aria-hidden="true"])`;
    form.querySelector<HTMLElement>(selector)?.focus();
  });

  const status = useOAuthStatus(savedName, savedAuth === "oauth" && phase === null);
  const clientErrors = attempted ? validate(state, secretStored) : {};
  const errors: FieldErrors = { ...serverErrors };
  for (const [k, v] of Object.entries(clientErrors)) {
    if (v !== undefined) errors[k as FieldKey] = v;
  }
  const dirty = wireKey(state) !== savedKey;
  const connecting = phase?.s === "saving" || phase?.s === "waiting";
  const busy = saving || connecting || removing;

  const clearServer = (keys: FieldKey[]) => {
    if (keys.length === 0) return;
    setServerErrors((prev) => {
      if (!keys.some((k) => prev[k] !== undefined)) return prev;
      const next = { ...prev };
      for (const k of keys) delete next[k];
      return next;
    });
  };
  const update: Update = (patch, ...clear) => {
    setState((s) => ({ ...s, ...patch }));
    clearServer(clear);
  };
  const updateOAuth: UpdateOAuth = (patch, ...clear) => {
    setState((s) => ({ ...s, oauth: { ...s.oauth, ...patch } }));
    clearServer(clear);
  };

  function focusField(key: FieldKey) {
    if (ADVANCED_FIELDS.includes(key)) setAdvancedOpen(true);
    focusNext.current = key;
  }

  /** Client-side check; on failure the errors show and focus moves to the first. */
  function check(): boolean {
    setAttempted(true);
    setServerErrors({});
    setTopError(null);
    const errs = validate(state, secretStored);
    if (!hasErrors(errs)) return true;
    // Problems inside Advanced configuration must be visible, not just the first one.
    if (ADVANCED_FIELDS.some((k) => errs[k] !== undefined)) setAdvancedOpen(true);
    const first = firstErrorField(state, errs);
    if (first) focusField(first);
    return false;
  }

  function showSaveError(e: unknown) {
    const err = toIpcError(e);
    const field = fieldForError(err.code, err.message);
    if (err.code !== "conflict") setTopError(err);
    if (field) {
      setServerErrors({ [field]: fieldMessage(err) });
      focusField(field);
    }
  }

  /** Stores what is typed; returns the stored action. The typed secret is cleared once stored. */
  async function store(snapshot: FormState): Promise<ActionView> {
    const saved = await saveAction(savedName, toWire(snapshot));
    const stored: FormState = {
      ...snapshot,
      name: saved.name,
      oauth: { ...snapshot.oauth, clientSecret: "", clearClientSecret: false },
    };
    setState((s) =>
      s.oauth.clientSecret === snapshot.oauth.clientSecret
        ? { ...s, oauth: { ...s.oauth, clientSecret: "", clearClientSecret: false } }
        : s,
    );
    setSavedName(saved.name);
    setSavedKey(wireKey(stored));
    setSavedAuth(saved.auth.type);
    setSecretStored(saved.oauth?.clientSecretSet ?? false);
    void queryClient.invalidateQueries({ queryKey: queryKeys.actions });
    return saved;
  }

  async function startConnect() {
    if (busy) return;
    if (!check()) return;
    const snapshot = state;
    let name = savedName;
    setPhase({ s: "saving" });
    if (name === null || dirty) {
      try {
        const saved = await store(snapshot);
        if (name === null) setCreatedHere(true);
        name = saved.name;
      } catch (e) {
        showSaveError(e);
        setPhase(null);
        return;
      }
    }
    setPhase({ s: "waiting" });
    waitingFor.current = name;
    try {
      const grant = await connect("action", name);
      setPhase({ s: "connected", grant });
      void queryClient.invalidateQueries({ queryKey: formKeys.oauthStatus(name) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.actions });
    } catch (e) {
      const err = toIpcError(e);
      if (err.code === "cancelled") {
        setPhase({ s: "idle" });
      } else {
        const needsDetails = needsClientDetails(err.code, snapshot.oauth, secretStored);
        setPhase({ s: "failed", error: err, needsDetails });
        if (needsDetails) focusField("clientId");
      }
    } finally {
      waitingFor.current = null;
    }
  }

  async function stopWaiting() {
    const name = waitingFor.current;
    if (name === null) return;
    try {
      // connect() then rejects with `cancelled`, which returns to the Connect button.
      if (!(await cancelConnect("action", name))) setPhase({ s: "idle" });
    } catch {
      setPhase({ s: "idle" });
    }
  }

  async function doDisconnect() {
    if (savedName === null || phase?.s === "disconnecting") return;
    const grant = phase?.s === "connected" ? phase.grant : status.data;
    if (!grant) return;
    setPhase({ s: "disconnecting", grant });
    try {
      await disconnect("action", savedName);
      setPhase({ s: "idle" });
      toast({ title: `Disconnected ${savedName}`, tone: "info" });
      void queryClient.invalidateQueries({ queryKey: formKeys.oauthStatus(savedName) });
    } catch (e) {
      setPhase({ s: "connected", grant });
      const err = toIpcError(e);
      toast({ title: "Couldn’t disconnect", description: err.message, tone: "error" });
    }
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    if (!check()) return;
    setSaving(true);
    try {
      const saved = await store(state);
      toast({ title: `Saved ${saved.name}`, tone: "success" });
      onClose();
    } catch (e) {
      showSaveError(e);
    } finally {
      setSaving(false);
    }
  }

  function requestClose() {
    if (removing) return;
    if (createdHere && savedName !== null) setDialog("discard-created");
    else if (dirty) setDialog("discard-edits");
    else onClose();
  }

  async function discardCreated() {
    if (savedName === null) return;
    setRemoving(true);
    try {
      await removeAction(savedName);
      void queryClient.invalidateQueries({ queryKey: queryKeys.actions });
      setDialog(null);
      onClose();
    } catch (e) {
      const err = toIpcError(e);
      toast({ title: `Couldn’t remove ${savedName}`, description: err.message, tone: "error" });
      setDialog(null);
    } finally {
      setRemoving(false);
    }
  }

  const title = isEdit ? `Edit ${view.name}` : "Add Custom Action";
  const submitLabel = isEdit ? "Save changes" : "Create Custom Action";
  const err = (k: FieldKey) => errors[k];

  let shownPhase: ConnectPhase;
  if (phase !== null) shownPhase = phase;
  else if (status.data?.connected) shownPhase = { s: "connected", grant: status.data };
  else if (status.data?.needsReconnect) {
    shownPhase = { s: "reconnect", reason: status.data.reconnectReason };
  } else if (status.isLoading) shownPhase = { s: "checking" };
  else shownPhase = { s: "idle" };

  return (
    <section className="screen action-form" data-testid="action-form" aria-label={title}>
      <header className="action-form__header">
        <div className="action-form__column">
          <Button variant="ghost" size="sm" onClick={requestClose} data-testid="action-form-back">
            <BackIcon />
            Actions
          </Button>
          <h1 className="screen__title">{title}</h1>
        </div>
      </header>
      <form
        ref={formRef}
        className="action-form__form"
        onSubmit={(e) => void onSubmit(e)}
        noValidate
        aria-label={title}
      >
        <div className="action-form__scroll">
          <div className="action-form__column action-form__sections">
            {topError && (
              <ErrorNotice
                error={topError}
                title={
                  topError.code === "invalid_input" ? "Couldn’t save: check the form" : undefined
                }
                testId="form-error"
              />
            )}
            {provider?.flow === "own_app" && <OwnAppNotice provider={provider} />}
            <FormSection title="Server">
              <TextField
                label="Name"
                name="name"
                value={state.name}
                onChange={(v) => update({ name: v }, "name")}
                required
                mono
                autoComplete="off"
                placeholder="linear"
                hint="Letters, digits, '-', '_' or '.'; agents see the action by this name."
                error={err("name")}
              />
              <ServerSection
                state={state}
                errors={errors}
                update={update}
                isEdit={isEdit}
                onKindChange={(kind) =>
                  // An untouched new form follows the kind: OAuth for MCP servers, none for HTTP.
                  update(
                    authTouched ? { kind } : { kind, auth: kind === "http" ? "none" : "oauth" },
                    "kind",
                    "url",
                  )
                }
              />
            </FormSection>
            <FormSection title="Authentication">
              <AuthSection
                state={state}
                errors={errors}
                isEdit={isEdit}
                secretStored={secretStored}
                advancedOpen={advancedOpen}
                onAdvancedOpenChange={setAdvancedOpen}
                onAuthChange={(auth) => {
                  setAuthTouched(true);
                  update({ auth }, "auth", "authRef");
                }}
                update={update}
                updateOAuth={updateOAuth}
                locked={connecting}
              >
                <ConnectPanel
                  phase={shownPhase}
                  busy={saving || removing}
                  statusError={phase === null && status.isError ? status.error : null}
                  onRetryStatus={() => void status.refetch()}
                  onConnect={() => void startConnect()}
                  onCancel={() => void stopWaiting()}
                  onDisconnect={() => void doDisconnect()}
                  saveFirst={savedName === null}
                />
              </AuthSection>
            </FormSection>
            <FormSection title="Details">
              <TextArea
                label="Description"
                name="description"
                value={state.description}
                onChange={(v) => update({ description: v }, "description")}
                rows={3}
                placeholder="What this action does, for you and your team"
                error={err("description")}
              />
              <Segmented
                label="Require end-user confirmation before use"
                name="confirm"
                value={state.confirm ? "yes" : "no"}
                onChange={(v) => update({ confirm: v === "yes" })}
                options={[
                  { value: "yes", label: "Yes" },
                  { value: "no", label: "No" },
                ]}
              />
              <p className="field__hint action-form__confirm-hint">{CONFIRM_HINT}</p>
              {isEdit && (
                <Checkbox
                  label="Enabled"
                  name="enabled"
                  checked={state.enabled}
                  onCheckedChange={(v) => update({ enabled: v })}
                  hint="Disabled actions stay configured but agents can’t use them."
                />
              )}
            </FormSection>
          </div>
        </div>
        <footer className="action-form__footer">
          <div className="action-form__column action-form__footer-row">
            {dirty && !saving && (
              <span className="action-form__unsaved" aria-live="polite">
                Unsaved changes
              </span>
            )}
            <Button onClick={requestClose} disabled={removing} data-testid="cancel-action">
              Cancel
            </Button>
            <Button
              type="submit"
              variant="primary"
              busy={saving}
              disabled={connecting || removing}
              data-testid="save-action"
            >
              {submitLabel}
            </Button>
          </div>
        </footer>
      </form>
      <ConfirmDialog
        open={dialog === "discard-created"}
        onOpenChange={(open) => !open && setDialog(null)}
        title={`Discard ${savedName ?? ""}?`}
        description="Connect already saved this action. Discarding removes it and signs it out."
        confirmLabel="Discard"
        destructive
        busy={removing}
        onConfirm={() => void discardCreated()}
      />
      <ConfirmDialog
        open={dialog === "discard-edits"}
        onOpenChange={(open) => !open && setDialog(null)}
        title="Discard unsaved changes?"
        description="What you changed in this form will be lost."
        confirmLabel="Discard"
        destructive
        onConfirm={() => {
          setDialog(null);
          onClose();
        }}
      />
    </section>
  );
}
