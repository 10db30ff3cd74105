import type { ReactNode } from "react";

import { toIpcError } from "../../ipc";
import { Button } from "./Button";
import { ErrorIcon, RetryIcon } from "./icons";
import { errorAdvice, errorTitle } from "./errors";

import "./ErrorNotice.css";

type Props = {
  /** Anything a call rejected with; IpcErrors keep their code. */
  error: unknown;
  /** Overrides the title derived from the code. */
  title?: ReactNode;
  onRetry?: () => void;
  /** Retrying now: the Retry button spins. */
  retrying?: boolean;
  /** Extra actions (buttons) under the advice. */
  children?: ReactNode;
  /** Overrides the advice derived from the code (null: none, when the hint says it all). */
  advice?: string | null;
  testId?: string;
};

/** An error as the user should see it: what happened, why, and what to do. */
export function ErrorNotice({
  error,
  title,
  onRetry,
  retrying = false,
  children,
  advice: adviceOverride,
  testId = "error-notice",
}: Props) {
  const e = toIpcError(error);
  const advice = adviceOverride === undefined ? errorAdvice(e.code) : adviceOverride;
  return (
    <div className="error-notice" role="alert" data-testid={testId} data-code={e.code}>
      <ErrorIcon size={16} className="error-notice__icon" />
      <div className="error-notice__body">
        <p className="error-notice__title">{title ?? errorTitle(e.code)}</p>
        <p className="error-notice__message">{e.message}</p>
        {e.hint && <p className="error-notice__details">Details: {e.hint}</p>}
        {advice && <p className="error-notice__advice">{advice}</p>}
        {(onRetry || children) && (
          <div className="error-notice__actions">
            {onRetry && (
              <Button size="sm" onClick={onRetry} busy={retrying}>
                {!retrying && <RetryIcon size={12} />}
                {retrying ? "Retrying…" : "Retry"}
              </Button>
            )}
            {children}
          </div>
        )}
      </div>
    </div>
  );
}
