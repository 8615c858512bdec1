import { useEffect, useRef, useState } from 'react';
import { Alert, Badge, Button, Code, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import type { AuditEntry } from '@helmlink/app-preload';
import { useHotkeys } from '@mantine/hooks';
import { exportAudit, searchAudit, useAudit } from '../stores/audit';
import { ErrorNotice } from '../components/ErrorNotice';
import { formatAge, formatMs, formatTimeZoned } from '../logic/format';
import { describeChanges } from './fleet/CommandStatus';
import { useNow } from '../hooks/useNow';
import { saveTextFile } from '../logic/download';
import { ScrollRegion } from '../components/ScrollRegion';
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
  const now = useNow(5000);
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
      {!loading && total === 0 && <AuditEmpty text={text} onClear={() => setText('')} />}
      {entries.length > 0 && (
        <ScrollRegion label="Audit entries (scrolls sideways)">
          <Table striped highlightOnHover fz="sm" miw={800}>
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
                <AuditRow key={e.id} e={e} now={now} />
              ))}
            </Table.Tbody>
          </Table>
        </ScrollRegion>
      )}
    </Stack>
  );
}

/** The vessel of an entry by its certified name and IMO number, and its id. */
function AuditVessel({ entry }: { entry: AuditEntry }) {
  if (!entry.vesselId) return <>—</>;
  const name = entry.vessel?.name;
  const imo = entry.vessel?.imo;
  return (
    <Stack gap={0}>
      {name && <Text size="sm">{name}</Text>}
      <Text size={name ? 'xs' : 'sm'} c={name ? 'dimmed' : undefined}>
        {imo && entry.vesselId !== `IMO${imo}` ? `${entry.vesselId} · IMO ${imo}` : entry.vesselId}
      </Text>
    </Stack>
  );
}

/** The streams a command entry switched, by name. */
function AuditStreams({ entry }: { entry: AuditEntry }) {
  return entry.streams ? <Text size="xs">streams: {describeChanges(entry.streams)}</Text> : null;
}

/** The empty state: an empty log, or a search that matches nothing (with a way back). */
function AuditEmpty({ text, onClear }: { text: string; onClear: () => void }) {
  const q = text.trim();
  return (
    <Alert
      color="gray"
      variant="light"
      data-testid={testIds.auditEmpty}
      title={q ? 'No entry matches' : 'The audit log is empty'}
    >
      <Group justify="space-between">
        <Text size="sm">
          {q
            ? `Nothing in the audit log matches “${q}”. Search for a vessel, a stream, a command id, a verdict or a code.`
            : 'Every command, acknowledgement, verified state and PKI action is recorded here as it happens.'}
        </Text>
        {q && (
          <Button size="xs" variant="default" onClick={onClear}>
            Clear the search
          </Button>
        )}
      </Group>
    </Alert>
  );
}

/** One audit entry: time with zone and age, event, vessel, verdict and details. */
function AuditRow({ e, now }: { e: AuditEntry; now: number }) {
  return (
    <Table.Tr data-testid={testIds.auditRow} data-kind={e.kind} data-verdict={e.verdict}>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        {formatTimeZoned(e.at)}
        <Text size="xs" c="dimmed">
          {formatAge(Date.parse(e.at), now)}
        </Text>
      </Table.Td>
      <Table.Td>{e.kind}</Table.Td>
      <Table.Td>
        <AuditVessel entry={e} />
      </Table.Td>
      <Table.Td>
        <Badge color={VERDICT_COLOR[e.verdict] ?? 'gray'} variant="light">
          {e.verdict}
        </Badge>
      </Table.Td>
      <Table.Td>
        <Stack gap={2}>
          <AuditStreams entry={e} />
          {e.commandId && (
            <Text size="xs" ff="monospace">
              cmd {e.commandId}
            </Text>
          )}
          {(e.code || e.message) && <Text size="xs">{[e.code, e.message].filter(Boolean).join(': ')}</Text>}
          {e.vesselText && <Text size="xs">The vessel says: “{e.vesselText}”</Text>}
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
  );
}
