/** A vessel's latest command (state, round trip, the vessel's reason) and its recent history. */
import { Badge, Group, Loader, Stack, Table, Text } from '@mantine/core';
import type { CommandView } from '@helmlink/app-preload';
import { useShallow } from 'zustand/react/shallow';
import { recentCommands, useCommands } from '../../stores/commands';
import { formatMs, formatTime } from '../../logic/format';
import { describeReason } from '../../logic/errors';
import { testIds } from '../../testids';

const COMMAND_WORDS: Record<CommandView['state'], { label: string; color: string }> = {
  pending: { label: 'Waiting for the vessel…', color: 'blue' },
  applied: { label: 'Applied (verified acknowledgement)', color: 'green' },
  rejected: { label: 'Rejected by the vessel', color: 'red' },
  timed_out: { label: 'No answer (timed out)', color: 'orange' },
  expired: { label: 'Expired without an answer', color: 'orange' },
  failed: { label: 'Could not be sent', color: 'red' },
};

export function CommandStatus({ vesselId, cmd }: { vesselId: string; cmd: CommandView | undefined }) {
  if (!cmd)
    return (
      <Text size="sm" c="dimmed" data-testid={testIds.commandStatus(vesselId)} data-status="none">
        No command sent yet
      </Text>
    );
  const w = COMMAND_WORDS[cmd.state];
  return (
    <Stack gap={2} aria-live="polite">
      <Group gap="xs">
        <Badge
          color={w.color}
          data-testid={testIds.commandStatus(vesselId)}
          data-status={cmd.state}
          data-command-id={cmd.commandId}
          leftSection={cmd.state === 'pending' ? <Loader size={10} color="white" /> : undefined}
        >
          {w.label}
        </Badge>
        {cmd.rttMs !== null && (
          <Text size="sm" data-testid={testIds.commandRtt(vesselId)} data-rtt={String(cmd.rttMs)}>
            round trip {formatMs(cmd.rttMs)}
          </Text>
        )}
        <Text size="xs" c="dimmed">
          sent {formatTime(cmd.sentAt)}
        </Text>
      </Group>
      {cmd.reason && cmd.state !== 'applied' && (
        <Text size="sm" c="red" data-testid={testIds.commandReason(vesselId)} data-code={cmd.reason.code}>
          {describeReason(cmd.reason.code)}{' '}
          {cmd.reason.message && cmd.reason.message !== describeReason(cmd.reason.code)
            ? `(${cmd.reason.message})`
            : ''}
        </Text>
      )}
    </Stack>
  );
}

/** The vessel's last few commands (collapsed). */
export function CommandHistory({ vesselId }: { vesselId: string }) {
  const list = useCommands(useShallow((s) => recentCommands(s, vesselId)));
  if (list.length < 2) return null;
  return (
    <details data-testid={testIds.history(vesselId)}>
      <summary style={{ cursor: 'pointer', fontSize: 'var(--mantine-font-size-sm)' }}>
        Recent commands ({list.length})
      </summary>
      <Table fz="xs" mt={4}>
        <Table.Tbody>
          {list.map((c) => (
            <Table.Tr key={c.commandId} data-testid={testIds.historyRow} data-status={c.state}>
              <Table.Td>{formatTime(c.sentAt)}</Table.Td>
              <Table.Td>
                <Badge size="xs" color={COMMAND_WORDS[c.state].color}>
                  {c.state.replace('_', ' ')}
                </Badge>
              </Table.Td>
              <Table.Td>{c.rttMs !== null ? formatMs(c.rttMs) : ''}</Table.Td>
              <Table.Td>
                {c.reason ? describeReason(c.reason.code) : `${c.on.length} on, ${c.off.length} off`}
              </Table.Td>
              <Table.Td ff="monospace">{c.commandId}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </details>
  );
}
