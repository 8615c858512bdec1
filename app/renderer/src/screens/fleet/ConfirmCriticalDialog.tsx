/** Confirmation before switching off a navigation-critical stream. */
import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { cancelCriticalOff, confirmCriticalOff, useFleet } from '../../stores/fleet';
import { testIds } from '../../testids';

/** Confirmation before switching off a navigation-critical stream (TGTD, NAVD). */
export function ConfirmCriticalDialog() {
  const confirm = useFleet((s) => s.confirm);
  const stream = useFleet((s) =>
    s.confirm ? s.vessels[s.confirm.vesselId]?.streams.find((x) => x.id === s.confirm!.streamId) : undefined,
  );
  return (
    // No open transition: the dialog is in the DOM and visible as soon as the toggle's click has been handled.
    <Modal
      opened={!!confirm}
      onClose={cancelCriticalOff}
      title="Switch off a navigation-critical stream?"
      transitionProps={{ duration: 0 }}
    >
      <Stack data-testid={testIds.confirmCriticalDialog}>
        <Text>
          <b>{stream?.id}</b>{' '}
          {stream && stream.name !== stream.id
            ? `(${stream.name}, ${stream.address})`
            : `(${stream?.address})`}{' '}
          on <b>{confirm?.vesselId}</b> carries navigation-critical data. Switching it off stops it reaching
          the remote operation centre.
        </Text>
        <Group justify="flex-end">
          <Button
            variant="default"
            onClick={cancelCriticalOff}
            data-testid={testIds.confirmCriticalCancel}
            data-autofocus
          >
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
