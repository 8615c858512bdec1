import { Badge, Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { ConnectionState } from '@helmlink/app-preload';
import { connectBroker, disconnectBroker, useConnection } from '../stores/connection';
import { CertificateViewer } from '../components/CertificateViewer';
import { ErrorNotice } from '../components/ErrorNotice';
import { friendlyError } from '../logic/errors';
import { formatTime } from '../logic/format';
import { testIds } from '../testids';

export const CONNECTION_WORDS: Record<ConnectionState, { label: string; color: string }> = {
  connected: { label: 'Connected', color: 'green' },
  connecting: { label: 'Connecting…', color: 'blue' },
  reconnecting: { label: 'Reconnecting…', color: 'yellow' },
  disconnected: { label: 'Disconnected', color: 'gray' },
  error: { label: 'Connection failed', color: 'red' },
};

/** Compact broker status for the header. */
export function ConnectionBadge() {
  const broker = useConnection((s) => s.broker);
  const w = CONNECTION_WORDS[broker?.state ?? 'disconnected'];
  return (
    <Badge
      color={w.color}
      variant="light"
      tt="none"
      data-testid={testIds.connectionBadge}
      data-state={broker?.state ?? 'disconnected'}
    >
      Broker: {w.label}
      {broker?.state === 'connected' && broker.tlsVersion ? ` · ${broker.tlsVersion}` : ''}
    </Badge>
  );
}

/** Broker connection details and the broker's certificate. */
export function ConnectionScreen() {
  const broker = useConnection((s) => s.broker);
  const busy = useConnection((s) => s.busy);
  const error = useConnection((s) => s.error);
  const app = useConnection((s) => s.app);
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
              {broker?.brokerUrl ?? 'not configured'}
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
            <Button
              variant="default"
              onClick={() => void disconnectBroker()}
              loading={busy}
              data-testid={testIds.connectionDisconnect}
            >
              Disconnect
            </Button>
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
