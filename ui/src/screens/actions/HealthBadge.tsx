import type { Health } from "../../bindings/Health";
import { Badge, type Tone } from "../../components/Badge";
import { healthLabel, healthTooltip } from "./format";

const TONES: Record<Health["status"], Tone> = {
  healthy: "success",
  unhealthy: "danger",
  unknown: "neutral",
};

export function HealthBadge({ health, now }: { health: Health; now: number }) {
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
