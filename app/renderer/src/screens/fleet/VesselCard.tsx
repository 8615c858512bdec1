/** One vessel's stream panel: its verified catalog state as toggles, requested bandwidth, pending changes, Send. */
import { useState } from 'react';
import { Alert, Button, Card, CloseButton, Group, Modal, Stack, Text, Title, Tooltip } from '@mantine/core';
import type { VesselView } from '@helmlink/app-preload';
import { resetDraft, selectVessel, useFleet } from '../../stores/fleet';
import { latestCommand, sendCommand, useCommands } from '../../stores/commands';
import { useSettings } from '../../stores/settings';
import { pendingChanges, requestedBitrate, unsentChanges, type Draft } from '../../logic/fleet';
import type { FleetRow } from '../../logic/fleet-rows';
import { formatAge, formatBitrate, formatTime } from '../../logic/format';
import { describeReason } from '../../logic/errors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { CertificateViewer } from '../../components/CertificateViewer';
import { TruthBadge } from '../../components/TruthBadge';
import { useNow } from '../../hooks/useNow';
import { testIds } from '../../testids';
import { CommandHistory, CommandStatus } from './CommandStatus';
import { StreamTable } from './StreamTable';

export function VesselCard({ vessel, row }: { vessel: VesselView; row: FleetRow }) {
  const id = vessel.vesselId;
  const draft = useFleet((s) => s.drafts[id]);
  const cmd = useCommands((s) => latestCommand(s, id));
  const sending = useCommands((s) => !!s.sending[id]);
  const sendError = useCommands((s) => s.errors[id]);
  const confirmCritical = useSettings((s) => s.server?.confirmCriticalStreams ?? true);
  const [showCert, setShowCert] = useState(false);
  const unsent = unsentChanges(vessel, draft, cmd);
  const live = row.status !== 'stale' && row.status !== 'linkDown';
  const canSend = live && vessel.streams.length > 0 && unsent.length > 0 && !sending;
  const send = (): void => {
    if (canSend) void sendCommand(id);
  };

  return (
    <Card
      withBorder
      shadow="xs"
      data-testid={testIds.vesselCard(id)}
      data-verified={String(vessel.verified)}
      data-live={String(live)}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          send();
        }
      }}
      aria-label={`Streams of ${row.name}`}
      component="section"
    >
      <Stack gap="sm" data-testid={testIds.streamPanel(id)}>
        <VesselHeader vessel={vessel} row={row} onShowCert={() => setShowCert(true)} />
        {!live && <StaleNotice row={row} />}
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
          <StreamTable vessel={vessel} draft={draft} confirmCritical={confirmCritical} live={live} />
        )}
        <SendBar vessel={vessel} draft={draft} sending={sending} canSend={canSend} onSend={send} />
        <ErrorNotice error={sendError} testId={testIds.sendError(id)} />
        <CommandStatus vesselId={id} cmd={cmd} pendingChanges={unsent.length} />
        <CommandHistory vesselId={id} />
      </Stack>
      <Modal opened={showCert} onClose={() => setShowCert(false)} title={`Certificate of ${id}`} size="xl">
        <CertificateViewer peer={vessel.signer} title={id} />
      </Modal>
    </Card>
  );
}

/** Why the panel is dimmed: the state shown is the last verified one, not a live one. */
function StaleNotice({ row }: { row: FleetRow }) {
  const now = useNow(1000);
  return (
    <Alert
      color={row.status === 'linkDown' ? 'violet' : 'gray'}
      variant="light"
      title={row.status === 'linkDown' ? 'Vessel link down' : 'Not live'}
      data-testid={testIds.staleBanner}
      data-reason={row.reason}
      role="status"
    >
      {row.status === 'linkDown' && (
        <Text size="sm" fw={600} data-testid={testIds.vesselLink(row.vesselId)} data-state="down">
          {row.linkSince
            ? `Link down since ${formatTime(row.linkSince)} (the vessel's signed Last Will).`
            : "Link down since before this console connected (the vessel's signed Last Will)."}
        </Text>
      )}
      <Text size="sm">
        {row.reason}{' '}
        {row.verifiedAt !== null
          ? `Showing the state last verified ${formatAge(row.verifiedAt, now)}.`
          : 'No state was verified yet.'}{' '}
        Commands cannot be sent until the link is back.
      </Text>
    </Alert>
  );
}

function VesselHeader({
  vessel,
  row,
  onShowCert,
}: {
  vessel: VesselView;
  row: FleetRow;
  onShowCert: () => void;
}) {
  const id = vessel.vesselId;
  const now = useNow(1000);
  const particulars = [
    row.imo && `IMO ${row.imo.replace(/^IMO/iu, '')}`,
    row.mmsi && `MMSI ${row.mmsi}`,
    row.flag && `flag ${row.flag}`,
  ].filter(Boolean);
  return (
    <Group justify="space-between" align="flex-start" wrap="nowrap">
      <Stack gap={4}>
        <Group gap="xs">
          <Title order={3} size="h4">
            {row.name}
          </Title>
          <TruthBadge
            state={row.status}
            size="md"
            testId={testIds.vesselTruth(id)}
            data={{ reason: row.reason }}
          />
          <span
            data-testid={testIds.vesselStatus(id)}
            data-status={vessel.verified ? 'verified' : 'unverified'}
            hidden
          />
        </Group>
        <Text size="xs" c="dimmed">
          {[row.imo && id === `IMO${row.imo}` ? null : id, ...particulars].filter(Boolean).join(' · ')}
        </Text>
        <Text size="xs" c="dimmed">
          {row.verifiedAt !== null
            ? `state verified ${formatAge(row.verifiedAt, now)} (signed ${formatTime(vessel.stateIssuedAt ?? undefined)})`
            : 'no verified state yet'}
        </Text>
      </Stack>
      <Group gap="xs" wrap="nowrap">
        <Button size="xs" variant="default" onClick={onShowCert} data-testid={testIds.peerCert(id)}>
          Certificate
        </Button>
        <CloseButton
          aria-label="Close the stream panel"
          onClick={() => selectVessel(null)}
          data-testid={testIds.streamPanelClose}
        />
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
