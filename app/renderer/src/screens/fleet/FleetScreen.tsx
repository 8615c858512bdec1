/** The pilot's first screen: the fleet overview grid, the selected vessel's stream panel and the broker banner. */
import { memo, useMemo, useRef } from 'react';
import type { CommandView, VesselView } from '@helmlink/app-preload';
import { Alert, Box, Button, Group, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMediaQuery, useViewportSize } from '@mantine/hooks';
import { setFleetFilter, useFleet } from '../../stores/fleet';
import { latestCommand, useCommands, type CommandsStoreState } from '../../stores/commands';
import type { Draft } from '../../logic/fleet';
import { connectBroker, useConnection } from '../../stores/connection';
import { filterRows, fleetRow, sortRows, type ConsoleLinks, type FleetRow } from '../../logic/fleet-rows';
import { TRUTH, TRUTH_STATES, type TruthState } from '../../logic/grammar';
import { ErrorNotice } from '../../components/ErrorNotice';
import { TruthBadge } from '../../components/TruthBadge';
import { testIds } from '../../testids';
import { ConfirmCriticalDialog } from './ConfirmCriticalDialog';
import { FleetGrid, ROW_HEIGHT } from './FleetGrid';
import { VesselCard } from './VesselCard';
import { VesselAlerts } from './VesselAlerts';

/** Shown above the fleet while the broker link is down (not before the first status is known: no flash on load). */
const BrokerDownBanner = memo(function BrokerDownBanner() {
  const broker = useConnection((s) => s.broker);
  const busy = useConnection((s) => s.busy);
  const error = useConnection((s) => s.error);
  if (!broker || broker.state === 'connected') return null;
  const state = broker.state;
  const trying = state === 'connecting' || state === 'reconnecting';
  const failed = state === 'error' || !!error;
  return (
    <Alert
      color={trying ? 'cyan' : failed ? 'red' : 'gray'}
      title={
        trying
          ? 'Connecting to the broker…'
          : failed
            ? 'Not connected: the connection failed'
            : 'Not connected to the broker'
      }
      data-testid={testIds.brokerDownBanner}
      data-state={state}
      role="status"
    >
      <Stack gap="xs">
        <Group justify="space-between">
          <Text size="sm">
            Vessel states and data rates are not live and commands cannot be sent until the connection is
            back.
          </Text>
          {!trying && (
            <Button size="xs" onClick={() => void connectBroker()} loading={busy}>
              Connect
            </Button>
          )}
        </Group>
        <ErrorNotice error={error} testId={testIds.brokerConnectError} />
      </Stack>
    </Alert>
  );
});

/** Counts per state of the grammar (`verified:7,pending:1`, a string so that equal counts skip the render). */
function countsOf(rows: FleetRow[]): string {
  const counts = new Map<TruthState, number>();
  for (const r of rows) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  return TRUTH_STATES.filter((s) => counts.has(s))
    .map((s) => `${s}:${counts.get(s)}`)
    .join(',');
}

/** Counts per state of the grammar, as badges (a fleet summary at a glance). */
const Summary = memo(function Summary({ total, counts: key }: { total: number; counts: string }) {
  const counts = new Map(
    key
      .split(',')
      .filter(Boolean)
      .map((p) => p.split(':') as [TruthState, string]),
  );
  return (
    <Group gap="xs" data-testid={testIds.fleetSummary} aria-label="Fleet summary">
      <Text size="sm" fw={600}>
        {total} vessel{total === 1 ? '' : 's'}
      </Text>
      {TRUTH_STATES.filter((s) => counts.has(s)).map((s) => (
        <TruthBadge key={s} state={s} data={{ count: counts.get(s)! }}>
          {counts.get(s)} {TRUTH[s].label.toLowerCase()}
        </TruthBadge>
      ))}
    </Group>
  );
});

/** The text and status filters (own subscriptions: they do not render again when vessels change). */
const FleetFilters = memo(function FleetFilters() {
  const filter = useFleet((s) => s.filter);
  return (
    <Group gap="xs" align="flex-end">
      <TextInput
        label="Filter"
        placeholder="name, IMO, MMSI, flag…"
        value={filter.text}
        onChange={(e) => setFleetFilter({ text: e.currentTarget.value })}
        data-testid={testIds.fleetFilter}
        w={220}
      />
      <Select
        label="Status"
        placeholder="any"
        clearable
        data={TRUTH_STATES.map((s) => ({ value: s, label: TRUTH[s].label }))}
        value={filter.status}
        onChange={(v) => setFleetFilter({ status: (v as TruthState | null) ?? null })}
        data-testid={testIds.fleetStatusFilter}
        w={150}
        comboboxProps={{ withinPortal: false }}
      />
    </Group>
  );
});

