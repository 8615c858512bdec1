/** Alerts the vessels raised (signed by them and verified by the console), and the console's own link alerts. */
import { Badge, Card, Group, Stack, Text, Title } from '@mantine/core';
import { VESSEL_ALERT_KINDS, isVesselAlertKind } from '@helmlink/protocol/vocabulary';
import { useFleet } from '../../stores/fleet';
import { formatTime } from '../../logic/format';
import { testIds } from '../../testids';

export function VesselAlerts() {
  const alerts = useFleet((s) => s.alerts);
  // The certified names of the alerting vessels, as one string: the list renders again only when one changes.
  const names = useFleet((s) =>
    alerts
      .slice(0, 50)
      .map((a) => (a.vesselId ? (s.vessels[a.vesselId]?.identity.name ?? a.vesselId) : 'this console'))
      .join('\n'),
  ).split('\n');
  if (alerts.length === 0) return null;
  return (
    <Card withBorder data-testid={testIds.vesselAlerts}>
      <Title order={3} mb="xs">
        Alerts from the vessels
      </Title>
      <Stack gap={6} aria-live="polite">
        {alerts.slice(0, 50).map((a, k) => (
          <Group
            key={`${a.vesselId ?? 'console'}-${a.at}-${a.kind}-${a.message}`}
            gap="xs"
            wrap="wrap"
            align="flex-start"
            data-testid={testIds.vesselAlertRow}
            data-kind={a.kind}
            data-vessel={a.vesselId ?? ''}
          >
            <Badge size="sm" color="red" style={{ flexShrink: 0 }}>
              {names[k]}
            </Badge>
            <Stack gap={0}>
              <Text size="sm">
                {/* The console's own alert has no vessel's kind words (those say "the vessel refused it"). */}
                {a.vesselId !== null && isVesselAlertKind(a.kind) ? `${VESSEL_ALERT_KINDS[a.kind]}: ` : ''}
                {a.message}
              </Text>
              <Text size="xs" c="dimmed">
                {formatTime(a.at)} · {a.code}
              </Text>
            </Stack>
          </Group>
        ))}
      </Stack>
    </Card>
  );
}
