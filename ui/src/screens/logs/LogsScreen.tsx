import { useCallback, useEffect, useId, useMemo, useState } from "react";

import {
  Button,
  EmptyState,
  ErrorNotice,
  ExportIcon,
  LoadingRow,
  SelectField,
  Switch,
  TerminalIcon,
  TextField,
} from "../../components/kit";
import { useActions } from "../../data/queries";
import { useExportLogs, useLogHistogram, useLogs } from "./data";
import { LogHistogram } from "./LogHistogram";
import { LogDetails } from "./LogDetails";
import { LogsTable } from "./LogsTable";
import {
  ALL,
  barText,
  DEFAULT_FILTERS,
  histogramQuery,
  isKind,
  isOutcome,
  isRange,
  KINDS,
  OUTCOMES,
  RANGES,
  SEARCH_DEBOUNCE_MS,
  toQuery,
  type Filters,
} from "./model";

import "./LogsScreen.css";

/** `#/logs`: every call, test, token fetch, refresh and health change, newest at the bottom. */
export function LogsScreen() {
  const titleId = useId();
  const actions = useActions();
  const [filters, setFilters] = useState<Filters>(DEFAULT_FILTERS);
  // "Last hour" counts back from when the filters were chosen; new rows still follow.
  const [anchor, setAnchor] = useState(() => Date.now());
  const [searchText, setSearchText] = useState("");
  const [tail, setTail] = useState(false);
  const [selectedId, setSelectedId] = useState<number | null>(null);

  /** Another filter: the picked bar goes (it belonged to the old bars). */
  function update(patch: Partial<Filters>) {
    setFilters((f) => ({ ...f, bar: null, ...patch }));
    setAnchor(Date.now());
    setSelectedId(null);
  }

  useEffect(() => {
    if (searchText === filters.search) return;
    const t = setTimeout(() => {
      setFilters((f) => ({ ...f, search: searchText, bar: null }));
      setAnchor(Date.now());
      setSelectedId(null);
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [searchText, filters.search]);

  const query = useMemo(() => toQuery(filters, new Date(anchor)), [filters, anchor]);
  const logs = useLogs(query, tail);
  const histQuery = useMemo(() => histogramQuery(filters, new Date(anchor)), [filters, anchor]);
  const histogram = useLogHistogram(histQuery, tail);
  // Picking a bar keeps the anchor: the histogram stays as it is.
  const pickBar = useCallback((bar: Filters["bar"]) => {
    setFilters((f) => ({ ...f, bar }));
    setSelectedId(null);
  }, []);
  const exporter = useExportLogs();
  const rows = logs.data;

  const selectedIndex = useMemo(() => {
    if (selectedId === null || !rows) return null;
    const i = rows.findIndex((r) => r.id === selectedId);
    return i < 0 ? null : i;
  }, [rows, selectedId]);
  const selected = selectedIndex === null ? null : (rows?.[selectedIndex] ?? null);

  const actionOptions = [
    { value: ALL, label: "All actions" },
    ...(actions.data ?? []).map((a) => ({ value: a.name, label: a.name })),
  ];
  if (filters.action !== ALL && !actionOptions.some((o) => o.value === filters.action)) {
    actionOptions.push({ value: filters.action, label: filters.action });
  }
  const filtered =
    filters.action !== ALL ||
    filters.kind !== ALL ||
    filters.outcome !== ALL ||
    filters.range !== ALL ||
    filters.search.trim() !== "" ||
    filters.bar !== null;

  let body;
  if (logs.isPending) {
    body = <LoadingRow>Loading logs…</LoadingRow>;
  } else if (logs.isError && !rows) {
    body = (
      <ErrorNotice
        error={logs.error}
        title="Couldn’t load the logs"
        onRetry={() => void logs.refetch()}
        retrying={logs.isFetching}
        testId="logs-error"
      />
    );
  } else if (!rows || rows.length === 0) {
    body = (
      <EmptyState
        testId="logs-empty"
        icon={<TerminalIcon size={22} />}
        title={filtered ? "No rows match" : "Nothing logged yet"}
        description={
          filtered
            ? "No log row matches these filters. Widen the time range, pick another action or clear the search."
            : "Every call, test, token fetch, refresh and health change appears here, with credentials redacted."
        }
        action={
          filtered ? (
            <Button
              onClick={() => {
                setSearchText("");
                update(DEFAULT_FILTERS);
              }}
            >
              Clear filters
            </Button>
          ) : undefined
        }
      />
    );
  } else {
    body = (
      <div className="logs-main">
        <LogsTable
          rows={rows}
          selectedIndex={selectedIndex}
          onSelect={(i) => setSelectedId(rows[i]?.id ?? null)}
          tail={tail}
        />
        <LogDetails row={selected} />
      </div>
    );
  }

  return (
    <section className="screen logs-screen" aria-labelledby={titleId} data-testid="logs-screen">
      <header className="screen__header logs-header">
        <div>
          <h1 id={titleId} className="screen__title">
            Logs
          </h1>
          <p className="logs-header__count" data-testid="logs-count" aria-live="polite">
            {rows ? `${rows.length.toLocaleString()} ${rows.length === 1 ? "row" : "rows"}` : " "}
          </p>
        </div>
        <div className="logs-header__tools">
          <span className="logs-tail">
            <Switch checked={tail} onCheckedChange={setTail} label="Live tail" testId="logs-tail" />
            <span aria-hidden="true">Live tail</span>
          </span>
          <Button
            onClick={() => exporter.mutate(query)}
            disabled={!rows || rows.length === 0}
            busy={exporter.isPending}
            data-testid="logs-export"
          >
            <ExportIcon size={14} />
            Export JSON lines
          </Button>
        </div>
      </header>
      <div className="logs-filters">
        <SelectField
          label="Action"
          name="logs-action"
          testId="logs-action"
          value={filters.action}
          onChange={(action) => update({ action })}
          options={actionOptions}
        />
        <SelectField
          label="Kind"
          name="logs-kind"
          testId="logs-kind"
          value={filters.kind}
          onChange={(v) => (isKind(v) || v === ALL ? update({ kind: v }) : undefined)}
          options={[{ value: ALL, label: "Any kind" }, ...KINDS]}
        />
        <SelectField
          label="Outcome"
          name="logs-outcome"
          testId="logs-outcome"
          value={filters.outcome}
          onChange={(v) => (isOutcome(v) ? update({ outcome: v }) : undefined)}
          options={[...OUTCOMES]}
        />
        <SelectField
          label="Time"
          name="logs-range"
          testId="logs-range"
          value={filters.range}
          onChange={(v) => (isRange(v) ? update({ range: v }) : undefined)}
          options={RANGES.map((r) => ({ value: r.value, label: r.label }))}
        />
        <div className="logs-filters__search">
          <TextField
            label="Search"
            name="logs-search"
            testId="logs-search"
            type="search"
            placeholder="Summary, request or response"
            value={searchText}
            onChange={setSearchText}
          />
        </div>
      </div>
      {histogram.data && histogram.data.bars.length > 0 && (
        <LogHistogram
          histogram={histogram.data}
          picked={filters.bar?.from ?? null}
          onPick={pickBar}
        />
      )}
      {filters.bar && (
        <p className="logs-bar-filter" data-testid="logs-bar-filter">
          <span>
            Showing <strong>{barText(filters.bar)}</strong>
          </span>
          <Button size="sm" onClick={() => pickBar(null)} data-testid="logs-bar-clear">
            Show the whole range
          </Button>
        </p>
      )}
      {rows && logs.isError && (
        <ErrorNotice
          error={logs.error}
          title="Couldn’t refresh the logs"
          onRetry={() => void logs.refetch()}
          retrying={logs.isFetching}
        />
      )}
      {body}
    </section>
  );
}
