import { Badge, Code, Group, Stack, Table, Text } from '@mantine/core';
import type { CertificateView, PeerCertificateView, RevocationStatus } from '@helmlink/app-preload';
import { formatCountdown, formatFingerprint, formatTime } from '../logic/format';
import { expiryInfo } from '../logic/expiry';
import { useNow } from '../hooks/useNow';
import { ErrorNotice } from './ErrorNotice';
import { ScrollRegion } from './ScrollRegion';
import { friendlyError } from '../logic/errors';
import { testIds } from '../testids';

const REVOCATION: Record<RevocationStatus, { label: string; color: string }> = {
  good: { label: 'Not revoked', color: 'green' },
  revoked: { label: 'Revoked', color: 'red' },
  on_hold: { label: 'On hold', color: 'orange' },
  unknown: { label: 'Revocation unknown', color: 'gray' },
};

/** Badge for a certificate's expiry. */
export function ExpiryBadge({
  cert,
  now,
}: {
  cert: Pick<CertificateView, 'notBefore' | 'notAfter'>;
  now: number;
}) {
  const info = expiryInfo(Date.parse(cert.notBefore), Date.parse(cert.notAfter), now);
  const color = { ok: 'green', 'renew-due': 'blue', warning: 'yellow', critical: 'orange', expired: 'red' }[
    info.level
  ];
  return (
    <Badge color={color} variant="light" tt="none" data-level={info.level}>
      {info.level === 'expired' ? 'Expired' : `Expires in ${formatCountdown(Date.parse(cert.notAfter), now)}`}
    </Badge>
  );
}

/** A certificate chain as a table, leaf first. */
export function ChainTable({ chain, testId }: { chain: CertificateView[]; testId?: string }) {
  const now = useNow(30_000);
  return (
    <ScrollRegion label="Certificate chain (scrolls sideways)">
      <Table striped withTableBorder data-testid={testId ?? testIds.certViewerChain} fz="sm" miw={640}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>#</Table.Th>
            <Table.Th>Subject</Table.Th>
            <Table.Th>Issuer</Table.Th>
            <Table.Th>Valid until</Table.Th>
            <Table.Th>SHA-256 fingerprint</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {chain.map((c, i) => (
            <Table.Tr key={`${c.fingerprintSha256}-${i}`}>
              <Table.Td>{i === 0 ? 'leaf' : c.isCa && c.subject === c.issuer ? 'root' : 'CA'}</Table.Td>
              <Table.Td>
                <Text size="sm">{c.subject}</Text>
                {c.roles.length > 0 && (
                  <Group gap={4}>
                    {c.roles.map((r) => (
                      <Badge key={r} size="xs" variant="outline">
                        {r}
                      </Badge>
                    ))}
                  </Group>
                )}
              </Table.Td>
              <Table.Td>
                <Text size="sm">{c.issuer}</Text>
              </Table.Td>
              <Table.Td>
                <Stack gap={2}>
                  <Text size="sm">{formatTime(c.notAfter)}</Text>
                  <ExpiryBadge cert={c} now={now} />
                </Stack>
              </Table.Td>
              <Table.Td>
                <Code fz="xs" style={{ wordBreak: 'break-all' }}>
                  {formatFingerprint(c.fingerprintSha256)}
                </Code>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollRegion>
  );
}

/** A peer certificate (broker or vessel): verdict, revocation status, fingerprint, expiry and chain. */
export function CertificateViewer({ peer, title }: { peer: PeerCertificateView | null; title: string }) {
  const now = useNow(30_000);
  if (!peer) {
    return (
      <Text c="dimmed" size="sm" data-testid={testIds.certViewer}>
        {title}: no certificate seen yet.
      </Text>
    );
  }
  const leaf = peer.chain[0];
  const rev = REVOCATION[peer.revocation];
  return (
    <Stack gap="xs" data-testid={testIds.certViewer} aria-label={`${title} certificate`}>
      <Group gap="xs">
        <Text fw={600}>{title}</Text>
        <Badge
          color={peer.verified ? 'green' : 'red'}
          data-testid={testIds.certViewerVerified}
          data-verified={String(peer.verified)}
        >
          {peer.verified ? 'Verified to our root' : 'Not verified'}
        </Badge>
        <Badge
          color={rev.color}
          variant="light"
          data-testid={testIds.certViewerRevocation}
          data-status={peer.revocation}
        >
          {rev.label}
        </Badge>
        {leaf && (
          <span data-testid={testIds.certViewerExpiry}>
            <ExpiryBadge cert={leaf} now={now} />
          </span>
        )}
        <Text size="xs" c="dimmed">
          checked {formatTime(peer.checkedAt)}
        </Text>
      </Group>
      {leaf && (
        <Text size="sm">
          SHA-256:{' '}
          <Code data-testid={testIds.certViewerFingerprint} style={{ wordBreak: 'break-all' }}>
            {formatFingerprint(leaf.fingerprintSha256)}
          </Code>
        </Text>
      )}
      {peer.error && <ErrorNotice error={friendlyError(peer.error)} />}
      <ChainTable chain={peer.chain} />
    </Stack>
  );
}
