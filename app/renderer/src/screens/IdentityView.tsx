import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  Group,
  Modal,
  PasswordInput,
  Progress,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import type { IdentityStatus } from '@helmlink/app-preload';
import {
  lockIdentity,
  removeIdentity,
  renewIdentity,
  unlockIdentity,
  useIdentity,
  clearIdentityError,
} from '../stores/identity';
import { ErrorNotice } from '../components/ErrorNotice';
import { ChainTable } from '../components/CertificateViewer';
import { expiryInfo } from '../logic/expiry';
import { formatCountdown, formatFingerprint, formatTime } from '../logic/format';
import { friendlyError } from '../logic/errors';
import { useNow } from '../hooks/useNow';
import { testIds } from '../testids';

const RENEWAL_WORDS: Record<IdentityStatus['renewal']['state'], string> = {
  idle: 'No renewal planned',
  scheduled: 'Automatic renewal scheduled',
  renewing: 'Renewing now…',
  failed: 'Last renewal failed',
  impossible: 'Renewal impossible: enroll again',
};

/** Banner shown on every screen when the certificate nears expiry or has expired. */
export function ExpiryBanner() {
  const status = useIdentity((s) => s.status);
  const busy = useIdentity((s) => s.busy);
  const now = useNow(30_000);
  if (!status?.certificate || !status.expiresAt) return null;
  const level = status.expiryWarning;
  const local = expiryInfo(Date.parse(status.certificate.notBefore), Date.parse(status.expiresAt), now).level;
  const show = level !== 'none' || local === 'warning' || local === 'critical' || local === 'expired';
  if (!show) return null;
  const expired = level === 'expired' || local === 'expired';
  const urgent = expired || level === 'urgent' || local === 'critical';
  return (
    <Alert
      color={urgent ? 'red' : 'yellow'}
      title={expired ? 'Your certificate has expired' : 'Your certificate expires soon'}
      data-testid={testIds.expiryBanner}
      data-level={expired ? 'expired' : urgent ? 'urgent' : 'soon'}
      role="status"
    >
      <Group justify="space-between">
        <Text size="sm">
          {expired
            ? 'Commands cannot be signed any more. Enroll again with a new token from your PKI administrator.'
            : `It expires in ${formatCountdown(Date.parse(status.expiresAt), now)}. Renew now to avoid an interruption.`}
        </Text>
        {expired && <ReenrollButton />}
        {!expired && (
          <Button
            size="xs"
            onClick={() => void renewIdentity()}
            loading={busy === 'renew' || status.renewal.state === 'renewing'}
            data-testid={testIds.expiryBannerRenew}
          >
            Renew now
          </Button>
        )}
      </Group>
    </Alert>
  );
}

/** Removes the expired identity (after a confirmation) so the enrollment wizard opens again. */
function ReenrollButton() {
  const busy = useIdentity((s) => s.busy);
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button size="xs" color="red" onClick={() => setOpen(true)} data-testid={testIds.expiryBannerReenroll}>
        Enroll again…
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title="Enroll again?">
        <Stack>
          <Text>
            The expired identity and its key are removed from this computer, then the enrollment wizard opens.
            You need a new enrollment token.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpen(false)} data-autofocus>
              Cancel
            </Button>
            <Button
              color="red"
              loading={busy === 'remove'}
              onClick={() => void removeIdentity().then(() => setOpen(false))}
            >
              Remove and enroll again
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

/** Banner for an identity whose key cannot be opened (keychain gone, entry missing). */
export function UnavailableBanner() {
  const status = useIdentity((s) => s.status);
  if (status?.state === 'revoked')
    return (
      <Alert
        color="red"
        title="Your certificate was revoked"
        data-testid={testIds.identityRevokedBanner}
        role="alert"
      >
        <Group justify="space-between">
          <Text size="sm">
            The broker and the vessels refuse it and it cannot be renewed
            {status.revocation?.revokedAt ? ` (revoked ${formatTime(status.revocation.revokedAt)})` : ''}.
            Everything shown is as it was last verified. Ask your PKI administrator for a new enrollment
            token.
          </Text>
          <ReenrollButton />
        </Group>
      </Alert>
    );
  if (status?.state !== 'unavailable') return null;
  const words = status.error ? friendlyError(status.error) : null;
  return (
    <Alert
      color="red"
      title={words?.title ?? 'Your key cannot be opened'}
      data-testid={testIds.identityUnavailableBanner}
      role="alert"
    >
      <Text size="sm">
        {words?.message ?? 'The stored key cannot be opened on this computer.'} Commands cannot be signed
        until this is fixed; you can remove the identity in Settings and enroll or import again.
      </Text>
    </Alert>
  );
}

/** Passphrase prompt shown when the key needs its passphrase before signing. */
export function UnlockCard() {
  const status = useIdentity((s) => s.status);
  const busy = useIdentity((s) => s.busy);
  const unlockError = useIdentity((s) => s.unlockError);
  const [pass, setPass] = useState('');
  if (
    !status ||
    !status.passphraseRequired ||
    status.unlocked ||
    (status.state !== 'locked' && status.state !== 'ready')
  )
    return null;
  return (
    <Card withBorder data-testid={testIds.unlockCard}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void unlockIdentity(pass).then((ok) => ok && setPass(''));
        }}
      >
        <Group align="flex-end">
          <PasswordInput
            label="Key passphrase"
            description="Needed before commands can be signed. Kept only in memory until you lock or quit."
            value={pass}
            onChange={(e) => setPass(e.currentTarget.value)}
            error={unlockError ? `${unlockError.title}: ${unlockError.message}` : undefined}
            data-testid={testIds.unlockPassphrase}
            data-error-code={unlockError?.code ?? ''}
            style={{ flex: 1 }}
          />
          <Button type="submit" loading={busy === 'unlock'} data-testid={testIds.unlockSubmit}>
            Unlock
          </Button>
        </Group>
      </form>
    </Card>
  );
}

