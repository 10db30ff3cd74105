import { Fragment, useMemo, useState } from "react";

import type { ActionView } from "../../bindings/ActionView";
import type { ApprovalCounts } from "../../bindings/ApprovalCounts";
import type { BreakerView } from "../../bindings/BreakerView";
import type { ActionSeries } from "../../bindings/ActionSeries";
import type { SeriesWindow } from "../../bindings/SeriesWindow";
import {
  Badge,
  Button,
  EmptyState,
  ErrorNotice,
  PlugIcon,
  Spinner,
  type Tone,
} from "../../components/kit";
import { ListScreen, RefreshError } from "../../components/layout/ListScreen";
import { useActions } from "../../data/queries";
import { useNow } from "../../lib/useNow";
import { navigate } from "../../lib/useHashRoute";
import { HealthBadge } from "../../components/health/HealthBadge";
import { KIND_LABELS } from "../actions/format";
import { type TestAllProgress, useApprovalCounts, useHealthSeries, useHealthTests } from "./data";
import { SeriesChart, Sparkline, WindowToggle } from "./HealthCharts";
import { seriesByName, WINDOWS } from "./series";
import {
  breakerText,
  checkedText,
  countsByAction,
  countsFor,
  healthSummary,
  type HealthSummary,
  latencyText,
  reasonText,
  sortByHealth,
  testAllNames,
  toolCountText,
} from "./model";

import "./HealthScreen.css";

/** The table's columns (a chart row spans them all). */
const COLUMNS = 10;

/** Relative times ("checked 2 minutes ago", "retry in 30 seconds") are redrawn this often. */
const CLOCK_MS = 10_000;

