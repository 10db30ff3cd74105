import { useQuery } from "@tanstack/react-query";

import type { Attention } from "../../bindings/Attention";
import { Badge, type Tone } from "../../components/kit";
import { queryKeys } from "../../data/keys";
import { attention } from "../../ipc";
import { navigate } from "../../lib/useHashRoute";

import "./AttentionBar.css";

const LABEL: Record<Attention["kind"], { text: string; tone: Tone }> = {
  reconnect: { text: "Connect", tone: "warning" },
  approval: { text: "Confirmation", tone: "info" },
  consent: { text: "Sign-in", tone: "info" },
  "breaker-open": { text: "Failing", tone: "danger" },
};

/** Where the app fixes it: the action's row, OAuth connections, the prompt, Health. */
export function fixPlace(a: Attention): { label: string; go: () => void } | null {
  switch (a.kind) {
    case "reconnect":
      return a.fix.startsWith("patchbay connection ")
        ? { label: "Open OAuth Connections", go: () => navigate("connections") }
        : null; // the action's own row, just below, has Connect
    case "breaker-open":
      return { label: "Open Health", go: () => navigate("health") };
    default:
      return null; // the confirmation and consent prompts open by themselves
  }
}

/**
 * What needs the user now, above the actions: actions to connect (again), tool calls and
 * sign-ins waiting for an answer, open circuit breakers; each with its fix, as `patchbay
 * status` lists them. Nothing shows when nothing needs the user.
 */
export function AttentionBar() {
  const q = useQuery({ queryKey: queryKeys.attention, queryFn: attention, refetchInterval: 5000 });
  const items = q.data ?? [];
  if (items.length === 0) return null;
  return (
    <section className="attention" aria-label="Needs you" data-testid="attention">
      <h2 className="attention__title">
        {items.length === 1 ? "1 thing needs you" : `${items.length} things need you`}
      </h2>
      <ul className="attention__list">
        {items.map((a) => {
          const place = fixPlace(a);
          return (
            <li
              key={`${a.kind}-${a.id ?? a.subject}`}
              className="attention__item"
              data-testid="attention-item"
              data-kind={a.kind}
              data-subject={a.subject}
            >
              <Badge tone={LABEL[a.kind].tone}>{LABEL[a.kind].text}</Badge>
              <span className="attention__message">{a.message}</span>
              <code className="attention__fix" title="The same fix from a terminal">
                {a.fix}
              </code>
              {place && (
                <button type="button" className="attention__go" onClick={place.go}>
                  {place.label}
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
