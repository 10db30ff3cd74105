/**
 * The Add / Edit Custom Action form's state and what its buttons do: Save, Connect (which
 * saves first when needed), Cancel and Disconnect, the confirmations on leaving, and where
 * errors and focus go.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";

import type { ActionKind } from "../../bindings/ActionKind";
import type { ActionView } from "../../bindings/ActionView";
import type { AuthType } from "../../bindings/AuthType";
import type { Provider } from "../../bindings/Provider";
import { toast } from "../../components/kit";
import { queryKeys } from "../../data/keys";
import { useOAuthStatus } from "../../data/queries";
import {
  cancelConnect,
  connect,
  disconnect,
  removeAction,
  saveAction,
  toIpcError,
  type IpcError,
} from "../../ipc";
import { useFormState } from "../../lib/useFormState";
import { advancedEmpty, needsClientDetails } from "./clientDetails";
import type { ConnectPhase } from "./ConnectPanel";
import {
  emptyForm,
  formFromAction,
  toWire,
  wireKey,
  type FieldKey,
  type FormState,
  type OAuthState,
} from "./model";
import {
  ADVANCED_FIELDS,
  fieldForError,
  fieldMessage,
  fieldSelector,
  firstErrorField,
  validate,
} from "./validation";

export type Update = (patch: Partial<FormState>, ...clear: FieldKey[]) => void;
export type UpdateOAuth = (patch: Partial<OAuthState>, ...clear: FieldKey[]) => void;

export type ActionFormProps = {
  view: ActionView | null;
  onClose: () => void;
  /** A new action's starting state (from a gallery entry). */
  initial?: FormState;
  /** The gallery entry it came from: an own-app provider opens Advanced configuration. */
  provider?: Provider;
};

export function useActionForm({ view, onClose, initial, provider }: ActionFormProps) {
  const isEdit = view !== null;
  const queryClient = useQueryClient();
  const [secretStored, setSecretStored] = useState(view?.oauth?.clientSecretSet ?? false);
  /** The stored signing key's public half (private_key_jwt), to register with the provider. */
  const [publicJwk, setPublicJwk] = useState(view?.publicJwk ?? null);
  const { attachForm, ...form } = useFormState<FormState, FieldKey>({
    initial: () => (view ? formFromAction(view) : (initial ?? emptyForm())),
    validate: (s) => validate(s, secretStored),
    showProblems: "submit",
    firstField: (errors, s) => firstErrorField(s, errors),
    selector: fieldSelector,
  });
  const { values: state, update, errors } = form;
  const [topError, setTopError] = useState<IpcError | null>(null);
  /** The stored action this form edits (set by Connect on a new form). */
  const [savedName, setSavedName] = useState<string | null>(view?.name ?? null);
  const [savedKey, setSavedKey] = useState(() => wireKey(state));
  const [savedAuth, setSavedAuth] = useState<AuthType | null>(view?.auth.type ?? null);
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

  /** The sign-in waiting for the browser, cancelled if the form goes away. */
  const waitingFor = useRef<string | null>(null);

  useEffect(() => {
    return () => {
      if (waitingFor.current !== null)
        void cancelConnect("action", waitingFor.current).catch(() => {});
    };
  }, []);

  const status = useOAuthStatus(
    "action",
    savedName ?? "",
    savedName !== null && savedAuth === "oauth" && phase === null,
  );
  const dirty = wireKey(state) !== savedKey;
  const connecting = phase?.s === "saving" || phase?.s === "waiting";
  const busy = saving || connecting || removing;

  const updateOAuth: UpdateOAuth = (patch, ...edited) => {
    form.setValues((s) => ({ ...s, oauth: { ...s.oauth, ...patch } }));
    form.touch(...edited);
  };

  function focusField(key: FieldKey) {
    if (ADVANCED_FIELDS.includes(key)) setAdvancedOpen(true);
    form.focus(key);
  }

  /** Client-side check; on failure the errors show and focus moves to the first. */
  function check(): boolean {
    setTopError(null);
    if (form.attempt()) return true;
    // Problems inside Advanced configuration must be visible, not just the first one.
    if (ADVANCED_FIELDS.some((k) => form.problems[k] !== undefined)) setAdvancedOpen(true);
    return false;
  }

  function showSaveError(e: unknown) {
    const err = toIpcError(e);
    const field = fieldForError(err, state.auth);
    if (err.code !== "conflict") setTopError(err);
    if (field) {
      if (ADVANCED_FIELDS.includes(field)) setAdvancedOpen(true);
      form.fail(field, fieldMessage(err));
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
    form.setValues((s) =>
      s.oauth.clientSecret === snapshot.oauth.clientSecret
        ? { ...s, oauth: { ...s.oauth, clientSecret: "", clearClientSecret: false } }
        : s,
    );
    setSavedName(saved.name);
    setSavedKey(wireKey(stored));
    setSavedAuth(saved.auth.type);
    setSecretStored(saved.oauth?.clientSecretSet ?? false);
    setPublicJwk(saved.publicJwk);
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
      void queryClient.invalidateQueries({ queryKey: queryKeys.oauthStatus("action", name) });
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
      void queryClient.invalidateQueries({ queryKey: queryKeys.oauthStatus("action", savedName) });
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

  /** An untouched new form follows the kind: OAuth for MCP servers, none for HTTP. */
  function changeKind(kind: ActionKind) {
    update(
      authTouched ? { kind } : { kind, auth: kind === "http" ? "none" : "oauth" },
      "kind",
      "url",
    );
  }

  function changeAuth(auth: AuthType) {
    setAuthTouched(true);
    update({ auth }, "auth", "authRef");
  }

  let shownPhase: ConnectPhase;
  if (phase !== null) shownPhase = phase;
  else if (status.data?.connected) shownPhase = { s: "connected", grant: status.data };
  else if (status.data?.needsReconnect) {
    shownPhase = { s: "reconnect", reason: status.data.reconnectReason };
  } else if (status.isLoading) shownPhase = { s: "checking" };
  else shownPhase = { s: "idle" };

  return {
    isEdit,
    state,
    errors,
    update,
    updateOAuth,
    attachForm,
    secretStored,
    publicJwk,
    topError,
    savedName,
    advancedOpen,
    setAdvancedOpen,
    changeKind,
    changeAuth,
    dirty,
    saving,
    removing,
    connecting,
    dialog,
    setDialog,
    shownPhase,
    status,
    statusError: phase === null && status.isError ? status.error : null,
    onSubmit,
    startConnect,
    stopWaiting,
    doDisconnect,
    requestClose,
    discardCreated,
  };
}
