import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import type { PendingConsent } from "../../bindings/PendingConsent";
import { Badge, Button, Checkbox, ErrorNotice, toast } from "../../components/kit";
import { Dialog } from "../../components/kit/dialogs";
import { useActions, usePendingConsents } from "../../data/queries";
import { queryKeys } from "../../data/keys";
import { decideGatewayConsent } from "../../ipc";
import { useNow } from "../../lib/useNow";

import "./ConsentPrompt.css";

/** "vscode.dev" for a published client; null when it registered itself. */
export function origin(c: PendingConsent): { text: string; verified: boolean } {
  return c.client.publisher !== null
    ? { text: `published by ${c.client.publisher}`, verified: true }
    : { text: "registered itself, unverified", verified: false };
}

/** Where the browser goes back to: "127.0.0.1 port 33418", or the URI's host. */
export function redirectPlace(uri: string): string {
  try {
    const u = new URL(uri);
    if (u.protocol === "http:" || u.protocol === "https:") {
      return u.port ? `${u.hostname} port ${u.port}` : u.hostname;
    }
    return u.protocol.replace(/:$/, "");
  } catch {
    return uri;
  }
}

/**
 * The gateway's consent prompt: a local app (VS Code, Claude Code, Cursor…) signing in to
 * Patchbay's gateway through the browser waits here for the user. It shows who asks and
 * where it comes from, where the browser goes back to, the short code the browser page shows
 * too, and what it asks for; the user picks the actions it gets. Several waiting sign-ins
 * are answered one after another, oldest first.
 */
export function ConsentPrompt() {
  const qc = useQueryClient();
  // Prompts (screens/prompts.tsx), which mounts this, keeps the query polling.
  const pending = usePendingConsents(false);
  const current = pending.data?.pending[0];
  const more = (pending.data?.pending.length ?? 0) - 1;
  const now = useNow(1000);
  const actions = useActions();
  // Per request: every action (as asked for /mcp), or the ones picked.
  const [choice, setChoice] = useState<{ id: string; all: boolean; picked: string[] } | null>(null);
  const [failure, setFailure] = useState<{ id: string; error: unknown } | null>(null);

  const decide = useMutation({
    mutationFn: ({ id, approve, picked }: { id: string; approve: boolean; picked: string[] }) =>
      decideGatewayConsent(id, { approve, actions: picked, tools: [] }),
    onSuccess: (c, { approve }) => {
      toast({
        title: approve ? `${c.client.name} may sign in` : `Refused ${c.client.name}`,
        description: approve ? "The browser goes back to it now." : "It got access_denied.",
        tone: approve ? "success" : "info",
      });
    },
    onError: (error, { id }) => setFailure({ id, error }),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: queryKeys.pendingConsents });
      void qc.invalidateQueries({ queryKey: queryKeys.gatewayClients });
    },
  });

  if (!current) return null;
  const asksAll = current.actions.includes("*");
  const mine =
    choice?.id === current.id
      ? choice
      : { id: current.id, all: asksAll, picked: asksAll ? [] : current.actions };
  const left = Math.max(0, Math.round((Date.parse(current.expiresAt) - now) / 1000));
  const from = origin(current);
  const picked = mine.all ? ["*"] : mine.picked;
  const nothing = !mine.all && mine.picked.length === 0;
  return (
    <Dialog
      open
      // Closing without a decision leaves it waiting (it expires as a refusal).
      onOpenChange={() => {}}
      title={`Let ${current.client.name} use your Patchbay gateway?`}
      description={`An app signs in through your browser. ${
        left > 0 ? `It is refused automatically in ${left} s.` : "Time is up."
      }`}
      testId="consent-prompt"
      footer={
        <>
          <Button
            variant="danger"
            data-testid="consent-deny"
            busy={decide.isPending && decide.variables?.approve === false}
            disabled={decide.isPending}
            onClick={() => decide.mutate({ id: current.id, approve: false, picked: [] })}
          >
            Deny
          </Button>
          <Button
            variant="primary"
            data-testid="consent-approve"
            busy={decide.isPending && decide.variables?.approve === true}
            disabled={decide.isPending || nothing}
            onClick={() => decide.mutate({ id: current.id, approve: true, picked })}
          >
            Allow
          </Button>
        </>
      }
    >
      <p className="consent__code-line">
        Check that your browser shows the same code:{" "}
        <strong className="consent__code" data-testid="consent-code">
          {current.code}
        </strong>
      </p>
      <dl className="consent">
        <dt>App</dt>
        <dd>
          <span data-testid="consent-client">{current.client.name}</span>{" "}
          <Badge tone={from.verified ? "neutral" : "warning"}>
            <span data-testid="consent-origin">{from.text}</span>
          </Badge>
        </dd>
        <dt>Goes back to</dt>
        <dd data-testid="consent-redirect" title={current.redirectUri}>
          {redirectPlace(current.redirectUri)}
        </dd>
        <dt>Asks for</dt>
        <dd data-testid="consent-asks">
          {asksAll ? "every action on the gateway" : current.actions.join(", ")}
        </dd>
        <dt>Gets</dt>
        <dd>
          {asksAll && (
            <Checkbox
              label="Every action, present and future"
              name="consentAll"
              checked={mine.all}
              onCheckedChange={(on) => setChoice({ ...mine, all: on })}
              testId="consent-all"
            />
          )}
          {!mine.all && (
            <div className="consent__actions" data-testid="consent-actions">
              {(actions.data ?? [])
                .filter((a) => asksAll || current.actions.includes(a.name))
                .map((a) => (
                  <Checkbox
                    key={a.name}
                    label={a.name}
                    name={`consent-${a.name}`}
                    checked={mine.picked.includes(a.name)}
                    onCheckedChange={(on) =>
                      setChoice({
                        ...mine,
                        picked: on
                          ? [...mine.picked, a.name]
                          : mine.picked.filter((n) => n !== a.name),
                      })
                    }
                    testId={`consent-action-${a.name}`}
                  />
                ))}
              {nothing && <p className="consent__hint">Pick at least one action, or deny.</p>}
            </div>
          )}
        </dd>
      </dl>
      {!from.verified && (
        <p className="consent__warning" data-testid="consent-unverified">
          Patchbay cannot check who made this app. Allow it only if you just started a sign-in from
          it.
        </p>
      )}
      {more > 0 && <p className="consent__more">{more} more waiting after this one.</p>}
      {failure !== null && failure.id === current.id && (
        <ErrorNotice error={failure.error} title="Couldn’t record the decision" />
      )}
    </Dialog>
  );
}
