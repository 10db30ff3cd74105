import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import type { ApprovalView } from "../../bindings/ApprovalView";
import { Button, ErrorNotice, toast } from "../../components/kit";
import { Dialog } from "../../components/kit/dialogs";
import { queryKeys } from "../../data/keys";
import { usePendingApprovals } from "../../data/queries";
import { decideApproval } from "../../ipc";
import { useNow } from "../../lib/useNow";

import "./ApprovalPrompt.css";

function secondsLeft(a: ApprovalView, now: number): number {
  return Math.max(0, Math.round((Date.parse(a.expiresAt) - now) / 1000));
}

/**
 * The end-user confirmation prompt: whenever a tool call of an action marked
 * "require confirmation" waits for the user — asked by any process, through the shared
 * database — it shows here at once with the action, tool and arguments: Approve / Deny.
 * Several waiting calls are answered one after another, oldest first.
 */
export function ApprovalPrompt() {
  const qc = useQueryClient();
  // Prompts (screens/prompts.tsx), which mounts this, keeps the query polling.
  const pending = usePendingApprovals(false);
  const current = pending.data?.[0];
  const more = (pending.data?.length ?? 0) - 1;
  const now = useNow(1000);
  // The last refusal, for the request it belongs to (another request starts clean).
  const [failure, setFailure] = useState<{ id: string; error: unknown } | null>(null);

  const decide = useMutation({
    mutationFn: ({ id, approve }: { id: string; approve: boolean }) => decideApproval(id, approve),
    onSuccess: (a) => {
      toast({
        title: a.status === "approved" ? `Approved ${a.tool}` : `Denied ${a.tool}`,
        description: `on ${a.action}`,
        tone: a.status === "approved" ? "success" : "info",
      });
    },
    onError: (error, { id }) => setFailure({ id, error }),
    onSettled: () => void qc.invalidateQueries({ queryKey: queryKeys.pendingApprovals }),
  });

  if (!current) return null;
  const left = secondsLeft(current, now);
  const args = current.arguments === null ? null : JSON.stringify(current.arguments, null, 2);
  return (
    <Dialog
      open
      // Closing without a decision leaves it pending (it expires as a denial).
      onOpenChange={() => {}}
      title={`Allow ${current.action} to run ${current.tool}?`}
      description={`${current.requester} asks to call this tool. ${
        left > 0 ? `It is denied automatically in ${left} s.` : "Time is up."
      }`}
      testId="approval-prompt"
      footer={
        <>
          <Button
            variant="danger"
            data-testid="approval-deny"
            busy={decide.isPending && decide.variables?.approve === false}
            disabled={decide.isPending}
            onClick={() => decide.mutate({ id: current.id, approve: false })}
          >
            Deny
          </Button>
          <Button
            variant="primary"
            data-testid="approval-approve"
            data-autofocus
            busy={decide.isPending && decide.variables?.approve === true}
            disabled={decide.isPending}
            onClick={() => decide.mutate({ id: current.id, approve: true })}
          >
            Approve
          </Button>
        </>
      }
    >
      <dl className="approval">
        <dt>Action</dt>
        <dd data-testid="approval-action">{current.action}</dd>
        <dt>Tool</dt>
        <dd data-testid="approval-tool">
          <code>{current.tool}</code>
        </dd>
        <dt>Arguments</dt>
        <dd>
          {args === null ? (
            <span className="approval__none">none</span>
          ) : (
            <pre className="approval__args" data-testid="approval-arguments">
              {args}
            </pre>
          )}
        </dd>
      </dl>
      {more > 0 && (
        <p className="approval__more" data-testid="approval-more">
          {more} more waiting after this one.
        </p>
      )}
      {failure !== null && failure.id === current.id && (
        <ErrorNotice error={failure.error} title="Couldn’t record the decision" />
      )}
    </Dialog>
  );
}
