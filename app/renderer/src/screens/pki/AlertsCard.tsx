/** Alerts pushed by the CA (refused enrollments, revocations, …). */
import { Badge, Card, Group, Stack, Text, Title } from '@mantine/core';
import { usePki } from '../../stores/pki';
import { formatTime } from '../../logic/format';
import { testIds } from '../../testids';

export function AlertsCard() {
  const alerts = usePki((s) => s.alerts);
  return (
    <Card withBorder data-testid={testIds.alertsFeed}>
      <Title order={3} mb="xs">
        Alerts from the CA
      </Title>
      {alerts.length === 0 && (
        <Text c="dimmed" size="sm">
          No alerts.
        </Text>
      )}
      <Stack gap={6} aria-live="polite">
        {alerts.slice(0, 50).map((a) => (
          <Group
            key={a.id}
            gap="xs"
            wrap="nowrap"
            align="flex-start"
            data-testid={testIds.alertRow}
            data-kind={a.kind}
            data-severity={a.severity}
          >
            <Badge
              size="sm"
              color={a.severity === 'critical' ? 'red' : a.severity === 'warning' ? 'yellow' : 'blue'}
            >
              {a.severity}
            </Badge>
            <Stack gap={0}>
              <Text size="sm">{a.message}</Text>
              <Text size="xs" c="dimmed">
                {formatTime(a.at)} · {a.kind}
              </Text>
            </Stack>
          </Group>
        ))}
      </Stack>
    </Card>
  );
}
