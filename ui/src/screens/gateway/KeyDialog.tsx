import { useState } from "react";

import type { NewGatewayKey } from "../../bindings/NewGatewayKey";
import { Button, ErrorNotice, Segmented, TextField } from "../../components/kit";
import { Dialog } from "../../components/kit/dialogs";
import { DialogForm } from "../../components/layout/DialogForm";
import { useActions } from "../../data/queries";
import { toIpcError, type IpcError } from "../../ipc";
import { useFormState } from "../../lib/useFormState";
import { useAddGatewayKey } from "./data";
import {
  draftProblems,
  emptyDraft,
  type Expiry,
  type KeyDraft,
  type KeyField,
  keyFieldOfError,
  toKeyForm,
} from "./model";
import { ScopeFields } from "./ScopeFields";

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

        <ScopeFields
          idPrefix="gateway-key"
          legend="Opens"
          allHint="Actions you add later are opened too."
          noActions="No actions yet. A key for every action also opens the ones you add later."
          scope={d}
          actions={list}
          loading={actions.isPending}
          errors={errors}
          onChange={(patch, ...fields) => form.update(patch, ...fields)}
        />

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
