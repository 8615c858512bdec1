import { useState } from 'react';
import { Alert, Badge, Button, Card, Group, Loader, Modal, Stack, Switch, Table, Text, Title, Tooltip } from '@mantine/core';
import type { CommandView, VesselView } from '@helmlink/app-preload';
import {
  cancelCriticalOff,
  confirmCriticalOff,
  rateKey,
  requestToggle,
  resetDraft,
  useFleet,
} from '../stores/fleet';
import { latestCommand, recentCommands, sendCommand, useCommands } from '../stores/commands';
import { useShallow } from 'zustand/react/shallow';
import { useSettings } from '../stores/settings';
import { connectBroker, useConnection } from '../stores/connection';
import { desiredOn, pendingChanges, requestedBitrate } from '../logic/fleet';
import { formatBitrate, formatMs, formatRate, formatTime } from '../logic/format';
import { describeReason } from '../logic/errors';
import { ErrorNotice } from '../components/ErrorNotice';
import { CertificateViewer } from '../components/CertificateViewer';
import { testIds } from '../testids';

const COMMAND_WORDS: Record<CommandView['state'], { label: string; color: string }> = {
  pending: { label: 'Waiting for the vessel…', color: 'blue' },
  applied: { label: 'Applied (verified acknowledgement)', color: 'green' },
  rejected: { label: 'Rejected by the vessel', color: 'red' },
  timed_out: { label: 'No answer (timed out)', color: 'orange' },
  failed: { label: 'Could not be sent', color: 'red' },
};

/** Live data indicator for one stream. */
function RateIndicator({ vesselId, streamId, on }: { vesselId: string; streamId: string; on: boolean }) {
  const rate = useFleet((s) => s.rates[rateKey(vesselId, streamId)]);
  const mps = rate?.messagesPerSecond ?? 0;
  const flowing = mps > 0;
  const color = flowing ? 'green' : on ? 'orange' : 'gray';
  return (
    <Tooltip label={rate?.lastMessageAt ? `last message ${formatTime(rate.lastMessageAt)}` : 'no data seen'}>
      <Badge variant="dot" tt="none" color={color} data-testid={testIds.rate(vesselId, streamId)} data-rate={String(mps)} data-flowing={String(flowing)}>
        {formatRate(mps)}
      </Badge>
    </Tooltip>
  );
}

function CommandStatus({ vesselId, cmd }: { vesselId: string; cmd: CommandView | undefined }) {
  if (!cmd) return <Text size="sm" c="dimmed" data-testid={testIds.commandStatus(vesselId)} data-status="none">No command sent yet</Text>;
  const w = COMMAND_WORDS[cmd.state];
  return (
    <Stack gap={2} aria-live="polite">
      <Group gap="xs">
        <Badge color={w.color} data-testid={testIds.commandStatus(vesselId)} data-status={cmd.state} data-command-id={cmd.commandId} leftSection={cmd.state === 'pending' ? <Loader size={10} color="white" /> : undefined}>
          {w.label}
        </Badge>
        {cmd.rttMs !== null && (
          <Text size="sm" data-testid={testIds.commandRtt(vesselId)} data-rtt={String(cmd.rttMs)}>
            round trip {formatMs(cmd.rttMs)}
          </Text>
        )}
        <Text size="xs" c="dimmed">sent {formatTime(cmd.sentAt)}</Text>
      </Group>
      {cmd.reason && cmd.state !== 'applied' && (
        <Text size="sm" c="red" data-testid={testIds.commandReason(vesselId)} data-code={cmd.reason.code}>
          {describeReason(cmd.reason.code)} {cmd.reason.message && cmd.reason.message !== describeReason(cmd.reason.code) ? `(${cmd.reason.message})` : ''}
        </Text>
      )}
    </Stack>
  );
}

