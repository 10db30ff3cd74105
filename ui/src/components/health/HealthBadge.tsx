import type { BreakerView } from "../../bindings/BreakerView";
import type { Health } from "../../bindings/Health";
import { relativeTime } from "../../lib/relativeTime";
import { Badge, Spinner, type Tone } from "../kit";
import { healthLabel, healthTooltip } from "./format";

import "./HealthBadge.css";

const TONES: Record<Health["status"], Tone> = {
  healthy: "success",
  unhealthy: "danger",
  unknown: "neutral",
};

type Props = { health: Health; now: number; testing?: boolean };

export function HealthBadge({ health, now, testing = false }: Props) {
  if (testing) {
    return (
      <Badge tone="neutral" data-testid="health-badge" data-status="testing" aria-live="polite">
        <span className="badge-spinner">
          <Spinner size={10} />
          Testing…
        </span>
      </Badge>
    );
  }
  const tooltip = healthTooltip(health, now);
  return (
    <>
      <Badge
        tone={TONES[health.status]}
        dot
        title={tooltip}
        data-testid="health-badge"
        data-status={health.status}
      >
        {healthLabel(health)}
      </Badge>
      <span className="visually-hidden">. {tooltip}</span>
    </>
  );
}

/** "Checked 5 minutes ago" under the badge, or nothing before the first check. */
export function CheckedAgo({ health, now }: { health: Health; now: number }) {
  const when = health.checkedAt ? relativeTime(health.checkedAt, now) : null;
  if (!when) return null;
  return (
    <span className="health-meta" data-testid="health-checked" aria-hidden="true">
      Checked {when}
    </span>
  );
}

/** A warning badge while the circuit breaker is open (calls fail fast). */
export function BreakerBadge({ breaker, now }: { breaker: BreakerView; now: number }) {
  if (breaker.state !== "open") return null;
  const retry = breaker.retryAt ? relativeTime(breaker.retryAt, now) : null;
  const title = `${breaker.failures} ${breaker.failures === 1 ? "failure" : "failures"} in a row; calls fail fast${
    retry ? ` until ${retry}` : ""
  }. Test Connection tries again now.`;
  return (
    <Badge tone="warning" title={title} data-testid="breaker-badge" data-state="open">
      Paused{retry ? ` · retry ${retry}` : ""}
      <span className="visually-hidden">. {title}</span>
    </Badge>
  );
}
