import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";

import type { DeviceCodePrompt } from "../../bindings/DeviceCodePrompt";
import type { GrantView } from "../../bindings/GrantView";
import {
  Button,
  CheckIcon,
  CopyField,
  CopyIcon,
  ErrorNotice,
  Spinner,
  useCopy,
} from "../../components/kit";
import { Dialog } from "../../components/kit/dialogs";
import { queryKeys } from "../../data/keys";
import { cancelConnect, connectWithCode, onDeviceCode, toIpcError } from "../../ipc";

import "./DeviceCodeDialog.css";

type Phase =
  | { phase: "starting" }
  | { phase: "waiting"; prompt: DeviceCodePrompt }
  | { phase: "failed"; error: unknown };

/**
 * Sign in with a code on another device (RFC 8628): where to go and the code to type there,
 * each with Copy, while Patchbay waits for the approval. Closing it cancels the sign-in.
 */
export function DeviceCodeDialog({
  name,
  onClose,
  onConnected,
}: {
  name: string;
  onClose: () => void;
  onConnected: (grant: GrantView) => void;
}) {
  const qc = useQueryClient();
  const [state, setState] = useState<Phase>({ phase: "starting" });
  const [attempt, setAttempt] = useState(0);
  const live = useRef(true);

  useEffect(() => {
    live.current = true;
    let unlisten: (() => void) | undefined;
    void (async () => {
      // Listen first: the code may come before `connectWithCode` is even awaited.
      unlisten = await onDeviceCode((prompt) => {
        if (live.current) setState({ phase: "waiting", prompt });
      });
      if (!live.current) {
        unlisten();
        return;
      }
      try {
        const grant = await connectWithCode("action", name);
        qc.setQueryData(queryKeys.oauthStatus("action", name), grant);
        void qc.invalidateQueries({ queryKey: queryKeys.actions });
        if (live.current) onConnected(grant);
      } catch (error) {
        if (live.current && toIpcError(error).code !== "cancelled") {
          setState({ phase: "failed", error });
        }
      } finally {
        unlisten?.();
      }
    })();
    return () => {
      live.current = false;
      unlisten?.();
    };
  }, [name, attempt, qc, onConnected]);

  function close() {
    if (state.phase !== "failed") {
      // Stop the polling; the pending connectWithCode then rejects with `cancelled`.
      void cancelConnect("action", name).catch(() => undefined);
    }
    onClose();
  }

  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open) close();
      }}
      title={`Sign in to ${name} with a code`}
      description="For signing in on another device: a phone, or a computer whose browser you would rather use."
      testId="device-code-dialog"
      footer={
        state.phase === "failed" ? (
          <>
            <Button onClick={onClose}>Close</Button>
            <Button
              variant="primary"
              onClick={() => {
                setState({ phase: "starting" });
                setAttempt((n) => n + 1);
              }}
              data-testid="device-code-retry"
            >
              Get a new code
            </Button>
          </>
        ) : (
          <Button onClick={close} data-testid="device-code-cancel">
            Cancel sign-in
          </Button>
        )
      }
    >
      {state.phase === "starting" && (
        <div className="device-code__status" role="status" data-testid="device-code-starting">
          <Spinner />
          Asking {name}’s server for a code…
        </div>
      )}
      {state.phase === "waiting" && <Waiting prompt={state.prompt} />}
      {state.phase === "failed" && (
        <ErrorNotice
          error={state.error}
          title="The sign-in did not finish"
          testId="device-code-error"
        />
      )}
    </Dialog>
  );
}

function Waiting({ prompt }: { prompt: DeviceCodePrompt }) {
  const { state, copy, ref } = useCopy<HTMLElement>(prompt.userCode);
  const until = new Date(prompt.expiresAt);
  return (
    <div className="device-code" data-testid="device-code-waiting">
      <ol className="device-code__steps">
        <li>
          <CopyField
            label="On the other device, open"
            value={prompt.verificationUri}
            testId="device-code-url"
          />
        </li>
        <li>
          <span className="field__label" id="device-code-label">
            and enter this code
          </span>
          <div className="device-code__code-row">
            <code
              ref={ref}
              className="device-code__code"
              aria-labelledby="device-code-label"
              data-testid="device-code-code"
            >
              {prompt.userCode}
            </code>
            <Button
              variant="ghost"
              size="sm"
              onClick={() => void copy()}
              aria-label="Copy the code"
              data-testid="device-code-code-copy"
            >
              {state === "copied" ? <CheckIcon size={14} /> : <CopyIcon size={14} />}
              {state === "copied" ? "Copied" : "Copy"}
            </Button>
          </div>
        </li>
      </ol>
      {prompt.verificationUriComplete && (
        <CopyField
          label="Or open this link, with the code filled in"
          value={prompt.verificationUriComplete}
          testId="device-code-complete"
        />
      )}
      <div className="device-code__status" role="status">
        <Spinner />
        <span>
          Waiting for you to approve there. The code works until{" "}
          <time dateTime={prompt.expiresAt} data-testid="device-code-expires">
            {until.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}
          </time>
          .
        </span>
      </div>
    </div>
  );
}