const MemoCard = memo(VesselCard);
const MemoConfirm = memo(ConfirmCriticalDialog);

/**
 * The overview's rows, recomputed only for vessels whose view, draft or last command changed (a cache keyed by
 * the vessel object, which the store keeps for unchanged vessels), and in full when the console's links change.
 */
function useFleetRows(
  order: string[],
  vessels: Record<string, VesselView>,
  drafts: Record<string, Draft>,
  commands: CommandsStoreState,
  links: ConsoleLinks,
): FleetRow[] {
  const cache = useRef(
    new WeakMap<VesselView, { draft?: Draft; cmd?: CommandView; links: ConsoleLinks; row: FleetRow }>(),
  );
  const { service, broker } = links;
  return useMemo(() => {
    const out: FleetRow[] = [];
    for (const id of order) {
      const v = vessels[id];
      if (!v) continue;
      const draft = drafts[id];
      const cmd = latestCommand(commands, id);
      const hit = cache.current.get(v);
      if (
        hit &&
        hit.draft === draft &&
        hit.cmd === cmd &&
        hit.links.service === service &&
        hit.links.broker === broker
      ) {
        out.push(hit.row);
        continue;
      }
      const row = fleetRow(v, draft, cmd, { service, broker });
      cache.current.set(v, { draft, cmd, links: { service, broker }, row });
      out.push(row);
    }
    return out;
  }, [order, vessels, drafts, commands, service, broker]);
}

/** The pilot's main screen. */
export function FleetScreen() {
  const order = useFleet((s) => s.order);
  const vessels = useFleet((s) => s.vessels);
  const drafts = useFleet((s) => s.drafts);
  const sort = useFleet((s) => s.sort);
  const filter = useFleet((s) => s.filter);
  const selected = useFleet((s) => s.selected);
  const loading = useFleet((s) => s.loading);
  const error = useFleet((s) => s.error);
  const commands = useCommands((s) => s);
  const bridge = useConnection((s) => s.bridge);
  const broker = useConnection((s) => s.broker);
  const wide = useMediaQuery('(min-width: 75em)');
  const { height: vh } = useViewportSize();

  const all = useFleetRows(order, vessels, drafts, commands, { service: bridge, broker });
  const rows = useMemo(
    () => sortRows(filterRows(all, filter.text, filter.status), sort),
    [all, filter, sort],
  );
  const panelRow = selected ? all.find((r) => r.vesselId === selected) : undefined;
  const panelVessel = selected ? vessels[selected] : undefined;
  const maxHeight = Math.max(200, (vh || 720) * (panelRow && !wide ? 0.4 : 0.62));
  const gridHeight = Math.min(maxHeight, rows.length * ROW_HEIGHT + 42);

  return (
    <Stack data-testid={testIds.fleetScreen} gap="sm">
      <Group justify="space-between" align="flex-end">
        <Stack gap={4}>
          <Title order={2}>Fleet</Title>
          <Summary total={all.length} counts={countsOf(all)} />
        </Stack>
        <FleetFilters />
      </Group>
      <BrokerDownBanner />
      <ErrorNotice error={error} />
      {order.length === 0 ? (
        <Text c="dimmed" data-testid={testIds.fleetEmpty}>
          {loading
            ? 'Loading vessels…'
            : 'No vessel has published a state yet. Vessels appear here once their signed state arrives.'}
        </Text>
      ) : (
        <Box className="hl-fleet-layout" data-wide={String(!!wide && !!panelRow)}>
          <Box className="hl-fleet-grid">
            {rows.length === 0 ? (
              <Alert
                color="gray"
                variant="light"
                title="No vessel matches"
                data-testid={testIds.fleetNoMatch}
              >
                <Group justify="space-between">
                  <Text size="sm">Nothing matches the filter. Clear it to see all {all.length} vessels.</Text>
                  <Button
                    size="xs"
                    variant="default"
                    onClick={() => setFleetFilter({ text: '', status: null })}
                  >
                    Clear the filter
                  </Button>
                </Group>
              </Alert>
            ) : (
              <FleetGrid rows={rows} height={gridHeight} />
            )}
          </Box>
          {panelRow && panelVessel && (
            <Box className="hl-fleet-panel">
              <MemoCard vessel={panelVessel} row={panelRow} />
            </Box>
          )}
        </Box>
      )}
      <VesselAlerts />
      <MemoConfirm />
    </Stack>
  );
}
