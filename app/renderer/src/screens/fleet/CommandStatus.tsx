/** A vessel's latest command (state, round trip, the vessel's reason) and its recent history. */
import { Group, Stack, Table, Text } from '@mantine/core';
import type { CommandView, StreamChange } from '@helmlink/app-preload';
import { useShallow } from 'zustand/react/shallow';
import { recentCommands, useCommands } from '../../stores/commands';
import { formatAge, formatMs, formatTimeZoned } from '../../logic/format';
import { describeReason } from '../../logic/errors';
import type { TruthState } from '../../logic/grammar';
import { TruthBadge } from '../../components/TruthBadge';
import { useNow } from '../../hooks/useNow';
import { testIds } from '../../testids';

const COMMAND_WORDS: Record<CommandView['state'], { label: string; truth: TruthState }> = {
  pending: { label: 'Waiting for the vessel…', truth: 'pending' },
  applied: { label: 'Applied (verified acknowledgement)', truth: 'applied' },
  rejected: { label: 'Rejected by the vessel', truth: 'rejected' },
  timed_out: { label: 'No answer yet (it may still apply until it expires)', truth: 'pending' },
  expired: { label: 'Expired without an answer', truth: 'expired' },
  failed: { label: 'Could not be sent', truth: 'rejected' },
};

/**
 * The words of a command's reason, once: the vessel's own sentence when it gave one (its signed reason), else the
 * code's words with the message when it adds something.
 */
export function reasonWords(reason: CommandView['reason']): string {
  if (!reason) return '';
  const words = describeReason(reason.code);
  const vessel = reason.vesselText?.trim();
  if (vessel) return `${words} The vessel says: “${vessel}”`;
  const extra = reason.message.trim();
  return extra && extra !== words && !words.includes(extra.replace(/\.$/u, ''))
    ? `${words} (${extra})`
    : words;
}

/**
 * The latest command. While the pilot has changes not sent yet, they replace the previous command's badge (an old
 * "Applied" never stands beside new pending changes).
 */
export function CommandStatus({
  vesselId,
  cmd,
  pendingChanges = 0,
}: {
  vesselId: string;
  cmd: CommandView | undefined;
  pendingChanges?: number;
}) {
  const now = useNow(1000);
  if (pendingChanges > 0 && cmd?.state !== 'pending')
    return (
      <Group gap="xs" data-testid={testIds.commandChanges(vesselId)} data-count={String(pendingChanges)}>
        <TruthBadge state="pending">
          {pendingChanges} change{pendingChanges === 1 ? '' : 's'} not sent yet
        </TruthBadge>
        <span
          hidden
          data-testid={testIds.commandStatus(vesselId)}
          data-status={cmd ? 'superseded' : 'none'}
          data-command-id={cmd?.commandId ?? ''}
        />
      </Group>
    );
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
        <TruthBadge
          state={w.truth}
          testId={testIds.commandStatus(vesselId)}
          data={{ status: cmd.state, 'command-id': cmd.commandId }}
        >
          {w.label}
        </TruthBadge>
        {cmd.rttMs !== null && (
          <Text size="sm" data-testid={testIds.commandRtt(vesselId)} data-rtt={String(cmd.rttMs)}>
            round trip {formatMs(cmd.rttMs)}
          </Text>
        )}
        <Text size="xs" c="dimmed">
          sent {formatTimeZoned(cmd.sentAt)} ({formatAge(Date.parse(cmd.sentAt), now)})
        </Text>
      </Group>
      {cmd.reason && cmd.state !== 'applied' && (
        <Text size="sm" c="red" data-testid={testIds.commandReason(vesselId)} data-code={cmd.reason.code}>
          {reasonWords(cmd.reason)}
        </Text>
      )}
    </Stack>
  );
}

/** The streams a command switched, by name: `CAM-BOW off, VDRD on` (`no change` when it switched none). */
export function describeChanges(changes: readonly StreamChange[] | null | undefined): string {
  if (!changes || changes.length === 0) return 'no change';
  return changes.map((c) => `${c.id} ${c.on ? 'on' : 'off'}`).join(', ');
}

/** The vessel's last few commands (collapsed). */
export function CommandHistory({ vesselId }: { vesselId: string }) {
  const list = useCommands(useShallow((s) => recentCommands(s, vesselId)));
  const now = useNow(5000);
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
              <Table.Td>
                {formatTimeZoned(c.sentAt)}
                <br />
                {formatAge(Date.parse(c.sentAt), now)}
              </Table.Td>
              <Table.Td>
                <TruthBadge state={COMMAND_WORDS[c.state].truth}>{c.state.replace('_', ' ')}</TruthBadge>
              </Table.Td>
              <Table.Td>{c.rttMs !== null ? formatMs(c.rttMs) : ''}</Table.Td>
              <Table.Td>
                {describeChanges(c.changes)}
                {c.reason && c.state !== 'applied' ? ` — ${reasonWords(c.reason)}` : ''}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </details>
  );
}
