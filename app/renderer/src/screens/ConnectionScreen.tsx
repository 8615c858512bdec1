import { useState } from 'react';
import { Badge, Button, Card, Group, Modal, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { ConnectionState } from '@helmlink/app-preload';
import { connectBroker, disconnectBroker, useConnection } from '../stores/connection';
import { useSettings } from '../stores/settings';
import { TruthBadge } from '../components/TruthBadge';
import { CertificateViewer } from '../components/CertificateViewer';
import { ErrorNotice } from '../components/ErrorNotice';
import { friendlyError } from '../logic/errors';
import { formatTime } from '../logic/format';
import { testIds } from '../testids';

export const CONNECTION_WORDS: Record<ConnectionState, { label: string; color: string }> = {
  connected: { label: 'Connected', color: 'green' },
  connecting: { label: 'Connecting…', color: 'cyan' },
  reconnecting: { label: 'Reconnecting…', color: 'yellow' },
  disconnected: { label: 'Disconnected', color: 'gray' },
  error: { label: 'Connection failed', color: 'red' },
};

/**
 * Compact broker status for the header. It says "Connected" only while both the page's link to the console
 * service and the broker connection are up; otherwise it says which one is not, in the grammar's words.
 */
export function ConnectionBadge() {
  const broker = useConnection((s) => s.broker);
  const bridge = useConnection((s) => s.bridge);
  if (bridge !== 'open')
    return (
      <TruthBadge state="stale" testId={testIds.connectionBadge} data={{ state: 'service-lost' }}>
        Console service link lost
      </TruthBadge>
    );
  if (!broker)
    return (
      <TruthBadge state="pending" testId={testIds.connectionBadge} data={{ state: 'loading' }}>
        Broker: checking…
      </TruthBadge>
    );
  if (broker.state === 'connected')
    return (
      <TruthBadge state="verified" testId={testIds.connectionBadge} data={{ state: 'connected' }}>
        Broker: connected{broker.tlsVersion ? ` · ${broker.tlsVersion}` : ''}
      </TruthBadge>
    );
  const trying = broker.state === 'connecting' || broker.state === 'reconnecting';
  return (
    <TruthBadge
      state={trying ? 'pending' : 'linkDown'}
      testId={testIds.connectionBadge}
      data={{ state: broker.state }}
    >
      Broker: {CONNECTION_WORDS[broker.state].label.toLowerCase()}
    </TruthBadge>
  );
}

/** Disconnect, behind a confirmation: vessel states stop updating and no command can be sent meanwhile. */
function DisconnectButton({ busy }: { busy: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button
        variant="default"
        onClick={() => setOpen(true)}
        loading={busy}
        data-testid={testIds.connectionDisconnect}
      >
        Disconnect…
      </Button>
      <Modal
        opened={open}
        onClose={() => setOpen(false)}
        title="Disconnect from the broker?"
        transitionProps={{ duration: 0 }}
      >
        <Stack data-testid={testIds.disconnectDialog}>
          <Text>
            Vessel states and data rates stop updating and no command can be sent until you connect again. The
            vessels keep their current stream settings.
          </Text>
          <Group justify="flex-end">
            <Button
              variant="default"
              onClick={() => setOpen(false)}
              data-autofocus
              data-testid={testIds.disconnectCancel}
            >
              Stay connected
            </Button>
            <Button
              color="red"
              onClick={() => {
                setOpen(false);
                void disconnectBroker();
              }}
              data-testid={testIds.disconnectConfirm}
            >
              Disconnect
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

/** Broker connection details and the broker's certificate. */
export function ConnectionScreen() {
  const broker = useConnection((s) => s.broker);
  const busy = useConnection((s) => s.busy);
  const error = useConnection((s) => s.error);
  const app = useConnection((s) => s.app);
  const savedBroker = useSettings((s) => s.server?.brokerUrl ?? null);
  const state = broker?.state ?? 'disconnected';
  const w = CONNECTION_WORDS[state];
  const up = state === 'connected' || state === 'connecting' || state === 'reconnecting';
  return (
    <Stack data-testid={testIds.connectionScreen}>
      <Title order={2}>Connection</Title>
      <ErrorNotice error={error} />
      <Card withBorder>
        <Group justify="space-between" align="flex-start">
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs" verticalSpacing={4}>
            <Text size="sm" c="dimmed">
              State
            </Text>
            <Badge color={w.color} data-testid={testIds.connectionState} data-state={state}>
              {w.label}
            </Badge>
            <Text size="sm" c="dimmed">
              Broker
            </Text>
            <Text size="sm" ff="monospace" data-testid={testIds.connectionBroker}>
              {broker?.brokerUrl ?? savedBroker ?? 'not configured (set it in Settings)'}
            </Text>
            <Text size="sm" c="dimmed">
              TLS
            </Text>
            <Text size="sm" data-testid={testIds.connectionTls}>
              {broker?.tlsVersion ? `${broker.tlsVersion}${broker.cipher ? ` · ${broker.cipher}` : ''}` : '—'}
            </Text>
            <Text size="sm" c="dimmed">
              MQTT
            </Text>
            <Text size="sm">
              {broker?.mqttVersion === 5 ? '5.0' : broker?.mqttVersion === 4 ? '3.1.1' : '—'}
            </Text>
            <Text size="sm" c="dimmed">
              Since
            </Text>
            <Text size="sm">{formatTime(broker?.since ?? undefined)}</Text>
            {app && (
              <>
                <Text size="sm" c="dimmed">
                  Console
                </Text>
                <Text size="sm">
                  v{app.version} · {app.transport === 'web' ? 'web bridge' : 'desktop'} · contract v
                  {app.contractVersion}
                </Text>
              </>
            )}
          </SimpleGrid>
          {up ? (
            <DisconnectButton busy={busy} />
          ) : (
            <Button
              onClick={() => void connectBroker()}
              loading={busy}
              data-testid={testIds.connectionConnect}
            >
              Connect
            </Button>
          )}
        </Group>
        {broker?.lastError && <ErrorNotice error={friendlyError(broker.lastError)} />}
      </Card>
      <Card withBorder data-testid={testIds.peerCert('broker')}>
        <CertificateViewer
          peer={broker?.broker ?? null}
          title="Broker certificate (presented in the TLS handshake)"
        />
      </Card>
    </Stack>
  );
}
