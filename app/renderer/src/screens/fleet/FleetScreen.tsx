/** The pilot's main screen: one card per vessel, the broker link banner and the critical-stream confirmation. */
import { Alert, Button, Group, Stack, Text, Title } from '@mantine/core';
import { useFleet } from '../../stores/fleet';
import { connectBroker, useConnection } from '../../stores/connection';
import { ErrorNotice } from '../../components/ErrorNotice';
import { testIds } from '../../testids';
import { ConfirmCriticalDialog } from './ConfirmCriticalDialog';
import { VesselCard } from './VesselCard';
import { VesselAlerts } from './VesselAlerts';

/** Shown above the fleet while the broker link is down: states and rates are not live then. */
function BrokerDownBanner() {
  const broker = useConnection((s) => s.broker);
  const busy = useConnection((s) => s.busy);
  const state = broker?.state ?? 'disconnected';
  if (state === 'connected') return null;
  const trying = state === 'connecting' || state === 'reconnecting';
  return (
    <Alert
      color={trying ? 'yellow' : 'red'}
      title={trying ? 'Connecting to the broker…' : 'Not connected to the broker'}
      data-testid={testIds.brokerDownBanner}
      data-state={state}
    >
      <Group justify="space-between">
        <Text size="sm">
          Vessel states and data rates are not live and commands cannot be sent until the connection is back.
        </Text>
        {!trying && (
          <Button size="xs" onClick={() => void connectBroker()} loading={busy}>
            Connect
          </Button>
        )}
      </Group>
    </Alert>
  );
}

/** The pilot's main screen. */
export function FleetScreen() {
  const order = useFleet((s) => s.order);
  const vessels = useFleet((s) => s.vessels);
  const loading = useFleet((s) => s.loading);
  const error = useFleet((s) => s.error);
  return (
    <Stack data-testid={testIds.fleetScreen}>
      <Title order={2}>Fleet</Title>
      <BrokerDownBanner />
      <ErrorNotice error={error} />
      {order.length === 0 && (
        <Text c="dimmed" data-testid={testIds.fleetEmpty}>
          {loading
            ? 'Loading vessels…'
            : 'No vessel has published a state yet. Vessels appear here once their signed state arrives.'}
        </Text>
      )}
      {order.map((id) => vessels[id] && <VesselCard key={id} vessel={vessels[id]} />)}
      <VesselAlerts />
      <ConfirmCriticalDialog />
    </Stack>
  );
}
