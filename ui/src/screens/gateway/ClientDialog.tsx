import { useState } from "react";

import type { GatewayClientType } from "../../bindings/GatewayClientType";
import type { NewGatewayClient } from "../../bindings/NewGatewayClient";
import { Button, ErrorNotice, RadioCards, TextArea, TextField } from "../../components/kit";
import { Dialog } from "../../components/kit/dialogs";
import { DialogForm } from "../../components/layout/DialogForm";
import { useActions } from "../../data/queries";
import { toIpcError, type IpcError } from "../../ipc";
import { useFormState } from "../../lib/useFormState";
import {
  CLIENT_TYPES,
  type ClientDraft,
  type ClientField,
  clientFieldOfError,
  clientProblems,
  type ClientStep,
  emptyClientDraft,
  STEP_OF,
  stepProblems,
  toClientForm,
} from "./clientModel";
import { useAddGatewayClient } from "./data";
import { ScopeFields } from "./ScopeFields";

type Props = {
  onClose: () => void;
  /** The client was made: the caller shows its id (and secret), once. */
  onCreated: (client: NewGatewayClient) => void;
};

/** Where the focus goes for a field's problem. */
const SELECTORS: Record<ClientField, string> = {
  name: '[name="name"]',
  redirectUris: '[name="redirectUris"]',
  auth: '[name="allActions"]',
  tools: "[data-tool-limits] input",
};

const STEPS: Record<ClientStep, { n: number; title: string }> = {
  app: { n: 1, title: "The app" },
  scope: { n: 2, title: "What it may use" },
};

const TYPE_OPTIONS = (Object.keys(CLIENT_TYPES) as GatewayClientType[]).map((t) => ({
  value: t,
  title: CLIENT_TYPES[t].label,
  description: CLIENT_TYPES[t].explain,
}));

/**
 * New OAuth client, in two steps: the app (name, confidential or public, where it may be sent
 * back after signing in), then the actions (and optionally tools) its tokens open. Core checks
 * the form again; a field it refuses shows at that field, on its step.
 */
export function ClientDialog({ onClose, onCreated }: Props) {
  const actions = useActions();
  const list = actions.data ?? [];
  const add = useAddGatewayClient();
  const [step, setStep] = useState<ClientStep>("app");
  // The scope's problems show once Create was pressed, not on arriving at its step.
  const [scopeTried, setScopeTried] = useState(false);
  const [saveError, setSaveError] = useState<IpcError | null>(null);
  const form = useFormState<ClientDraft, ClientField>({
    initial: emptyClientDraft,
    validate: (d) => clientProblems(d, list),
    showProblems: "submit",
    selector: (key) => SELECTORS[key],
  });
  const d = form.values;
  const errors = scopeTried ? form.errors : stepProblems(form.errors, "app");

  function next() {
    setSaveError(null);
    if (form.attempt(stepProblems(form.problems, "app"))) setStep("scope");
  }

  function submit() {
    if (step === "app") {
      next();
      return;
    }
    setSaveError(null);
    setScopeTried(true);
    if (!form.attempt()) {
      const first = (Object.keys(form.problems) as ClientField[])[0];
      if (first) setStep(STEP_OF[first]);
      return;
    }
    add.mutate(toClientForm(d, list), {
      onSuccess: (c) => onCreated(c),
      onError: (e) => {
        const error = toIpcError(e);
        const field = clientFieldOfError(error);
        if (field) {
          setStep(STEP_OF[field]);
          form.fail(field, error.message);
        } else setSaveError(error);
      },
    });
  }

  const here = STEPS[step];
  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open && !add.isPending) onClose();
      }}
      title="New OAuth client"
      description={`Step ${here.n} of 2: ${here.title}. For an app that signs in to the gateway with OAuth 2.1 (an in-house chatbot, an n8n flow, a Slack bot).`}
      testId="gateway-client-dialog"
      wide
      footer={
        step === "app" ? (
          <>
            <Button onClick={onClose}>Cancel</Button>
            <Button variant="primary" onClick={next} data-testid="gateway-client-next">
              Next
            </Button>
          </>
        ) : (
          <>
            <Button
              onClick={() => setStep("app")}
              disabled={add.isPending}
              data-testid="gateway-client-back"
            >
              Back
            </Button>
            <Button
              variant="primary"
              onClick={submit}
              busy={add.isPending}
              data-testid="gateway-client-save"
            >
              Create client
            </Button>
          </>
        )
      }
    >
      <DialogForm attach={form.attachForm} onSubmit={submit}>
        <div data-testid="gateway-client-step" data-step={step} hidden />
        {step === "app" ? (
          <>
            <TextField
              {...form.bind("name")}
              error={errors.name}
              label="Name"
              hint="The app that signs in, e.g. acme-crm or n8n. Letters, digits, '-', '_' and '.'."
              required
              mono
              autoComplete="off"
              testId="gateway-client-name"
            />
            <RadioCards
              label="Client type"
              name="type"
              value={d.type}
              onChange={(v) => form.update({ type: v as GatewayClientType })}
              options={TYPE_OPTIONS}
              testIdPrefix="gateway-client-type"
            />
            <TextArea
              {...form.bind("redirectUris")}
              error={errors.redirectUris}
              label="Allowed redirect URIs"
              hint="One per line; the app’s docs say which. After signing in, Patchbay sends the app back only to one of these (an http one on this computer on any port)."
              placeholder={"https://crm.example.com/oauth/callback\nhttp://127.0.0.1:8080/callback"}
              required
              mono
              rows={3}
              testId="gateway-client-redirects"
            />
          </>
        ) : (
          <>
            <ScopeFields
              idPrefix="gateway-client"
              legend="May use"
              allHint="Actions you add later may be used too."
              noActions="No actions yet. A client for every action may also use the ones you add later."
              scope={d}
              actions={list}
              loading={actions.isPending}
              errors={errors}
              onChange={(patch, ...fields) => form.update(patch, ...fields)}
            />
            <p className="field__hint">
              Patchbay doesn’t ask for consent when this app signs in: its tokens open what you pick
              here.
            </p>
          </>
        )}
      </DialogForm>

      {saveError && (
        <ErrorNotice
          error={saveError}
          title="Couldn’t create the client"
          testId="gateway-client-save-error"
        />
      )}
    </Dialog>
  );
}
