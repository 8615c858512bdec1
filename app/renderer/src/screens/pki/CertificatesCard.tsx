/** The CA's issued certificates, filtered by role, status and expiry, with revoke and release actions. */
import { Badge, Button, Card, Group, Select, Stack, Switch, Table, Text, Title } from '@mantine/core';
import type { CertificateStatus } from '@helmlink/app-preload';
import { ROLES, type Role } from '@helmlink/protocol/vocabulary';
import { openRevoke, releaseHold, setCertFilter, usePki } from '../../stores/pki';
import { describeRevocationReason } from '../../logic/revocation';
import { certRoles } from '../../logic/revoke-risk';
import { formatCountdown, formatTime } from '../../logic/format';
import { useNow } from '../../hooks/useNow';
import { ScrollRegion } from '../../components/ScrollRegion';
import { testIds } from '../../testids';

const STATUS_COLOR: Record<CertificateStatus, string> = {
  valid: 'green',
  revoked: 'red',
  on_hold: 'orange',
  expired: 'gray',
};
const EXPIRING_DAYS = 30;

export function CertificatesCard() {
  const certs = usePki((s) => s.certs);
  const loading = usePki((s) => s.loading);
  const busy = usePki((s) => s.busy);
  const now = useNow(60_000);
  return (
    <Card withBorder>
      <Stack>
        <Group justify="space-between" align="flex-end">
          <Title order={3}>Certificates</Title>
          <CertificateFilters />
        </Group>
        <ScrollRegion label="Certificates (scrolls sideways)">
          <Table striped fz="sm" miw={800} data-testid={testIds.pkiCertsTable} data-loading={String(loading)}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Holder</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Serial</Table.Th>
                <Table.Th>Valid until</Table.Th>
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {certs.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={6}>
                    <Text c="dimmed" size="sm">
                      {loading ? 'Loading…' : 'No certificate matches the filter.'}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
              {certs.map((c) => (
                <Table.Tr
                  key={c.serial}
                  data-testid={testIds.pkiCertRow(c.serial)}
                  data-status={c.status}
                  data-entity={c.entityId}
                >
                  <Table.Td>{c.entityId}</Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {certRoles(c).map((r) => (
                        <Badge key={r} size="sm" variant="outline" color="gray" tt="none">
                          {r}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Badge color={STATUS_COLOR[c.status]} variant="light">
                      {c.status.replace('_', ' ')}
                    </Badge>
                    {c.reasonCode !== null && (
                      <Text size="xs">
                        {describeRevocationReason(c.reasonCode)}
                        {c.reasonDescription ? ` — ${c.reasonDescription}` : ''}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td ff="monospace" fz="xs">
                    {c.serial}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatTime(c.notAfter)}</Text>
                    <Text size="xs" c="dimmed">
                      {formatCountdown(Date.parse(c.notAfter), now)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap="xs">
                      {c.status === 'valid' && (
                        <Button
                          size="xs"
                          color="red"
                          variant="light"
                          onClick={() => openRevoke(c)}
                          data-testid={testIds.pkiRevoke(c.serial)}
                        >
                          Revoke…
                        </Button>
                      )}
                      {c.status === 'on_hold' && (
                        <Button
                          size="xs"
                          variant="light"
                          onClick={() => void releaseHold(c.serial)}
                          loading={busy === 'release'}
                          data-testid={testIds.pkiRelease(c.serial)}
                        >
                          Release hold
                        </Button>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollRegion>
      </Stack>
    </Card>
  );
}

/** Role, status and expiring-soon filters (applied by the CA's query). */
function CertificateFilters() {
  const filter = usePki((s) => s.filter);
  return (
    <Group align="flex-end">
      <Select
        label="Role"
        placeholder="all"
        clearable
        data={ROLES.map((r) => ({ value: r, label: r }))}
        value={filter.role}
        onChange={(v) => void setCertFilter({ role: (v as Role | null) ?? null })}
        data-testid={testIds.pkiFilterRole}
        w={140}
        comboboxProps={{ withinPortal: false }}
      />
      <Select
        label="Status"
        placeholder="all"
        clearable
        data={[
          { value: 'valid', label: 'valid' },
          { value: 'on_hold', label: 'on hold' },
          { value: 'revoked', label: 'revoked' },
          { value: 'expired', label: 'expired' },
        ]}
        value={filter.status}
        onChange={(v) => void setCertFilter({ status: (v as CertificateStatus | null) ?? null })}
        data-testid={testIds.pkiFilterStatus}
        w={140}
        comboboxProps={{ withinPortal: false }}
      />
      <Switch
        label={`Expiring within ${EXPIRING_DAYS} days`}
        checked={filter.expiringWithinDays !== null}
        onChange={(e) =>
          void setCertFilter({ expiringWithinDays: e.currentTarget.checked ? EXPIRING_DAYS : null })
        }
        data-testid={testIds.pkiFilterExpiring}
        mb={6}
      />
    </Group>
  );
}
