import { useState } from 'react';
import {
  Button,
  Card,
  Group,
  Kbd,
  NumberInput,
  SegmentedControl,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
  Modal,
} from '@mantine/core';
import { brokerUrlSchema } from '@helmlink/app-preload';
import { setPalette, updateSettings, useSettings } from '../stores/settings';
import { removeIdentity, useIdentity } from '../stores/identity';
import { ErrorNotice } from '../components/ErrorNotice';
import { PALETTES, PALETTE_LABELS, type Palette } from '../theme';
import { testIds } from '../testids';

/** Keyboard shortcuts, shown in Settings and by `?`. */
export const SHORTCUTS: [string, string][] = [
  ['Alt+1 … Alt+6', 'Switch tab (Fleet, Identity, Connection, Audit, PKI, Settings)'],
  ['Alt+T', 'Next palette (light → dark → night)'],
  ['↑ ↓ Home End PgUp PgDn', 'Move between vessels in the fleet overview'],
  ['Enter / Space', 'Open the stream panel of the vessel in focus (Esc closes it)'],
  ['Ctrl+Enter', 'Send the pending changes of the focused vessel'],
  ['/', 'Focus the audit search'],
  ['Tab / Shift+Tab', 'Move between controls; Space toggles a stream'],
  ['Esc', 'Close a dialog'],
];

/** Palette picker (also in the header). */
export function PalettePicker() {
  const palette = useSettings((s) => s.palette);
  return (
    <SegmentedControl
      size="xs"
      data={PALETTES.map((p) => ({ value: p, label: p === 'night' ? 'Night' : PALETTE_LABELS[p] }))}
      value={palette}
      onChange={(v) => setPalette(v as Palette)}
      aria-label="Palette"
      data-testid={testIds.paletteSelect}
    />
  );
}

/** Console settings held by main, the palette, shortcuts and identity removal. */
export function SettingsScreen() {
  const server = useSettings((s) => s.server);
  const saving = useSettings((s) => s.saving);
  const error = useSettings((s) => s.error);
  const [broker, setBroker] = useState<string | null>(null);
  const [brokerError, setBrokerError] = useState<string | null>(null);
  const brokerValue = broker ?? server?.brokerUrl ?? '';

  return (
    <Stack data-testid={testIds.settingsScreen}>
      <Title order={2}>Settings</Title>
      <ErrorNotice error={error} />
      <Card withBorder>
        <Stack>
          <Group justify="space-between">
            <Stack gap={0}>
              <Text fw={600}>Palette</Text>
              <Text size="sm" c="dimmed">
                Night is dim and low in blue light for a darkened bridge or operations room.
              </Text>
            </Stack>
            <PalettePicker />
          </Group>
          {server && (
            <>
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  const v = brokerValue.trim();
                  if (v && !brokerUrlSchema.safeParse(v).success) {
                    setBrokerError('Use an mqtts:// or wss:// address');
                    return;
                  }
                  setBrokerError(null);
                  void updateSettings({ brokerUrl: v || null }).then((ok) => ok && setBroker(null));
                }}
              >
                <Group align="flex-end">
                  <TextInput
                    label="Broker address"
                    placeholder="mqtts://broker.example.org:8883"
                    value={brokerValue}
                    error={brokerError}
                    onChange={(e) => setBroker(e.currentTarget.value)}
                    style={{ flex: 1 }}
                    data-testid={testIds.settingsBrokerUrl}
                  />
                  <Button type="submit" loading={saving}>
                    Save
                  </Button>
                </Group>
              </form>
              <Switch
                label="Ask before switching off navigation-critical streams (TGTD, NAVD)"
                checked={server.confirmCriticalStreams}
                onChange={(e) => void updateSettings({ confirmCriticalStreams: e.currentTarget.checked })}
              />
              <Switch
                label="Renew the certificate automatically at 2/3 of its lifetime"
                checked={server.autoRenew}
                onChange={(e) => void updateSettings({ autoRenew: e.currentTarget.checked })}
              />
              <Switch
                label="Connect to the broker when the console starts"
                checked={server.autoConnect}
                onChange={(e) => void updateSettings({ autoConnect: e.currentTarget.checked })}
              />
              <Group grow>
                <BoundedNumber
                  label="Command answer timeout (s)"
                  min={1}
                  max={600}
                  value={server.commandTimeoutSeconds}
                  onCommit={(n) => void updateSettings({ commandTimeoutSeconds: n })}
                />
                <BoundedNumber
                  label="Expiry warning (days before)"
                  min={1}
                  max={365}
                  value={server.expiryWarningDays}
                  onCommit={(n) => void updateSettings({ expiryWarningDays: n })}
                />
              </Group>
              <BoundedNumber
                label="Broker keepalive (s)"
                description="A silent link (a satellite link that drops everything) shows after 1.5 × this; each ping costs link bytes."
                min={2}
                max={600}
                value={server.keepaliveSeconds}
                onCommit={(n) => void updateSettings({ keepaliveSeconds: n })}
              />
            </>
          )}
        </Stack>
      </Card>
      <ShortcutsCard />
      <RemoveIdentityCard />
    </Stack>
  );
}

/** A whole number setting, saved when the field loses focus with a new value inside its bounds. */
function BoundedNumber(p: {
  label: string;
  description?: string;
  min: number;
  max: number;
  value: number;
  onCommit: (n: number) => void;
}) {
  return (
    <NumberInput
      label={p.label}
      description={p.description}
      maw={p.description ? 420 : undefined}
      min={p.min}
      max={p.max}
      allowDecimal={false}
      value={p.value}
      onBlur={(e) => {
        const n = Number(e.currentTarget.value);
        if (Number.isInteger(n) && n >= p.min && n <= p.max && n !== p.value) p.onCommit(n);
      }}
    />
  );
}

/** The keyboard shortcuts table. */
function ShortcutsCard() {
  return (
    <Card withBorder>
      <Title order={4} mb="xs">
        Keyboard
      </Title>
      <Table fz="sm">
        <Table.Tbody>
          {SHORTCUTS.map(([k, what]) => (
            <Table.Tr key={k}>
              <Table.Td w={180}>
                <Kbd>{k}</Kbd>
              </Table.Td>
              <Table.Td>{what}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}

/** Removal of this console's identity, behind a confirmation. */
function RemoveIdentityCard() {
  const busy = useIdentity((s) => s.busy);
  const [confirmRemove, setConfirmRemove] = useState(false);
  return (
    <>
      <Card withBorder>
        <Group justify="space-between">
          <Stack gap={0}>
            <Text fw={600}>Remove this identity</Text>
            <Text size="sm" c="dimmed">
              Deletes the key, its keychain entry and the certificates from this computer.
            </Text>
          </Stack>
          <Button color="red" variant="light" onClick={() => setConfirmRemove(true)}>
            Remove…
          </Button>
        </Group>
      </Card>
      <Modal opened={confirmRemove} onClose={() => setConfirmRemove(false)} title="Remove the identity?">
        <Stack>
          <Text>
            The private key is deleted. You need a new enrollment token (or a backup file) to use this console
            again.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirmRemove(false)} data-autofocus>
              Cancel
            </Button>
            <Button
              color="red"
              loading={busy === 'remove'}
              onClick={() => void removeIdentity().then(() => setConfirmRemove(false))}
            >
              Remove
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
