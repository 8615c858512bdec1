/** One vessel: its verified catalog state as toggles, requested bandwidth, pending changes and Send. */
import { useState } from 'react';
import { Alert, Badge, Button, Card, Group, Modal, Stack, Text, Title, Tooltip } from '@mantine/core';
import type { VesselView } from '@helmlink/app-preload';
import { resetDraft, useFleet } from '../../stores/fleet';
import { latestCommand, sendCommand, useCommands } from '../../stores/commands';
import { useSettings } from '../../stores/settings';
import { pendingChanges, requestedBitrate, type Draft } from '../../logic/fleet';
import { formatBitrate, formatTime } from '../../logic/format';
import { describeReason } from '../../logic/errors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { CertificateViewer } from '../../components/CertificateViewer';
import { testIds } from '../../testids';
import { CommandHistory, CommandStatus } from './CommandStatus';
import { StreamTable } from './StreamTable';

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
        <VesselHeader vessel={vessel} onShowCert={() => setShowCert(true)} />
        {vessel.unverified && (
          <Alert
            color="red"
            variant="light"
            title="The latest state from this vessel could not be verified"
            data-testid={testIds.vesselUnverified(id)}
            data-code={vessel.unverified.code}
          >
            <Text size="sm">
              It is not shown.{' '}
              {vessel.streams.length > 0
                ? 'The toggles show the last verified state.'
                : 'No verified state is known yet.'}{' '}
              Reason: {describeReason(vessel.unverified.code)} (received{' '}
              {formatTime(vessel.unverified.receivedAt)})
            </Text>
          </Alert>
        )}
        {vessel.streams.length === 0 ? (
          <Text c="dimmed" size="sm">
            No verified stream catalog from this vessel yet.
          </Text>
        ) : (
          <StreamTable vessel={vessel} draft={draft} confirmCritical={confirmCritical} />
        )}
        <SendBar vessel={vessel} draft={draft} sending={sending} canSend={canSend} onSend={send} />
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

/** The vessel's id, whether its state verified, when it was signed, and its certificate. */
function VesselHeader({ vessel, onShowCert }: { vessel: VesselView; onShowCert: () => void }) {
  const id = vessel.vesselId;
  return (
    <Group justify="space-between">
      <Group gap="xs">
        <Title order={3}>{id}</Title>
        <Badge
          color={vessel.verified ? 'green' : 'red'}
          data-testid={testIds.vesselStatus(id)}
          data-status={vessel.verified ? 'verified' : 'unverified'}
        >
          {vessel.verified ? 'State verified' : 'State not verified'}
        </Badge>
        {vessel.link?.state === 'down' && (
          <Badge color="orange" data-testid={testIds.vesselLink(id)} data-state="down">
            {vessel.link.since
              ? `Link down since ${formatTime(vessel.link.since)}`
              : 'Link down (since before this console connected)'}
          </Badge>
        )}
      </Group>
      <Group gap="xs">
        {vessel.stateIssuedAt && (
          <Text size="xs" c="dimmed">
            state signed {formatTime(vessel.stateIssuedAt)}
          </Text>
        )}
        <Button size="xs" variant="default" onClick={onShowCert} data-testid={testIds.peerCert(id)}>
          Vessel certificate
        </Button>
      </Group>
    </Group>
  );
}

/** Requested bandwidth, the pending changes, Discard and Send (Ctrl+Enter). */
function SendBar({
  vessel,
  draft,
  sending,
  canSend,
  onSend,
}: {
  vessel: VesselView;
  draft: Draft | undefined;
  sending: boolean;
  canSend: boolean;
  onSend: () => void;
}) {
  const id = vessel.vesselId;
  const changes = pendingChanges(vessel, draft);
  return (
    <Group justify="space-between" align="flex-end">
      <Stack gap={2}>
        <Text size="sm">
          Requested bandwidth:{' '}
          <b data-testid={testIds.bandwidth(id)} data-bps={String(requestedBitrate(vessel, draft))}>
            {formatBitrate(requestedBitrate(vessel, draft))}
          </b>{' '}
          <Text span size="xs" c="dimmed">
            (now {formatBitrate(vessel.activeBitrateBps)})
          </Text>
        </Text>
        <Text size="sm" data-testid={testIds.pending(id)} data-count={String(changes.length)}>
          {changes.length === 0
            ? 'No pending changes'
            : `${changes.length} pending: ${changes.map((c) => `${c.stream.id} ${c.on ? 'on' : 'off'}`).join(', ')}`}
        </Text>
      </Stack>
      <Group>
        <Button
          variant="default"
          disabled={changes.length === 0 || sending}
          onClick={() => resetDraft(id)}
          data-testid={testIds.reset(id)}
        >
          Discard
        </Button>
        <Tooltip label="Ctrl+Enter">
          <Button onClick={onSend} disabled={!canSend} loading={sending} data-testid={testIds.send(id)}>
            Send
          </Button>
        </Tooltip>
      </Group>
    </Group>
  );
}
