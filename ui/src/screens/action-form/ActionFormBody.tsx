import { lazy, Suspense } from "react";

import {
  BackIcon,
  Button,
  Checkbox,
  ErrorNotice,
  FormSection,
  Segmented,
  TextArea,
  TextField,
} from "../../components/kit";
import { ConfirmDialog } from "../../components/kit/dialogs";
import { AuthSection } from "./AuthSection";
import { ConnectPanel } from "./ConnectPanel";
import type { FieldKey } from "./model";
import { OwnAppNotice } from "./OwnAppNotice";
import { ServerSection } from "./ServerSection";
import { useActionForm, type ActionFormProps } from "./useActionForm";

/** The action's calls over time: loaded on first edit (the chart library stays out of start-up). */
const ActionHistory = lazy(() =>
  import("../health/ActionHistory").then((m) => ({ default: m.ActionHistory })),
);

const CONFIRM_HINT =
  "Yes: each tool call waits until you approve it in Patchbay (denied after 2 minutes without an answer). No: tools run without asking.";

/** The Add / Edit Custom Action page: its sections, the footer and the leave confirmations. */
export function ActionFormBody(props: ActionFormProps) {
  const { view, onClose, provider } = props;
  const { attachForm, ...form } = useActionForm(props);
  const { state, errors, update } = form;

  const title = view !== null ? `Edit ${view.name}` : "Add Custom Action";
  const submitLabel = form.isEdit ? "Save changes" : "Create Custom Action";
  const err = (k: FieldKey) => errors[k];

  return (
    <section className="screen action-form" data-testid="action-form" aria-label={title}>
      <header className="action-form__header">
        <div className="action-form__column">
          <Button
            variant="ghost"
            size="sm"
            onClick={form.requestClose}
            data-testid="action-form-back"
          >
            <BackIcon />
            Actions
          </Button>
          <h1 className="screen__title">{title}</h1>
        </div>
      </header>
      <form
        ref={attachForm}
        className="action-form__form"
        onSubmit={(e) => void form.onSubmit(e)}
        noValidate
        aria-label={title}
      >
        <div className="action-form__scroll">
          <div className="action-form__column action-form__sections">
            {form.topError && (
              <ErrorNotice
                error={form.topError}
                title={
                  form.topError.code === "invalid_input"
                    ? "Couldn’t save: check the form"
                    : undefined
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
                isEdit={form.isEdit}
                onKindChange={form.changeKind}
              />
            </FormSection>
            <FormSection title="Authentication">
              <AuthSection
                state={state}
                errors={errors}
                isEdit={form.isEdit}
                secretStored={form.secretStored}
                publicJwk={form.publicJwk}
                advancedOpen={form.advancedOpen}
                onAdvancedOpenChange={form.setAdvancedOpen}
                onAuthChange={form.changeAuth}
                update={update}
                updateOAuth={form.updateOAuth}
                locked={form.connecting}
              >
                <ConnectPanel
                  phase={form.shownPhase}
                  busy={form.saving || form.removing}
                  statusError={form.statusError}
                  onRetryStatus={() => void form.status.refetch()}
                  onConnect={() => void form.startConnect()}
                  onCancel={() => void form.stopWaiting()}
                  onDisconnect={() => void form.doDisconnect()}
                  saveFirst={form.savedName === null}
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
              {form.isEdit && (
                <Checkbox
                  label="Enabled"
                  name="enabled"
                  checked={state.enabled}
                  onCheckedChange={(v) => update({ enabled: v })}
                  hint="Disabled actions stay configured but agents can’t use them."
                />
              )}
            </FormSection>
            {view !== null && (
              <Suspense fallback={null}>
                <ActionHistory name={view.name} />
              </Suspense>
            )}
          </div>
        </div>
        <footer className="action-form__footer">
          <div className="action-form__column action-form__footer-row">
            {form.dirty && !form.saving && (
              <span className="action-form__unsaved" aria-live="polite">
                Unsaved changes
              </span>
            )}
            <Button
              onClick={form.requestClose}
              disabled={form.removing}
              data-testid="cancel-action"
            >
              Cancel
            </Button>
            <Button
              type="submit"
              variant="primary"
              busy={form.saving}
              disabled={form.connecting || form.removing}
              data-testid="save-action"
            >
              {submitLabel}
            </Button>
          </div>
        </footer>
      </form>
      <ConfirmDialog
        open={form.dialog === "discard-created"}
        onOpenChange={(open) => !open && form.setDialog(null)}
        title={`Discard ${form.savedName ?? ""}?`}
        description="Connect already saved this action. Discarding removes it and signs it out."
        confirmLabel="Discard"
        destructive
        busy={form.removing}
        onConfirm={() => void form.discardCreated()}
      />
      <ConfirmDialog
        open={form.dialog === "discard-edits"}
        onOpenChange={(open) => !open && form.setDialog(null)}
        title="Discard unsaved changes?"
        description="What you changed in this form will be lost."
        confirmLabel="Discard"
        destructive
        onConfirm={() => {
          form.setDialog(null);
          onClose();
        }}
      />
    </section>
  );
}
