import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useEffect, useRef, type KeyboardEvent } from "react";

import type { LogEntry } from "../../bindings/LogEntry";
import { Badge } from "../../components/kit";
import { formatLatency, formatTime, kindLabel, moveSelection, ROW_HEIGHT } from "./model";

type Props = {
  rows: LogEntry[];
  selectedIndex: number | null;
  onSelect: (index: number) => void;
  /** Live tail: stay at the newest row as rows arrive. */
  tail: boolean;
};

const COLUMNS = ["Time", "Action", "Kind", "Outcome", "Status", "Latency", "Summary"];

/**
 * The log rows as a grid that renders only the rows in view (fixed row height), so 100,000
 * rows scroll like 100. Arrow keys, Home and End move the selection.
 */
export function LogsTable({ rows, selectedIndex, onSelect, tail }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  // The virtualizer hands out fresh measurements every render, so this component is left
  // unmemoized on purpose (the rows themselves are memo()'d).
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    initialRect: { width: 800, height: 600 },
    // The newest rows are at the bottom: open there.
    initialOffset: rows.length * ROW_HEIGHT,
  });

  // While tailing, stay at the newest row (the bottom) as rows arrive.
  useEffect(() => {
    if (tail && rows.length > 0) virtualizer.scrollToIndex(rows.length - 1, { align: "end" });
  }, [rows.length, tail, virtualizer]);

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    const next = moveSelection(selectedIndex, rows.length, e.key);
    if (next === null) return;
    e.preventDefault();
    onSelect(next);
    virtualizer.scrollToIndex(next, { align: "auto" });
  }

  const active = selectedIndex === null ? undefined : rows[selectedIndex];
  return (
    <div
      className="logs-table"
      role="grid"
      aria-label="Log rows"
      aria-rowcount={rows.length + 1}
      aria-multiselectable={false}
    >
      <div className="logs-row logs-row--head" role="row" aria-rowindex={1}>
        {COLUMNS.map((c) => (
          <span key={c} role="columnheader" className="logs-cell">
            {c}
          </span>
        ))}
      </div>
      <div
        ref={scrollRef}
        className="logs-table__scroll"
        tabIndex={0}
        onKeyDown={onKeyDown}
        aria-activedescendant={active ? `log-row-${active.id}` : undefined}
        data-testid="logs-scroll"
      >
        <div className="logs-table__space" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            return (
              <LogRow
                key={row.id}
                row={row}
                index={item.index}
                top={item.start}
                selected={item.index === selectedIndex}
                onSelect={onSelect}
              />
            );
          })}
        </div>
      </div>
    </div>
  );
}

type RowProps = {
  row: LogEntry;
  index: number;
  top: number;
  selected: boolean;
  onSelect: (index: number) => void;
};

const LogRow = memo(function LogRow({ row, index, top, selected, onSelect }: RowProps) {
  const failed = row.outcome !== "ok";
  return (
    <div
      id={`log-row-${row.id}`}
      className={selected ? "logs-row is-selected" : "logs-row"}
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      data-testid="log-row"
      data-id={row.id}
      style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT }}
      onClick={() => onSelect(index)}
    >
      <span role="gridcell" className="logs-cell logs-cell--mono">
        {formatTime(row.at)}
      </span>
      <span role="gridcell" className="logs-cell">
        {row.subject ?? "—"}
      </span>
      <span role="gridcell" className="logs-cell">
        {kindLabel(row.kind)}
      </span>
      <span role="gridcell" className="logs-cell">
        <Badge tone={failed ? "danger" : "success"} dot>
          {failed ? "Error" : "OK"}
        </Badge>
      </span>
      <span role="gridcell" className="logs-cell logs-cell--num">
        {row.status ?? "—"}
      </span>
      <span role="gridcell" className="logs-cell logs-cell--num">
        {formatLatency(row.latencyMs)}
      </span>
      <span role="gridcell" className="logs-cell logs-cell--summary" title={row.summary}>
        {row.summary}
      </span>
    </div>
  );
});
