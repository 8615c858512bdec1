/** The PKI administrator's tab: certificates, CRL, CA alerts, and the revoke and token dialogs. */
import { useEffect, useState } from 'react';
import { Button, Group, SimpleGrid, Stack, Title } from '@mantine/core';
import { clearPkiError, loadPki, usePki } from '../../stores/pki';
import { ErrorNotice } from '../../components/ErrorNotice';
import { testIds } from '../../testids';
import { AlertsCard } from './AlertsCard';
import { CertificatesCard } from './CertificatesCard';
import { CrlCard } from './CrlCard';
import { RevokeDialog } from './RevokeDialog';
import { TokenDialog } from './TokenDialog';

/** The PKI administrator's tab (rendered only for admin-role identities). */
export function PkiScreen() {
  const error = usePki((s) => s.error);
  const revoking = usePki((s) => s.revoking);
  const [tokenOpen, setTokenOpen] = useState(false);
  useEffect(() => {
    void loadPki();
  }, []);
  return (
    <Stack data-testid={testIds.pkiTab}>
      <Group justify="space-between">
        <Title order={2}>PKI administration</Title>
        <Group>
          <Button variant="default" onClick={() => void loadPki()}>
            Refresh
          </Button>
          <Button onClick={() => setTokenOpen(true)} data-testid={testIds.tokenCreate}>
            Create enrollment token
          </Button>
        </Group>
      </Group>
      {!revoking && !tokenOpen && <ErrorNotice error={error} onClose={clearPkiError} />}
      <CertificatesCard />
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <CrlCard />
        <AlertsCard />
      </SimpleGrid>
      <RevokeDialog />
      <TokenDialog opened={tokenOpen} onClose={() => setTokenOpen(false)} />
    </Stack>
  );
}