export function HealthScreen() {
  const actions = useActions();
  const counts = useApprovalCounts();
  const now = useNow(CLOCK_MS);
  const { testing, progress, testOne, testAll, cancel } = useHealthTests();

  const all = actions.data;
  const rows = useMemo(() => (all ? sortByHealth(all) : []), [all]);
  const summary = useMemo(() => healthSummary(all ?? []), [all]);
  const countMap = useMemo(() => countsByAction(counts.data ?? []), [counts.data]);
  const enabled = useMemo(() => (all ? testAllNames(all) : []), [all]);
  const [window, setWindow] = useState<SeriesWindow>("24h");
  const [opened, setOpened] = useState<string | null>(null);
  const series = useHealthSeries(window);
  const byName = useMemo(() => seriesByName(series.data ?? []), [series.data]);
  const windowLabel = WINDOWS.find((w) => w.value === window)?.label ?? window;

  let body;
  if (actions.isPending) {
    body = (
      <div className="health-state" data-testid="health-loading">
        <Spinner label="Loading actions…" size={20} />
      </div>
    );
  } else if (actions.isError && all === undefined) {
    body = (
      <div className="health-state">
        <ErrorNotice
          error={actions.error}
          title="Couldn’t load actions"
          onRetry={() => void actions.refetch()}
          retrying={actions.isFetching}
          testId="health-error"
        />
      </div>
    );
  } else if (!all || all.length === 0) {
    body = (
      <EmptyState
        testId="health-empty"
        icon={<PlugIcon size={22} />}
        title="Nothing to watch yet"
        description="Add an action and its health, latency and circuit breaker show up here."
        action={
          <Button variant="primary" onClick={() => navigate("actions", "new")}>
            Add Custom Action
          </Button>
        }
      />
    );
  } else {
    body = (
      <>
        <Summary summary={summary} />
        <div className="table-scroll">
          <table className="health-table" data-testid="health-table">
            <thead>
              <tr>
                <th scope="col">Action</th>
                <th scope="col">Status</th>
                <th scope="col">Reason</th>
                <th scope="col" className="num">
                  Latency
                </th>
                <th scope="col" className="num">
                  Tools
                </th>
                <th scope="col">Calls, last {windowLabel}</th>
                <th scope="col">Last checked</th>
                <th scope="col">Breaker</th>
                <th scope="col">Confirmations</th>
                <th scope="col">
                  <span className="visually-hidden">Test</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((action) => {
                const s = byName.get(action.name);
                const open = opened === action.name && s !== undefined;
                return (
                  <Fragment key={action.id}>
                    <HealthRow
                      action={action}
                      now={now}
                      counts={countsFor(countMap, action.name)}
                      testing={testing.has(action.name)}
                      onTest={() => testOne(action.name)}
                      series={s}
                      open={open}
                      onToggle={() => setOpened(open ? null : action.name)}
                    />
                    {open && (
                      <tr className="health-detail" data-testid="health-detail">
                        <td colSpan={COLUMNS}>
                          <SeriesChart series={s} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
      </>
    );
  }

  return (
    <ListScreen
      title="Health"
      testId="health-screen"
      count={all?.length}
      tools={
        <div className="screen__tools">
          <WindowToggle name="health-window" value={window} onChange={setWindow} />
          {progress && <Progress progress={progress} />}
          {progress ? (
            <Button onClick={cancel} disabled={progress.cancelling} data-testid="health-cancel">
              {progress.cancelling ? "Cancelling…" : "Cancel"}
            </Button>
          ) : (
            <Button
              variant="primary"
              onClick={() => void testAll(enabled)}
              disabled={enabled.length === 0}
              title={enabled.length === 0 ? "No enabled action to test" : undefined}
              data-testid="health-test-all"
            >
              Test all
            </Button>
          )}
        </div>
      }
    >
      <RefreshError query={actions} />
      <div className="screen__body">{body}</div>
    </ListScreen>
  );
}

function Progress({ progress }: { progress: TestAllProgress }) {
  const { done, total } = progress;
  return (
    <span className="health-progress" data-testid="health-progress" role="status">
      <Spinner size={12} />
      <span>
        Tested {done} of {total}
      </span>
      <progress value={done} max={total} aria-hidden="true" />
    </span>
  );
}

const SUMMARY: { key: keyof Omit<HealthSummary, "total">; label: string; tone: Tone }[] = [
  { key: "healthy", label: "Healthy", tone: "success" },
  { key: "unhealthy", label: "Unhealthy", tone: "danger" },
  { key: "unknown", label: "Unknown", tone: "neutral" },
];

function Summary({ summary }: { summary: HealthSummary }) {
  return (
    <dl className="health-summary" data-testid="health-summary">
      {SUMMARY.map(({ key, label, tone }) => (
        <div
          key={key}
          className={`health-summary__item tone-${tone}`}
          data-testid={`health-summary-${key}`}
        >
          <dt>{label}</dt>
          <dd>{summary[key]}</dd>
        </div>
      ))}
    </dl>
  );
}

const BREAKER_TONES: Record<BreakerView["state"], Tone> = {
  closed: "neutral",
  open: "warning",
  half_open: "info",
};

function BreakerCell({ breaker, now }: { breaker: BreakerView; now: number }) {
  const failures = `${breaker.failures} ${breaker.failures === 1 ? "failure" : "failures"} in a row`;
  return (
    <Badge
      tone={BREAKER_TONES[breaker.state]}
      variant={breaker.state === "closed" ? "outline" : "soft"}
      title={breaker.state === "closed" ? undefined : failures}
      data-testid="health-breaker"
      data-state={breaker.state}
    >
      {breakerText(breaker, now)}
    </Badge>
  );
}

function ConfirmationCell({ counts, confirm }: { counts?: ApprovalCounts; confirm: boolean }) {
  if (!counts && !confirm) return <span className="health-muted">—</span>;
  const c = counts ?? { approved: 0, denied: 0, expired: 0 };
  return (
    <span className="health-confirmations" data-testid="health-confirmations">
      <span>{c.approved} approved</span>
      <span>{c.denied} denied</span>
      <span>{c.expired} expired</span>
    </span>
  );
}

type RowProps = {
  action: ActionView;
  now: number;
  counts: ApprovalCounts | undefined;
  testing: boolean;
  onTest: () => void;
  series: ActionSeries | undefined;
  open: boolean;
  onToggle: () => void;
};

function HealthRow({ action, now, counts, testing, onTest, series, open, onToggle }: RowProps) {
  const { health } = action;
  return (
    <tr
      className={action.enabled ? undefined : "is-disabled"}
      data-testid="health-row"
      data-name={action.name}
      data-status={testing ? "testing" : health.status}
    >
      <th scope="row">
        <div className="health-table__name">
          <span className="health-name">{action.name}</span>
          <span className="health-muted">
            {KIND_LABELS[action.kind]}
            {action.enabled ? "" : " · disabled"}
          </span>
        </div>
      </th>
      <td>
        <HealthBadge health={health} now={now} testing={testing} />
      </td>
      <td className="health-table__reason">
        <span className="health-reason" title={health.message ?? undefined}>
          {reasonText(health)}
        </span>
      </td>
      <td className="num">{latencyText(health)}</td>
      <td className="num">{toolCountText(health)}</td>
      <td className="health-table__spark">
        {series ? (
          <button
            type="button"
            className="health-spark__button"
            aria-expanded={open}
            aria-label={`${open ? "Hide" : "Show"} ${action.name}’s calls over time`}
            onClick={onToggle}
            data-testid="health-spark-toggle"
          >
            <Sparkline series={series} />
          </button>
        ) : (
          <span className="health-muted">—</span>
        )}
      </td>
      <td>
        <time dateTime={health.checkedAt ?? undefined}>{checkedText(health, now)}</time>
      </td>
      <td>
        <BreakerCell breaker={action.breaker} now={now} />
      </td>
      <td>
        <ConfirmationCell counts={counts} confirm={action.confirm} />
      </td>
      <td>
        <Button
          size="sm"
          onClick={onTest}
          busy={testing}
          aria-label={`Test ${action.name}`}
          data-testid="health-test"
        >
          Test
        </Button>
      </td>
    </tr>
  );
}