/** The vessel's last few commands (collapsed). */
function CommandHistory({ vesselId }: { vesselId: string }) {
  const list = useCommands(useShallow((s) => recentCommands(s, vesselId)));
  if (list.length < 2) return null;
  return (
    <details data-testid={testIds.history(vesselId)}>
      <summary style={{ cursor: 'pointer', fontSize: 'var(--mantine-font-size-sm)' }}>Recent commands ({list.length})</summary>
      <Table fz="xs" mt={4}>
        <Table.Tbody>
          {list.map((c) => (
            <Table.Tr key={c.commandId} data-testid={testIds.historyRow} data-status={c.state}>
              <Table.Td>{formatTime(c.sentAt)}</Table.Td>
              <Table.Td>
                <Badge size="xs" color={COMMAND_WORDS[c.state].color}>{c.state.replace('_', ' ')}</Badge>
              </Table.Td>
              <Table.Td>{c.rttMs !== null ? formatMs(c.rttMs) : ''}</Table.Td>
              <Table.Td>{c.reason ? describeReason(c.reason.code) : `${c.on.length} on, ${c.off.length} off`}</Table.Td>
              <Table.Td ff="monospace">{c.commandId}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </details>
  );
}

/** One vessel: its verified catalog state as toggles, requested bandwidth, pending changes and Send. */
export function VesselCard({ vessel }: { vessel: VesselView }) {
  const id = vessel.vesselId;
  const draft = useFleet((s) => s.drafts[id]);
  const cmd = useCommands((s) => latestCommand(s, id));
  const sending = useCommands((s) => !!s.sending[id]);
  const sendError = useCommands((s) => s.errors[id]);
  const confirmCritical = useSettings((s) => s.server?.confirmCriticalStreams ?? true);
  const [showCert, setShowCert] = useState(false);
  const changes = pendingChanges(vessel, draft);
  const canSend = vessel.streams.length > 0 && changes.length > 0 && !sending;
  const send = (): void => {
    if (canSend) void sendCommand(id);
  };

  return (
    <Card
      withBorder
      shadow="xs"
      data-testid={testIds.vesselCard(id)}
      data-verified={String(vessel.verified)}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          send();
        }
      }}
      aria-label={`Vessel ${id}`}
      component="section"
    >
      <Stack gap="sm">
        <Group justify="space-between">
          <Group gap="xs">
            <Title order={3}>{id}</Title>
            <Badge color={vessel.verified ? 'green' : 'red'} data-testid={testIds.vesselStatus(id)} data-status={vessel.verified ? 'verified' : 'unverified'}>
              {vessel.verified ? 'State verified' : 'State not verified'}
            </Badge>
          </Group>
          <Group gap="xs">
            {vessel.stateIssuedAt && <Text size="xs" c="dimmed">state signed {formatTime(vessel.stateIssuedAt)}</Text>}
            <Button size="xs" variant="default" onClick={() => setShowCert(true)} data-testid={testIds.peerCert(id)}>
              Vessel certificate
            </Button>
          </Group>
        </Group>

        {vessel.unverified && (
          <Alert color="red" variant="light" title="The latest state from this vessel could not be verified" data-testid={testIds.vesselUnverified(id)} data-code={vessel.unverified.code}>
            <Text size="sm">
              It is not shown. {vessel.streams.length > 0 ? 'The toggles show the last verified state.' : 'No verified state is known yet.'} Reason: {describeReason(vessel.unverified.code)} (received {formatTime(vessel.unverified.receivedAt)})
            </Text>
          </Alert>
        )}

        {vessel.streams.length === 0 ? (
          <Text c="dimmed" size="sm">No verified stream catalog from this vessel yet.</Text>
        ) : (
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
                          <Text size="sm" fw={600}>{s.id}</Text>
                          {s.name !== s.id && <Text size="sm" c="dimmed">{s.name}</Text>}
                          {s.critical && <Badge size="xs" color="orange" variant="outline">nav-critical</Badge>}
                          {changed && <Badge size="xs" color="yellow">{want ? '→ on' : '→ off'}</Badge>}
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
        )}

        <Group justify="space-between" align="flex-end">
          <Stack gap={2}>
            <Text size="sm">
              Requested bandwidth:{' '}
              <b data-testid={testIds.bandwidth(id)} data-bps={String(requestedBitrate(vessel, draft))}>
                {formatBitrate(requestedBitrate(vessel, draft))}
              </b>{' '}
              <Text span size="xs" c="dimmed">(now {formatBitrate(vessel.activeBitrateBps)})</Text>
            </Text>
            <Text size="sm" data-testid={testIds.pending(id)} data-count={String(changes.length)}>
              {changes.length === 0 ? 'No pending changes' : `${changes.length} pending: ${changes.map((c) => `${c.stream.id} ${c.on ? 'on' : 'off'}`).join(', ')}`}
            </Text>
          </Stack>
          <Group>
            <Button variant="default" disabled={changes.length === 0 || sending} onClick={() => resetDraft(id)} data-testid={testIds.reset(id)}>
              Discard
            </Button>
            <Tooltip label="Ctrl+Enter">
              <Button onClick={send} disabled={!canSend} loading={sending} data-testid={testIds.send(id)}>
                Send
              </Button>
            </Tooltip>
          </Group>
        </Group>
        <ErrorNotice error={sendError} testId={testIds.sendError(id)} />
        <CommandStatus vesselId={id} cmd={cmd} />
        <CommandHistory vesselId={id} />
      </Stack>
      <Modal opened={showCert} onClose={() => setShowCert(false)} title={`Certificate of ${id}`} size="xl">
        <CertificateViewer peer={vessel.signer} title={id} />
      </Modal>
    </Card>
  );
}

