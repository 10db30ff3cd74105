import { useMutation } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import type { DoctorReport } from "../../../bindings/DoctorReport";
import type { DoctorStep } from "../../../bindings/DoctorStep";
import {
  Button,
  CheckIcon,
  CopyIcon,
  ErrorIcon,
  ErrorNotice,
  RetryIcon,
  Spinner,
  useCopy,
} from "../../../components/kit";
import { Dialog } from "../../../components/kit/dialogs";
import { doctor } from "../../../ipc";
import { detailJson, headline, reportText, STEP_LABELS, stepGist } from "./model";

import "./DiagnoseDialog.css";

type Props = {
  name: string;
  /** Closed: the dialog goes (its parent unmounts it). */
  onClose: () => void;
};

/**
 * Diagnose: runs core's `doctor` for one action when it opens and shows its steps as a
 * timeline; Copy report puts the redacted report on the clipboard. A mutation, not a query:
 * a diagnosis may refresh a token, and the `db-changed` that follows must not run it again.
 */
export function DiagnoseDialog({ name, onClose }: Props) {
  const run = useMutation({ mutationFn: () => doctor(name) });
  const { mutate } = run;
  useEffect(() => mutate(), [mutate]);
  const report = run.data;

  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      title={`Diagnose ${name}`}
      description="Connects to the action step by step, as a call would, and stops at the first step that fails. Nothing is saved or changed, except a token refreshed when it was due."
      testId="diagnose-dialog"
      wide
      footer={
        <>
          <Button onClick={() => mutate()} busy={run.isPending} data-testid="diagnose-again">
            <RetryIcon size={13} /> Run again
          </Button>
          {report && <CopyReport report={report} />}
        </>
      }
    >
      {run.isPending && (
        <p className="diagnose__running" role="status" data-testid="diagnose-running">
          <Spinner size={14} /> Diagnosing {name}… each step waits 30 s at most.
        </p>
      )}
      {run.isError && (
        <ErrorNotice
          error={run.error}
          title={`Couldn’t diagnose ${name}`}
          onRetry={() => mutate()}
          testId="diagnose-error"
        />
      )}
      {report && !run.isPending && <Timeline report={report} />}
    </Dialog>
  );
}

function Timeline({ report }: { report: DoctorReport }) {
  return (
    <div className="diagnose">
      <p
        className={report.ok ? "diagnose__verdict is-ok" : "diagnose__verdict is-failed"}
        data-testid="diagnose-verdict"
      >
        {report.ok ? <CheckIcon size={15} /> : <ErrorIcon size={15} />}
        {headline(report)}
      </p>
      <ol className="timeline" data-testid="diagnose-timeline">
        {report.steps.map((s) => (
          <StepItem key={s.step} step={s} />
        ))}
      </ol>
    </div>
  );
}

function StepItem({ step }: { step: DoctorStep }) {
  const [open, setOpen] = useState(false);
  const gist = stepGist(step);
  const detailId = `diagnose-detail-${step.step}`;
  return (
    <li
      className={step.ok ? "timeline__step is-ok" : "timeline__step is-failed"}
      data-testid="diagnose-step"
      data-step={step.step}
      data-ok={step.ok}
    >
      <span className="timeline__marker" aria-hidden="true">
        {step.ok ? <CheckIcon size={12} /> : <ErrorIcon size={12} />}
      </span>
      <div className="timeline__body">
        <div className="timeline__head">
          <span className="timeline__label">{STEP_LABELS[step.step]}</span>
          <code className="timeline__name">{step.step}</code>
          <span className="timeline__verdict">{step.ok ? "ok" : "failed"}</span>
          <span className="timeline__latency">{step.latencyMs} ms</span>
          <button
            type="button"
            className="timeline__toggle"
            aria-expanded={open}
            aria-controls={detailId}
            onClick={() => setOpen(!open)}
            data-testid={`${detailId}-toggle`}
          >
            {open ? "Hide details" : "Details"}
          </button>
        </div>
        {gist && (
          <p className="timeline__gist" title={gist}>
            {gist}
          </p>
        )}
        {step.fix && (
          <p className="timeline__fix" data-testid="diagnose-fix">
            <strong>Fix:</strong> {step.fix}
          </p>
        )}
        {open && (
          <pre className="timeline__detail" id={detailId} data-testid={detailId}>
            {detailJson(step)}
          </pre>
        )}
      </div>
    </li>
  );
}

function CopyReport({ report }: { report: DoctorReport }) {
  const text = reportText(report);
  const { state, copy, ref } = useCopy<HTMLPreElement>(text);
  return (
    <>
      {/* Selected for ⌘C / Ctrl+C when the clipboard is out of reach. */}
      <pre ref={ref} className="diagnose__report-text" aria-hidden="true">
        {text}
      </pre>
      <Button variant="primary" onClick={() => void copy()} data-testid="diagnose-copy">
        {state === "copied" ? <CheckIcon size={13} /> : <CopyIcon size={13} />}
        {state === "copied" ? "Copied" : state === "failed" ? "Press ⌘C or Ctrl+C" : "Copy report"}
      </Button>
    </>
  );
}
