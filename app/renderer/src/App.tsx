import { useEffect, useLayoutEffect, useState } from 'react';
import {
  Alert,
  AppShell,
  Button,
  Center,
  Group,
  Loader,
  MantineProvider,
  Stack,
  Tabs,
  Text,
  Title,
} from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { colorSchemeFor, cssResolverFor, themeFor } from './theme';
import { cyclePalette, useSettings } from './stores/settings';
import { isAdmin, useIdentity } from './stores/identity';
import { logout, useConnection } from './stores/connection';
import { reloadStores } from './stores';
import { Wizard } from './screens/wizard/Wizard';
import { ExpiryBanner, IdentityView, UnavailableBanner, UnlockCard } from './screens/IdentityView';
import { FleetScreen } from './screens/fleet/FleetScreen';
import { ConnectionBadge, ConnectionScreen } from './screens/ConnectionScreen';
import { AuditScreen } from './screens/AuditScreen';
import { PkiScreen } from './screens/pki/PkiScreen';
import { PalettePicker, SettingsScreen } from './screens/SettingsScreen';
import { ErrorNotice } from './components/ErrorNotice';
import { testIds } from './testids';

export const TABS = ['fleet', 'identity', 'connection', 'audit', 'pki', 'settings'] as const;
export type Tab = (typeof TABS)[number];
const TAB_LABELS: Record<Tab, string> = {
  fleet: 'Fleet',
  identity: 'Identity',
  connection: 'Connection',
  audit: 'Audit log',
  pki: 'PKI admin',
  settings: 'Settings',
};

function BridgeBanner() {
  const transport = useConnection((s) => s.transport);
  const bridge = useConnection((s) => s.bridge);
  const detail = useConnection((s) => s.bridgeDetail);
  if (transport !== 'web' || bridge === 'open') return null;
  if (bridge === 'ended')
    return (
      <Alert
        color="red"
        title="This console session has ended"
        data-testid={testIds.bridgeEndedBanner}
        role="alert"
      >
        The page was logged out or its session expired. Open a new console link: press Enter where `helmlink
        demo` runs, or start `helmlink console --web` again.{detail ? ` (${detail})` : ''}
      </Alert>
    );
  return (
    <Alert
      color="yellow"
      title="Reconnecting to the Helmlink service…"
      data-testid={testIds.bridgeOfflineBanner}
      role="status"
    >
      The page lost its link to the console service and is retrying. Nothing you see is being updated
      meanwhile.{detail ? ` (${detail})` : ''}
    </Alert>
  );
}

/** Ends this page's web bridge session (the web console only; Electron has no session). */
function LogoutButton() {
  const transport = useConnection((s) => s.transport);
  const bridge = useConnection((s) => s.bridge);
  if (transport !== 'web' || bridge !== 'open') return null;
  return (
    <Button variant="subtle" size="xs" data-testid={testIds.logoutButton} onClick={() => void logout()}>
      Log out
    </Button>
  );
}

function Shell() {
  const status = useIdentity((s) => s.status);
  const admin = isAdmin(status);
  const tabs = TABS.filter((t) => t !== 'pki' || admin);
  const [tab, setTab] = useState<Tab>('fleet');
  const current = tabs.includes(tab) ? tab : 'fleet';
  // No tags ignored: Alt+digit and Alt+T never type text, so they work while a field has focus.
  useHotkeys(
    [
      ...TABS.map((t, i) => [`alt+${i + 1}`, () => tabs.includes(t) && setTab(t)] as [string, () => void]),
      ['alt+t', () => void cyclePalette()],
    ],
    [],
  );
  return (
    <AppShell header={{ height: { base: 92, sm: 56 } }} padding="md" data-testid={testIds.appShell}>
      <AppShell.Header>
        <Group h="100%" px="md" py={4} justify="space-between" gap={4} wrap="wrap" align="center">
          <Group gap="sm" wrap="nowrap">
            <Title order={1} size="h3">
              Helmlink
            </Title>
            <Text size="sm" c="dimmed" visibleFrom="sm">
              {status?.entityId ?? ''} {status?.roles.length ? `(${status.roles.join(', ')})` : ''}
            </Text>
          </Group>
          <Group gap="sm" wrap="wrap">
            <ConnectionBadge />
            <PalettePicker />
            <LogoutButton />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main>
        <Stack>
          <BridgeBanner />
          <ExpiryBanner />
          <UnavailableBanner />
          <UnlockCard />
          <Tabs value={current} onChange={(v) => v && setTab(v as Tab)} keepMounted={false}>
            <Tabs.List aria-label="Console sections">
              {tabs.map((t) => (
                <Tabs.Tab key={t} value={t} data-testid={testIds.nav(t)}>
                  {TAB_LABELS[t]}
                </Tabs.Tab>
              ))}
            </Tabs.List>
            {tabs.map((t) => (
              <Tabs.Panel key={t} value={t} pt="md">
                {t === 'fleet' && <FleetScreen />}
                {t === 'identity' && <IdentityView />}
                {t === 'connection' && <ConnectionScreen />}
                {t === 'audit' && <AuditScreen />}
                {t === 'pki' && admin && <PkiScreen />}
                {t === 'settings' && <SettingsScreen />}
              </Tabs.Panel>
            ))}
          </Tabs>
        </Stack>
      </AppShell.Main>
    </AppShell>
  );
}

function Content() {
  const status = useIdentity((s) => s.status);
  const loading = useIdentity((s) => s.loading);
  const error = useIdentity((s) => s.error);
  const [wizard, setWizard] = useState(false);
  const none = status?.state === 'none';
  useEffect(() => {
    if (none) setWizard(true);
  }, [none]);
  if (!status) {
    return (
      <Center h="100vh">
        <Stack align="center">
          <BridgeBanner />
          {loading || !error ? <Loader aria-label="Loading" /> : <ErrorNotice error={error} />}
          <Text c="dimmed">Starting the console…</Text>
        </Stack>
      </Center>
    );
  }
  if (none || wizard) {
    return (
      <>
        <BridgeBanner />
        <Wizard
          onFinished={() => {
            setWizard(false);
            void reloadStores();
          }}
        />
      </>
    );
  }
  return <Shell />;
}

/** The console: palette-aware Mantine provider around the wizard or the main shell. */
export function App() {
  const palette = useSettings((s) => s.palette);
  useLayoutEffect(() => {
    document.documentElement.dataset.palette = palette;
  }, [palette]);
  return (
    <MantineProvider
      theme={themeFor(palette)}
      cssVariablesResolver={cssResolverFor(palette)}
      forceColorScheme={colorSchemeFor(palette)}
    >
      <Content />
    </MantineProvider>
  );
}
