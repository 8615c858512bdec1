/**
 * The fleet overview: one row per vessel in an ARIA grid (sortable column headers, arrow keys, Home/End, Page
 * Up/Down, Enter opens the stream panel), virtualised so that only the rows in view are in the DOM.
 */
import { memo, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { Text, UnstyledButton } from '@mantine/core';
import { selectVessel, sortFleetBy, useFleet } from '../../stores/fleet';
import { sameRow, type FleetRow, type Sort, type SortKey } from '../../logic/fleet-rows';
import { formatAge, formatBitrate, formatMs, formatTime } from '../../logic/format';
import { TruthBadge } from '../../components/TruthBadge';
import { Icon } from '../../components/Icon';
import { useNow } from '../../hooks/useNow';
import { testIds } from '../../testids';

/** Row height in pixels (fixed: the virtual window is computed from it). */
export const ROW_HEIGHT = 44;
const HEADER_HEIGHT = 40;
const OVERSCAN = 6;

interface Column {
  key: SortKey;
  label: string;
  width: number;
}

const COLUMNS: Column[] = [
  { key: 'name', label: 'Vessel', width: 196 },
  { key: 'status', label: 'Status', width: 130 },
  { key: 'link', label: 'Link', width: 160 },
  { key: 'verifiedAt', label: 'State verified', width: 170 },
  { key: 'pending', label: 'Pending', width: 96 },
  { key: 'streamsOn', label: 'Streams on', width: 150 },
  { key: 'rttMs', label: 'Last RTT', width: 100 },
  { key: 'imo', label: 'IMO', width: 86 },
  { key: 'mmsi', label: 'MMSI', width: 100 },
  { key: 'flag', label: 'Flag', width: 56 },
];
const GRID_WIDTH = COLUMNS.reduce((a, c) => a + c.width, 0);
const template = COLUMNS.map((c) => `${c.width}px`).join(' ');

function LinkCell({ row, now }: { row: FleetRow; now: number }) {
  if (row.link === 'connected')
    return (
      <span className="hl-cell-tone" style={{ color: 'var(--hl-ok)' }}>
        <Icon name="plug" /> Connected
      </span>
    );
  if (row.link === 'down') {
    const age = row.linkSince ? formatAge(Date.parse(row.linkSince), now).replace(/ ago$/u, '') : null;
    return (
      <span
        className="hl-cell-tone"
        style={{ color: 'var(--hl-linkDown)' }}
        title={row.linkSince ? `down since ${formatTime(row.linkSince)}` : undefined}
      >
        <Icon name="linkOff" /> {age && age !== 'just now' ? `Down for ${age}` : 'Down'}
      </span>
    );
  }
  if (row.link === 'unverified')
    return (
      <span className="hl-cell-tone" style={{ color: 'var(--hl-danger)' }}>
        <Icon name="shieldX" /> Not verified
      </span>
    );
  return (
    <span className="hl-cell-tone" style={{ color: 'var(--hl-stale)' }}>
      <Icon name="clock" /> Unknown (not live)
    </span>
  );
}

function StateCell({ row, now }: { row: FleetRow; now: number }) {
  if (row.verifiedAt === null) return <span style={{ color: 'var(--hl-danger)' }}>None verified</span>;
  const age = formatAge(row.verifiedAt, now);
  const live = row.verified && row.link === 'connected';
  // Not live: the age of the last verified state, dimmed (still ≥ 4.5:1), said in words.
  return (
    <span style={{ color: live ? 'var(--hl-text)' : 'var(--hl-dimmed)' }}>
      {live ? age : `last verified ${age}`}
    </span>
  );
}

interface RowProps {
  row: FleetRow;
  index: number;
  active: boolean;
  selected: boolean;
  now: number;
  onActivate: (index: number) => void;
}

const Row = memo(function Row({ row, index, active, selected, now, onActivate }: RowProps) {
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      tabIndex={active ? 0 : -1}
      className="hl-grid-row"
      data-row-index={index}
      data-testid={testIds.fleetRow(row.vesselId)}
      data-status={row.status}
      data-verified={String(row.verified)}
      data-selected={String(selected)}
      style={{ top: index * ROW_HEIGHT, gridTemplateColumns: template, width: GRID_WIDTH }}
      onClick={() => {
        onActivate(index);
        selectVessel(row.vesselId);
      }}
    >
      <div role="gridcell" className="hl-grid-cell hl-grid-sticky">
        <Text size="sm" fw={700} lh={1.2}>
          {row.name}
        </Text>
        <Text size="xs" c="dimmed" lh={1.2}>
          {row.vesselId}
        </Text>
      </div>
      <div role="gridcell" className="hl-grid-cell">
        <TruthBadge state={row.status} />
      </div>
      <div role="gridcell" className="hl-grid-cell">
        <LinkCell row={row} now={now} />
      </div>
      <div role="gridcell" className="hl-grid-cell" title={row.verifiedAt ? formatTime(row.verifiedAt) : ''}>
        <StateCell row={row} now={now} />
      </div>
      <div role="gridcell" className="hl-grid-cell">
        {row.pending > 0 ? (
          <span className="hl-cell-tone" style={{ color: 'var(--hl-info)' }}>
            <Icon name="hourglass" /> {row.pending}
          </span>
        ) : (
          <span style={{ color: 'var(--hl-dimmed)' }}>none</span>
        )}
      </div>
      <div role="gridcell" className="hl-grid-cell">
        {row.streamsTotal > 0
          ? `${row.streamsOn}/${row.streamsTotal} · ${formatBitrate(row.requestedBps)}`
          : '—'}
      </div>
      <div role="gridcell" className="hl-grid-cell">
        {row.rttMs !== null ? formatMs(row.rttMs) : '—'}
      </div>
      <div role="gridcell" className="hl-grid-cell hl-mono">
        {row.imo || '—'}
      </div>
      <div role="gridcell" className="hl-grid-cell hl-mono">
        {row.mmsi || '—'}
      </div>
      <div role="gridcell" className="hl-grid-cell">
        {row.flag || '—'}
      </div>
    </div>
  );
}, sameRowProps);

