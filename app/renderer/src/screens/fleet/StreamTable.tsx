/** A vessel's verified streams as toggles, with the pilot's pending changes and the live data indicator. */
import { memo } from 'react';
import { Badge, Group, Switch, Table, Text } from '@mantine/core';
import type { StreamFlow, StreamStateView, VesselView } from '@helmlink/app-preload';
import { rateKey, requestToggle, useFleet } from '../../stores/fleet';
import { desiredOn, type Draft } from '../../logic/fleet';
import { formatBitrate, formatRate, formatTime } from '../../logic/format';
import { testIds } from '../../testids';

/** What the data indicator says: flowing, on but silent, stopped (off in the verified state) or unknown. */
export type DataState = StreamFlow;

/**
 * The indicator's state: the services' flow when known; a stream off in the verified state is stopped at once,
 * whatever the decaying rate still says.
 */
export function dataState(on: boolean, messagesPerSecond: number, flow?: StreamFlow): DataState {
  if (!on) return 'stopped';
  if (flow) return flow;
  return messagesPerSecond > 0 ? 'flowing' : 'silent';
}

/** A filled circle (flowing), a hollow triangle (on but silent) or a square (stopped). */
function DataShape({ state }: { state: DataState }) {
  const color = `var(--hl-data-${state === 'stopped' || state === 'unknown' ? 'off' : state})`;
  return (
    <svg
      width="12"
      height="12"
      viewBox="0 0 12 12"
      aria-hidden="true"
      focusable="false"
      style={{ flex: 'none' }}
    >
      {state === 'flowing' && <circle cx="6" cy="6" r="5" fill={color} />}
      {state === 'silent' && <path d="M6 1.5 11 10.5H1Z" fill="none" stroke={color} strokeWidth="2" />}
      {state === 'stopped' && <rect x="2" y="2" width="8" height="8" fill={color} />}
      {state === 'unknown' && (
        <rect x="2" y="2" width="8" height="8" fill="none" stroke={color} strokeWidth="2" />
      )}
    </svg>
  );
}

const DATA_WORDS: Record<DataState, string> = {
  flowing: '',
  silent: 'on, no data',
  stopped: 'stopped',
  unknown: 'unknown',
};

/** Live data indicator for one stream. */
function RateIndicator({ vesselId, stream }: { vesselId: string; stream: StreamStateView }) {
  const rate = useFleet((s) => s.rates[rateKey(vesselId, stream.id)]);
  const mps = stream.on ? (rate?.messagesPerSecond ?? 0) : 0;
  const state = dataState(stream.on, mps, rate?.flow);
  return (
    <span
      title={rate?.lastMessageAt ? `last message ${formatTime(rate.lastMessageAt)}` : 'no data seen'}
      className="hl-cell-tone"
      style={{
        color:
          state === 'silent'
            ? 'var(--hl-warning)'
            : state === 'flowing'
              ? 'var(--hl-text)'
              : 'var(--hl-dimmed)',
      }}
      data-testid={testIds.rate(vesselId, stream.id)}
      data-rate={String(mps)}
      data-flowing={String(state === 'flowing')}
      data-data={state}
    >
      <DataShape state={state} />
      {state === 'flowing' ? formatRate(mps) : DATA_WORDS[state]}
    </span>
  );
}

export function StreamTable({
  vessel,
  draft,
  confirmCritical,
  live,
}: {
  vessel: VesselView;
  draft: Draft | undefined;
  confirmCritical: boolean;
  live: boolean;
}) {
  const id = vessel.vesselId;
  return (
    <Table verticalSpacing={4} fz="sm" layout="fixed" data-live={String(live)}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th w={84}>On</Table.Th>
          <Table.Th>Stream</Table.Th>
          <Table.Th w={128}>Data · bitrate</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {vessel.streams.map((s) => (
          <StreamRow
            key={s.id}
            vesselId={id}
            stream={s}
            want={desiredOn(s, draft)}
            live={live}
            confirmCritical={confirmCritical}
          />
        ))}
      </Table.Tbody>
    </Table>
  );
}

interface StreamRowProps {
  vesselId: string;
  stream: StreamStateView;
  want: boolean;
  live: boolean;
  confirmCritical: boolean;
}

/** One stream: the switch (with On/Off in words), its names and address, and the data indicator. */
const StreamRow = memo(function StreamRow({
  vesselId: id,
  stream: s,
  want,
  live,
  confirmCritical,
}: StreamRowProps) {
  const changed = want !== s.on;
  return (
    <Table.Tr data-changed={String(changed)}>
      <Table.Td>
        <Switch
          checked={want}
          disabled={!live}
          onChange={(e) => requestToggle(id, s.id, e.currentTarget.checked, confirmCritical)}
          aria-label={`${s.id} ${s.name} (${s.address})`}
          data-testid={testIds.toggle(id, s.id)}
          data-on={String(want)}
          label={want ? 'On' : 'Off'}
          size="sm"
        />
      </Table.Td>
      <Table.Td>
        <Group gap={4}>
          <Text size="sm" fw={700}>
            {s.id}
          </Text>
          {s.name !== s.id && (
            <Text size="sm" c="dimmed">
              {s.name}
            </Text>
          )}
          {s.critical && (
            <Badge size="xs" color="orange" variant="outline" tt="none">
              nav-critical
            </Badge>
          )}
          {changed && (
            <Badge size="xs" color="cyan" variant="light" tt="none">
              {want ? 'pending → on' : 'pending → off'}
            </Badge>
          )}
        </Group>
        <Text size="xs" c="dimmed" ff="monospace">
          {s.kind} · {s.address}
        </Text>
      </Table.Td>
      <Table.Td>
        <RateIndicator vesselId={id} stream={s} />
        <Text size="xs" c="dimmed">
          {formatBitrate(s.bitrateBps)}
        </Text>
      </Table.Td>
    </Table.Tr>
  );
}, sameStreamRow);

function sameStreamRow(a: StreamRowProps, b: StreamRowProps): boolean {
  const x = a.stream;
  const y = b.stream;
  return (
    a.vesselId === b.vesselId &&
    a.want === b.want &&
    a.live === b.live &&
    a.confirmCritical === b.confirmCritical &&
    (x === y ||
      (x.id === y.id &&
        x.on === y.on &&
        x.name === y.name &&
        x.kind === y.kind &&
        x.address === y.address &&
        x.bitrateBps === y.bitrateBps &&
        x.critical === y.critical))
  );
}
