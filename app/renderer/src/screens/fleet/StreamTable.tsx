/** A vessel's verified streams as toggles, with the pilot's pending changes and the live data indicator. */
import { Badge, Group, Switch, Table, Text, Tooltip } from '@mantine/core';
import type { VesselView } from '@helmlink/app-preload';
import { rateKey, requestToggle, useFleet } from '../../stores/fleet';
import { desiredOn, type Draft } from '../../logic/fleet';
import { formatBitrate, formatRate, formatTime } from '../../logic/format';
import { testIds } from '../../testids';

/** Live data indicator for one stream. */
function RateIndicator({ vesselId, streamId, on }: { vesselId: string; streamId: string; on: boolean }) {
  const rate = useFleet((s) => s.rates[rateKey(vesselId, streamId)]);
  const mps = rate?.messagesPerSecond ?? 0;
  const flowing = mps > 0;
  const color = flowing ? 'green' : on ? 'orange' : 'gray';
  return (
    <Tooltip label={rate?.lastMessageAt ? `last message ${formatTime(rate.lastMessageAt)}` : 'no data seen'}>
      <Badge
        variant="dot"
        tt="none"
        color={color}
        data-testid={testIds.rate(vesselId, streamId)}
        data-rate={String(mps)}
        data-flowing={String(flowing)}
      >
        {formatRate(mps)}
      </Badge>
    </Tooltip>
  );
}

export function StreamTable({
  vessel,
  draft,
  confirmCritical,
}: {
  vessel: VesselView;
  draft: Draft | undefined;
  confirmCritical: boolean;
}) {
  const id = vessel.vesselId;
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table verticalSpacing={4} fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>On</Table.Th>
            <Table.Th>Stream</Table.Th>
            <Table.Th>Kind</Table.Th>
            <Table.Th>Group:port</Table.Th>
            <Table.Th ta="right">Bitrate</Table.Th>
            <Table.Th>Data</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {vessel.streams.map((s) => {
            const want = desiredOn(s, draft);
            const changed = want !== s.on;
            return (
              <Table.Tr key={s.id} data-changed={String(changed)}>
                <Table.Td>
                  <Switch
                    checked={want}
                    onChange={(e) => requestToggle(id, s.id, e.currentTarget.checked, confirmCritical)}
                    aria-label={`${s.id} ${s.name} (${s.address})`}
                    data-testid={testIds.toggle(id, s.id)}
                    data-on={String(want)}
                    color={changed ? 'yellow' : undefined}
                  />
                </Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    <Text size="sm" fw={600}>
                      {s.id}
                    </Text>
                    {s.name !== s.id && (
                      <Text size="sm" c="dimmed">
                        {s.name}
                      </Text>
                    )}
                    {s.critical && (
                      <Badge size="xs" color="orange" variant="outline">
                        nav-critical
                      </Badge>
                    )}
                    {changed && (
                      <Badge size="xs" color="yellow">
                        {want ? '→ on' : '→ off'}
                      </Badge>
                    )}
                  </Group>
                </Table.Td>
                <Table.Td>{s.kind}</Table.Td>
                <Table.Td ff="monospace">{s.address}</Table.Td>
                <Table.Td ta="right">{formatBitrate(s.bitrateBps)}</Table.Td>
                <Table.Td>
                  <RateIndicator vesselId={id} streamId={s.id} on={s.on} />
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