/** The identity screen: subject, role, chain, fingerprint, expiry countdown, renewal status, manual renew. */
export function IdentityView() {
  const status = useIdentity((s) => s.status);
  const error = useIdentity((s) => s.error);
  const now = useNow(1000);
  if (!status) return null;
  const cert = status.certificate;
  const info = cert ? expiryInfo(Date.parse(cert.notBefore), Date.parse(cert.notAfter), now) : null;
  return (
    <Stack data-testid={testIds.identityView}>
      <Title order={2}>Identity</Title>
      <ErrorNotice error={error} onClose={clearIdentityError} />
      {status.error && <ErrorNotice error={friendlyError(status.error)} />}
      <Card withBorder>
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
          <Stack gap={4}>
            <Text size="xs" c="dimmed">
              Subject
            </Text>
            <Text fw={600} data-testid={testIds.identitySubject}>
              {cert?.subject ?? status.entityId ?? '—'}
            </Text>
            <Text size="xs" c="dimmed">
              Role
            </Text>
            <Group gap={4} data-testid={testIds.identityRole}>
              {status.roles.map((role) => (
                <Badge key={role}>{role}</Badge>
              ))}
            </Group>
            <Text size="xs" c="dimmed">
              Issuer
            </Text>
            <Text size="sm">{cert?.issuer ?? '—'}</Text>
            <Text size="xs" c="dimmed">
              Key protection
            </Text>
            <Text size="sm">
              {status.custody === 'keychain'
                ? 'Operating system keychain'
                : status.custody === 'passphrase'
                  ? 'Passphrase only'
                  : '—'}
              {status.passphraseRequired
                ? status.unlocked
                  ? ' · passphrase entered'
                  : ' · passphrase needed'
                : ''}
            </Text>
          </Stack>
          <Stack gap={4}>
            <Text size="xs" c="dimmed">
              SHA-256 fingerprint
            </Text>
            <Code data-testid={testIds.identityFingerprint} style={{ wordBreak: 'break-all' }}>
              {cert ? formatFingerprint(cert.fingerprintSha256) : '—'}
            </Code>
            <Text size="xs" c="dimmed">
              Valid until
            </Text>
            <Text data-testid={testIds.identityExpiry}>{cert ? formatTime(cert.notAfter) : '—'}</Text>
            {cert && info && (
              <>
                <Text
                  size="lg"
                  fw={700}
                  data-testid={testIds.identityCountdown}
                  data-level={info.level}
                  aria-live="off"
                >
                  {info.level === 'expired' ? 'Expired' : formatCountdown(Date.parse(cert.notAfter), now)}
                </Text>
                <Progress
                  value={info.usedFraction * 100}
                  color={
                    info.level === 'ok'
                      ? 'green'
                      : info.level === 'renew-due'
                        ? 'blue'
                        : info.level === 'warning'
                          ? 'yellow'
                          : 'red'
                  }
                  aria-label="Share of the certificate lifetime used"
                />
              </>
            )}
          </Stack>
        </SimpleGrid>
      </Card>
      <RenewalCard status={status} />
      <Card withBorder>
        <Title order={4} mb="xs">
          Certificate chain
        </Title>
        <ChainTable chain={cert ? [cert, ...status.chain] : status.chain} testId={testIds.identityChain} />
      </Card>
    </Stack>
  );
}

/** Renewal status, lock and manual renewal. */
function RenewalCard({ status }: { status: IdentityStatus }) {
  const busy = useIdentity((s) => s.busy);
  const r = status.renewal;
  return (
    <Card withBorder>
      <Group justify="space-between" align="flex-start">
        <Stack gap={2} data-testid={testIds.identityRenewalStatus} data-state={r.state}>
          <Text fw={600}>
            {RENEWAL_WORDS[r.state]}
            {r.auto ? '' : ' (automatic renewal off)'}
          </Text>
          {r.dueAt && <Text size="sm">Due at {formatTime(r.dueAt)} (2/3 of the lifetime)</Text>}
          {r.lastRenewedAt && <Text size="sm">Last renewed {formatTime(r.lastRenewedAt)}</Text>}
          {r.lastError && <ErrorNotice error={friendlyError(r.lastError)} />}
        </Stack>
        <Group>
          {status.passphraseRequired && status.unlocked && (
            <Button variant="default" onClick={() => void lockIdentity()} loading={busy === 'lock'}>
              Lock key
            </Button>
          )}
          <Button
            onClick={() => void renewIdentity()}
            loading={busy === 'renew' || r.state === 'renewing'}
            disabled={status.state === 'expired'}
            data-testid={testIds.identityRenew}
          >
            Renew now
          </Button>
        </Group>
      </Group>
    </Card>
  );
}
