import { useEffect, useRef, useState } from 'react';
import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  Group,
  Modal,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { entityIdSchema, type CertificateStatus } from '@helmlink/app-preload';
import {
  ENROLLABLE_ROLES,
  MARITIME_RULES,
  REVOCATION_REASON_LIST,
  ROLES,
  isValidFlag,
  isValidImoNumber,
  isValidMmsi,
  type EnrollableRole,
  type RevocationReasonCode,
  type Role,
} from '@helmlink/protocol/vocabulary';
import {
  clearPkiError,
  closeRevoke,
  createToken,
  dismissToken,
  loadPki,
  openRevoke,
  releaseHold,
  revokeCertificate,
  setCertFilter,
  usePki,
} from '../stores/pki';
import { ErrorNotice } from '../components/ErrorNotice';
import { describeRevocationReason } from '../logic/revocation';
import { formatCountdown, formatTime } from '../logic/format';
import { useNow } from '../hooks/useNow';
import { testIds } from '../testids';

const STATUS_COLOR: Record<CertificateStatus, string> = { valid: 'green', revoked: 'red', on_hold: 'orange', expired: 'gray' };
const EXPIRING_DAYS = 30;

function RevokeDialog() {
  const cert = usePki((s) => s.revoking);
  const busy = usePki((s) => s.busy);
  const error = usePki((s) => s.error);
  const [reason, setReason] = useState<string>('0');
  const [description, setDescription] = useState('');
  useEffect(() => {
    setReason('0');
    setDescription('');
  }, [cert?.serial]);
  const help = REVOCATION_REASON_LIST.find((r) => String(r.code) === reason);
  return (
    <Modal opened={!!cert} onClose={closeRevoke} title="Revoke certificate" size="lg">
      {cert && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void revokeCertificate(Number(reason) as RevocationReasonCode, description);
          }}
          data-testid={testIds.revokeDialog}
        >
          <Stack>
            <Text>
              Revoke <b>{cert.entityId}</b> ({cert.role}), serial <Code>{cert.serial}</Code>. Its holder can no longer connect or sign once
              the new revocation list is published.
            </Text>
            <Select
              label="Reason (RFC 5280)"
              data={REVOCATION_REASON_LIST.map((r) => ({ value: String(r.code), label: r.label }))}
              value={reason}
              onChange={(v) => v !== null && setReason(v)}
              allowDeselect={false}
              data-testid={testIds.revokeReason}
              description={help?.code === 6 ? 'A hold is temporary: it can be released later.' : 'Permanent: the certificate cannot be reinstated.'}
              comboboxProps={{ withinPortal: false }}
            />
            <Textarea label="Description (for the audit trail)" maxLength={500} value={description} onChange={(e) => setDescription(e.currentTarget.value)} data-testid={testIds.revokeDescription} autosize minRows={2} />
            <ErrorNotice error={error} onClose={clearPkiError} />
            <Group justify="flex-end">
              <Button variant="default" onClick={closeRevoke} data-testid={testIds.revokeCancel}>
                Cancel
              </Button>
              <Button type="submit" color="red" loading={busy === 'revoke'} data-testid={testIds.revokeConfirm}>
                {help?.code === 6 ? 'Put on hold' : 'Revoke'}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

function TokenDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const token = usePki((s) => s.token);
  const busy = usePki((s) => s.busy);
  const error = usePki((s) => s.error);
  const now = useNow(1000);
  const [entityId, setEntityId] = useState('');
  const [role, setRole] = useState<string>('pilot');
  const [ttl, setTtl] = useState<number>(60);
  const [idError, setIdError] = useState<string | null>(null);
  const [imo, setImo] = useState('');
  const [mmsi, setMmsi] = useState('');
  const [flag, setFlag] = useState('');
  const [vesselErrors, setVesselErrors] = useState<Record<string, string>>({});
  const tokenRef = useRef<HTMLPreElement>(null);
  const [copyState, setCopyState] = useState<'idle' | 'copied' | 'select'>('idle');
  // The clipboard may be refused (permission policy); then the token is selected for a manual copy.
  const copyToken = async (value: string): Promise<void> => {
    try {
      await navigator.clipboard.writeText(value);
      setCopyState('copied');
    } catch {
      const el = tokenRef.current;
      const sel = window.getSelection();
      if (el && sel) {
        const range = document.createRange();
        range.selectNodeContents(el);
        sel.removeAllRanges();
        sel.addRange(range);
      }
      setCopyState('select');
    }
  };
  const close = (): void => {
    dismissToken();
    setCopyState('idle');
    setEntityId('');
    onClose();
  };
  return (
    <Modal opened={opened} onClose={close} title="Create an enrollment token" size="lg" closeOnClickOutside={false}>
      <div data-testid={testIds.tokenDialog}>
      {token ? (
        <Stack>
          <Alert color="yellow" title="Shown once">
            Copy the token now and hand it to <b>{token.entityId}</b> over a trusted channel. It is not stored by this console and cannot be shown
            again.
          </Alert>
          <Code block ref={tokenRef} data-testid={testIds.tokenValue} style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}>
            {token.token}
          </Code>
          <Text size="sm" data-testid={testIds.tokenExpiry} data-expires-at={token.expiresAt}>
            For {token.entityId} as {token.role}; expires {formatTime(token.expiresAt)} (in {formatCountdown(Date.parse(token.expiresAt), now)})
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => void copyToken(token.token)} data-testid={testIds.tokenCopy} data-copied={copyState} color={copyState === 'copied' ? 'green' : undefined}>
              {copyState === 'copied' ? 'Copied' : copyState === 'select' ? 'Selected: press Ctrl+C' : 'Copy token'}
            </Button>
            <Button onClick={close} data-testid={testIds.tokenClose}>
              Done
            </Button>
          </Group>
        </Stack>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const r = entityIdSchema.safeParse(entityId.trim());
            if (!r.success) {
              setIdError(r.error.issues[0]?.message ?? 'invalid id');
              return;
            }
            setIdError(null);
            const ve: Record<string, string> = {};
            const vessel = role === 'vessel';
            if (vessel && imo && !isValidImoNumber(imo)) ve.imo = MARITIME_RULES.imo;
            if (vessel && mmsi && !isValidMmsi(mmsi)) ve.mmsi = MARITIME_RULES.mmsi;
            if (vessel && flag && !isValidFlag(flag)) ve.flag = MARITIME_RULES.flag;
            setVesselErrors(ve);
            if (Object.keys(ve).length > 0) return;
            void createToken({
              entityId: entityId.trim(),
              role: role as EnrollableRole,
              ttlMinutes: ttl,
              ...(vessel && imo ? { imo } : {}),
              ...(vessel && mmsi ? { mmsi } : {}),
              ...(vessel && flag ? { flag } : {}),
            });
          }}
        >
          <Stack>
            <TextInput label="Id of the new holder" description="Becomes the certificate CN, e.g. pilot-7 or vessel-imo9074729" required value={entityId} error={idError} onChange={(e) => setEntityId(e.currentTarget.value)} data-testid={testIds.tokenEntityId} data-autofocus />
            <Select label="Role" data={ENROLLABLE_ROLES.map((r) => ({ value: r, label: r }))} value={role} onChange={(v) => v && setRole(v)} allowDeselect={false} data-testid={testIds.tokenRole} comboboxProps={{ withinPortal: false }} />
            {role === 'vessel' && (
              <Group grow>
                <TextInput label="IMO number (optional)" value={imo} error={vesselErrors.imo} onChange={(e) => setImo(e.currentTarget.value.trim())} data-testid={testIds.tokenImo} />
                <TextInput label="MMSI (optional)" value={mmsi} error={vesselErrors.mmsi} onChange={(e) => setMmsi(e.currentTarget.value.trim())} data-testid={testIds.tokenMmsi} />
                <TextInput label="Flag (optional)" placeholder="NO" value={flag} error={vesselErrors.flag} onChange={(e) => setFlag(e.currentTarget.value.trim().toUpperCase())} data-testid={testIds.tokenFlag} />
              </Group>
            )}
            <NumberInput label="Valid for (minutes)" min={1} max={60 * 24 * 30} allowDecimal={false} clampBehavior="strict" value={ttl} onChange={(v) => setTtl(typeof v === 'number' ? v : Number(v) || 60)} data-testid={testIds.tokenTtl} />
            <ErrorNotice error={error} onClose={clearPkiError} />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={busy === 'token'} data-testid={testIds.tokenSubmit}>
                Create token
              </Button>
            </Group>
          </Stack>
        </form>
      )}
      </div>
    </Modal>
  );
}