/** Confirmation before switching off a navigation-critical stream (TGTD, NAVD). */
function ConfirmCriticalDialog() {
  const confirm = useFleet((s) => s.confirm);
  const stream = useFleet((s) => (s.confirm ? s.vessels[s.confirm.vesselId]?.streams.find((x) => x.id === s.confirm!.streamId) : undefined));
  return (
    // No open transition: the dialog is in the DOM and visible as soon as the toggle's click has been handled.
    <Modal opened={!!confirm} onClose={cancelCriticalOff} title="Switch off a navigation-critical stream?" transitionProps={{ duration: 0 }}>
      <Stack data-testid={testIds.confirmCriticalDialog}>
        <Text>
          <b>{stream?.id}</b> {stream && stream.name !== stream.id ? `(${stream.name}, ${stream.address})` : `(${stream?.address})`} on <b>{confirm?.vesselId}</b> carries navigation-critical data. Switching it
          off stops it reaching the remote operation centre.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={cancelCriticalOff} data-testid={testIds.confirmCriticalCancel} data-autofocus>
            Keep it on
          </Button>
          <Button color="red" onClick={confirmCriticalOff} data-testid={testIds.confirmCriticalOk}>
            Switch off
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** Shown above the fleet while the broker link is down: states and rates are not live then. */
function BrokerDownBanner() {
  const broker = useConnection((s) => s.broker);
  const busy = useConnection((s) => s.busy);
  const state = broker?.state ?? 'disconnected';
  if (state === 'connected') return null;
  const trying = state === 'connecting' || state === 'reconnecting';
  return (
    <Alert color={trying ? 'yellow' : 'red'} title={trying ? 'Connecting to the broker…' : 'Not connected to the broker'} data-testid={testIds.brokerDownBanner} data-state={state}>
      <Group justify="space-between">
        <Text size="sm">Vessel states and data rates are not live and commands cannot be sent until the connection is back.</Text>
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
          {loading ? 'Loading vessels…' : 'No vessel has published a state yet. Vessels appear here once their signed state arrives.'}
        </Text>
      )}
      {order.map((id) => vessels[id] && <VesselCard key={id} vessel={vessels[id]} />)}
      <ConfirmCriticalDialog />
    </Stack>
  );
}
