import { useEffect, useRef, useState } from 'react';
import { Badge, Button, Code, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { exportAudit, searchAudit, useAudit } from '../stores/audit';
import { ErrorNotice } from '../components/ErrorNotice';
import { formatMs, formatTime } from '../logic/format';
import { saveTextFile } from '../logic/download';
import { testIds } from '../testids';

const VERDICT_COLOR: Record<string, string> = {
  applied: 'green',
  accepted: 'green',
  ok: 'green',
  rejected: 'red',
  invalid: 'red',
  timed_out: 'orange',
};

/** Searchable audit log of commands, acks, states and PKI actions; export as JSON Lines. */
export function AuditScreen() {
  const entries = useAudit((s) => s.entries);
  const total = useAudit((s) => s.total);
  const loading = useAudit((s) => s.loading);
  const exporting = useAudit((s) => s.exporting);
  const error = useAudit((s) => s.error);
  const [text, setText] = useState(useAudit((s) => s.query));
  const search = useRef<HTMLInputElement>(null);
  useHotkeys([['/', () => search.current?.focus()]]);

  useEffect(() => {
    const t = setTimeout(() => void searchAudit(text), 250);
    return () => clearTimeout(t);
  }, [text]);

  const doExport = async (): Promise<void> => {
    const file = await exportAudit();
    if (file) saveTextFile(file.filename, file.jsonl, 'application/jsonl');
  };

  return (
    <Stack data-testid={testIds.auditScreen}>
      <Group justify="space-between">
        <Title order={2}>Audit log</Title>
        <Button
          variant="default"
          onClick={() => void doExport()}
          loading={exporting}
          data-testid={testIds.auditExport}
        >
          Export JSON Lines
        </Button>
      </Group>
      <TextInput
        ref={search}
        placeholder="Search vessel, command id, verdict, code… (press / to focus)"
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        aria-label="Search the audit log"
        data-testid={testIds.auditSearch}
      />
      <ErrorNotice error={error} />
      <Text size="sm" c="dimmed" data-testid={testIds.auditCount} data-count={String(total)}>
        {loading
          ? 'Searching…'
          : `${total} entr${total === 1 ? 'y' : 'ies'}${entries.length < total ? `, newest ${entries.length} shown` : ''}`}
      </Text>
      <Table.ScrollContainer minWidth={800}>
        <Table striped highlightOnHover fz="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Time</Table.Th>
              <Table.Th>Event</Table.Th>
              <Table.Th>Vessel</Table.Th>
              <Table.Th>Verdict</Table.Th>
              <Table.Th>Details</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {entries.map((e) => (
              <Table.Tr key={e.id} data-testid={testIds.auditRow} data-kind={e.kind} data-verdict={e.verdict}>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatTime(e.at)}</Table.Td>
                <Table.Td>{e.kind}</Table.Td>
                <Table.Td>{e.vesselId ?? '—'}</Table.Td>
                <Table.Td>
                  <Badge color={VERDICT_COLOR[e.verdict] ?? 'gray'} variant="light">
                    {e.verdict}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Stack gap={2}>
                    {e.commandId && (
                      <Text size="xs" ff="monospace">
                        cmd {e.commandId}
                      </Text>
                    )}
                    {(e.code || e.message) && (
                      <Text size="xs">{[e.code, e.message].filter(Boolean).join(': ')}</Text>
                    )}
                    {e.rttMs !== null && <Text size="xs">round trip {formatMs(e.rttMs)}</Text>}
                    {e.actor && (
                      <Text size="xs" c="dimmed">
                        by {e.actor}
                      </Text>
                    )}
                    {e.token && (
                      <details>
                        <summary style={{ cursor: 'pointer', fontSize: 12 }}>signed token</summary>
                        <Code block fz="xs" style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}>
                          {e.token}
                        </Code>
                      </details>
                    )}
                  </Stack>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}