function CertificatesCard() {
  const certs = usePki((s) => s.certs);
  const filter = usePki((s) => s.filter);
  const loading = usePki((s) => s.loading);
  const busy = usePki((s) => s.busy);
  const now = useNow(60_000);
  return (
    <Card withBorder>
      <Stack>
        <Group justify="space-between" align="flex-end">
          <Title order={3}>Certificates</Title>
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
              onChange={(e) => void setCertFilter({ expiringWithinDays: e.currentTarget.checked ? EXPIRING_DAYS : null })}
              data-testid={testIds.pkiFilterExpiring}
              mb={6}
            />
          </Group>
        </Group>
        <Table.ScrollContainer minWidth={800}>
          <Table striped fz="sm" data-testid={testIds.pkiCertsTable} data-loading={String(loading)}>
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
                    <Text c="dimmed" size="sm">{loading ? 'Loading…' : 'No certificate matches the filter.'}</Text>
                  </Table.Td>
                </Table.Tr>
              )}
              {certs.map((c) => (
                <Table.Tr key={c.serial} data-testid={testIds.pkiCertRow(c.serial)} data-status={c.status} data-entity={c.entityId}>
                  <Table.Td>{c.entityId}</Table.Td>
                  <Table.Td>{c.role}</Table.Td>
                  <Table.Td>
                    <Badge color={STATUS_COLOR[c.status]} variant="light">{c.status.replace('_', ' ')}</Badge>
                    {c.reasonCode !== null && <Text size="xs">{describeRevocationReason(c.reasonCode)}{c.reasonDescription ? ` — ${c.reasonDescription}` : ''}</Text>}
                  </Table.Td>
                  <Table.Td ff="monospace" fz="xs">{c.serial}</Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatTime(c.notAfter)}</Text>
                    <Text size="xs" c="dimmed">{formatCountdown(Date.parse(c.notAfter), now)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap="xs">
                      {c.status === 'valid' && (
                        <Button size="xs" color="red" variant="light" onClick={() => openRevoke(c)} data-testid={testIds.pkiRevoke(c.serial)}>
                          Revoke…
                        </Button>
                      )}
                      {c.status === 'on_hold' && (
                        <Button size="xs" variant="light" onClick={() => void releaseHold(c.serial)} loading={busy === 'release'} data-testid={testIds.pkiRelease(c.serial)}>
                          Release hold
                        </Button>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Stack>
    </Card>
  );
}

function CrlCard() {
  const crl = usePki((s) => s.crl);
  return (
    <Card withBorder data-testid={testIds.crlView}>
      <Title order={3} mb="xs">Revocation list (CRL)</Title>
      {!crl ? (
        <Text c="dimmed" size="sm">Not loaded.</Text>
      ) : (
        <Stack gap="xs">
          <SimpleGrid cols={2} spacing={4} verticalSpacing={2}>
            <Text size="sm" c="dimmed">Number</Text>
            <Text size="sm" data-testid={testIds.crlNumber}>{crl.crlNumber}</Text>
            <Text size="sm" c="dimmed">This update</Text>
            <Text size="sm" data-testid={testIds.crlThisUpdate}>{formatTime(crl.thisUpdate)}</Text>
            <Text size="sm" c="dimmed">Next update</Text>
            <Text size="sm" data-testid={testIds.crlNextUpdate}>{formatTime(crl.nextUpdate ?? undefined)}</Text>
            <Text size="sm" c="dimmed">Issuer</Text>
            <Text size="sm">{crl.issuer}</Text>
          </SimpleGrid>
          <Table fz="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Serial</Table.Th>
                <Table.Th>Revoked</Table.Th>
                <Table.Th>Reason</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {crl.entries.map((e) => (
                <Table.Tr key={e.serial} data-testid={testIds.crlEntry(e.serial)}>
                  <Table.Td ff="monospace">{e.serial}</Table.Td>
                  <Table.Td>{formatTime(e.revokedAt)}</Table.Td>
                  <Table.Td>{describeRevocationReason(e.reasonCode ?? undefined)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {crl.entries.length === 0 && <Text size="sm" c="dimmed">No revoked certificates.</Text>}
        </Stack>
      )}
    </Card>
  );
}

function AlertsCard() {
  const alerts = usePki((s) => s.alerts);
  return (
    <Card withBorder data-testid={testIds.alertsFeed}>
      <Title order={3} mb="xs">Alerts from the CA</Title>
      {alerts.length === 0 && <Text c="dimmed" size="sm">No alerts.</Text>}
      <Stack gap={6} aria-live="polite">
        {alerts.slice(0, 50).map((a) => (
          <Group key={a.id} gap="xs" wrap="nowrap" align="flex-start" data-testid={testIds.alertRow} data-kind={a.kind} data-severity={a.severity}>
            <Badge size="sm" color={a.severity === 'critical' ? 'red' : a.severity === 'warning' ? 'yellow' : 'blue'}>{a.severity}</Badge>
            <Stack gap={0}>
              <Text size="sm">{a.message}</Text>
              <Text size="xs" c="dimmed">{formatTime(a.at)} · {a.kind}</Text>
            </Stack>
          </Group>
        ))}
      </Stack>
    </Card>
  );
}

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
          <Button variant="default" onClick={() => void loadPki()}>Refresh</Button>
          <Button onClick={() => setTokenOpen(true)} data-testid={testIds.tokenCreate}>Create enrollment token</Button>
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
