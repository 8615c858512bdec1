/** Revoking a certificate (or putting it on hold) with an RFC 5280 reason and a description for the audit trail. */
import { useEffect, useState } from 'react';
import { Button, Code, Group, Modal, Select, Stack, Text, Textarea } from '@mantine/core';
import { REVOCATION_REASON_LIST, type RevocationReasonCode } from '@helmlink/protocol/vocabulary';
import { clearPkiError, closeRevoke, revokeCertificate, usePki } from '../../stores/pki';
import { ErrorNotice } from '../../components/ErrorNotice';
import { testIds } from '../../testids';

export function RevokeDialog() {
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
              Revoke <b>{cert.entityId}</b> ({cert.role}), serial <Code>{cert.serial}</Code>. Its holder can
              no longer connect or sign once the new revocation list is published.
            </Text>
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
