/** Revoking a certificate (or putting it on hold) with an RFC 5280 reason and a description for the audit trail. */
import { useEffect, useState } from 'react';
import { Alert, Button, Checkbox, Code, Group, Modal, Select, Stack, Text, Textarea } from '@mantine/core';
import { REVOCATION_REASON_LIST, type RevocationReasonCode } from '@helmlink/protocol/vocabulary';
import { clearPkiError, closeRevoke, revokeCertificate, usePki } from '../../stores/pki';
import { useIdentity } from '../../stores/identity';
import { certRoles, revokeRisk, type RevokeRisk } from '../../logic/revoke-risk';
import { ErrorNotice } from '../../components/ErrorNotice';
import { testIds } from '../../testids';

export function RevokeDialog() {
  const cert = usePki((s) => s.revoking);
  const busy = usePki((s) => s.busy);
  const error = usePki((s) => s.error);
  const [reason, setReason] = useState<string>('0');
  const [description, setDescription] = useState('');
  const [understood, setUnderstood] = useState(false);
  const me = useIdentity((s) => s.status);
  const risk = cert ? revokeRisk(cert, me) : null;
  useEffect(() => {
    setReason('0');
    setDescription('');
    setUnderstood(false);
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
              Revoke <b>{cert.entityId}</b> ({certRoles(cert).join(', ')}), serial <Code>{cert.serial}</Code>.
              Its holder can no longer connect or sign once the new revocation list is published.
            </Text>
            {risk && <RiskWarning risk={risk} understood={understood} onChange={setUnderstood} />}
            <Select
              label="Reason (RFC 5280)"
              data={REVOCATION_REASON_LIST.map((r) => ({ value: String(r.code), label: r.label }))}
              value={reason}
              onChange={(v) => v !== null && setReason(v)}
              allowDeselect={false}
              data-testid={testIds.revokeReason}
              description={
                help?.code === 6
                  ? 'A hold is temporary: it can be released later.'
                  : 'Permanent: the certificate cannot be reinstated.'
              }
              comboboxProps={{ withinPortal: false }}
            />
            <Textarea
              label="Description (for the audit trail)"
              maxLength={500}
              value={description}
              onChange={(e) => setDescription(e.currentTarget.value)}
              data-testid={testIds.revokeDescription}
              autosize
              minRows={2}
            />
            <ErrorNotice error={error} onClose={clearPkiError} />
            <Group justify="flex-end">
              <Button variant="default" onClick={closeRevoke} data-testid={testIds.revokeCancel}>
                Cancel
              </Button>
              <Button
                type="submit"
                color="red"
                loading={busy === 'revoke'}
                disabled={!!risk && !understood}
                data-testid={testIds.revokeConfirm}
              >
                {help?.code === 6 ? 'Put on hold' : 'Revoke'}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

const RISK_WORDS: Record<NonNullable<RevokeRisk>, { title: string; text: string; check: string }> = {
  own: {
    title: 'This is your own certificate',
    text: 'This console loses the broker and the CA as soon as the revocation is published: you will not be able to send commands, renew or undo this from here. You need a new enrollment token to work again.',
    check: 'I understand that I lock myself out',
  },
  infrastructure: {
    title: 'This certificate runs the infrastructure (CA or broker)',
    text: 'Every console and every vessel that relies on it loses its connection until a replacement is issued and deployed.',
    check: 'I understand that the whole fleet loses this service',
  },
};

/** The special warning before revoking one's own, the CA's or the broker's certificate. */
function RiskWarning({
  risk,
  understood,
  onChange,
}: {
  risk: NonNullable<RevokeRisk>;
  understood: boolean;
  onChange: (v: boolean) => void;
}) {
  const w = RISK_WORDS[risk];
  return (
    <Alert color="red" variant="light" title={w.title} data-testid={testIds.revokeWarning} data-kind={risk}>
      <Stack gap="xs">
        <Text size="sm">{w.text}</Text>
        <Checkbox
          label={w.check}
          checked={understood}
          onChange={(e) => onChange(e.currentTarget.checked)}
          data-testid={testIds.revokeUnderstood}
        />
      </Stack>
    </Alert>
  );
}