function sameRowProps(a: RowProps, b: RowProps): boolean {
  return (
    a.index === b.index &&
    a.active === b.active &&
    a.selected === b.selected &&
    a.now === b.now &&
    a.onActivate === b.onActivate &&
    sameRow(a.row, b.row)
  );
}

function HeaderCell({ column, sort }: { column: Column; sort: Sort }) {
  const sorted = sort.key === column.key;
  return (
    <div
      role="columnheader"
      className="hl-grid-cell hl-grid-head"
      aria-sort={sorted ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
    >
      <UnstyledButton
        onClick={() => sortFleetBy(column.key)}
        data-testid={testIds.fleetSort(column.key)}
        className="hl-sort"
      >
        {column.label}
        <span aria-hidden="true">{sorted ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
      </UnstyledButton>
    </div>
  );
}

/** The virtualised grid over the (sorted, filtered) rows. */
export function FleetGrid({ rows, height }: { rows: FleetRow[]; height: number }) {
  const sort = useFleet((s) => s.sort);
  const selected = useFleet((s) => s.selected);
  const now = useNow(1000);
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [active, setActive] = useState(0);
  const focusPending = useRef(false);
  const activeIndex = Math.min(active, Math.max(0, rows.length - 1));
  const bodyHeight = height - HEADER_HEIGHT;
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + bodyHeight) / ROW_HEIGHT) + OVERSCAN);

  const moveTo = (index: number): void => {
    const i = Math.max(0, Math.min(rows.length - 1, index));
    const el = box.current;
    if (el) {
      const top = i * ROW_HEIGHT;
      if (top < el.scrollTop) el.scrollTop = top;
      else if (top + ROW_HEIGHT > el.scrollTop + bodyHeight) el.scrollTop = top + ROW_HEIGHT - bodyHeight;
      setScrollTop(el.scrollTop);
    }
    focusPending.current = true;
    setActive(i);
  };

  useLayoutEffect(() => {
    if (!focusPending.current) return;
    focusPending.current = false;
    box.current
      ?.querySelector<HTMLElement>(`[data-row-index="${activeIndex}"]`)
      ?.focus({ preventScroll: true });
  });

  useEffect(() => {
    if (active >= rows.length && rows.length > 0) setActive(rows.length - 1);
  }, [active, rows.length]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (!(e.target as HTMLElement).matches('[role="row"]')) return;
    const page = Math.max(1, Math.floor(bodyHeight / ROW_HEIGHT) - 1);
    const keys: Record<string, () => void> = {
      ArrowDown: () => moveTo(activeIndex + 1),
      ArrowUp: () => moveTo(activeIndex - 1),
      PageDown: () => moveTo(activeIndex + page),
      PageUp: () => moveTo(activeIndex - page),
      Home: () => moveTo(0),
      End: () => moveTo(rows.length - 1),
      Enter: () => rows[activeIndex] && selectVessel(rows[activeIndex].vesselId),
      ' ': () => rows[activeIndex] && selectVessel(rows[activeIndex].vesselId),
      Escape: () => selectVessel(null),
    };
    const run = keys[e.key];
    if (run) {
      e.preventDefault();
      run();
    }
  };

  return (
    <div
      ref={box}
      role="grid"
      aria-label="Fleet overview: one row per vessel"
      aria-rowcount={rows.length + 1}
      aria-colcount={COLUMNS.length}
      className="hl-grid"
      style={{ height }}
      data-testid={testIds.fleetGrid}
      data-rows={String(rows.length)}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      onKeyDown={onKeyDown}
    >
      <div role="rowgroup" className="hl-grid-header" style={{ width: GRID_WIDTH }}>
        <div
          role="row"
          aria-rowindex={1}
          className="hl-grid-headrow"
          style={{ gridTemplateColumns: template }}
        >
          {COLUMNS.map((c) => (
            <HeaderCell key={c.key} column={c} sort={sort} />
          ))}
        </div>
      </div>
      <div
        role="rowgroup"
        style={{ height: rows.length * ROW_HEIGHT, width: GRID_WIDTH, position: 'relative' }}
      >
        {rows.slice(first, last).map((row, k) => (
          <Row
            key={row.vesselId}
            row={row}
            index={first + k}
            active={first + k === activeIndex}
            selected={row.vesselId === selected}
            now={now}
            onActivate={setActive}
          />
        ))}
      </div>
    </div>
  );
}
