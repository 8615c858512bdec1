/** Creating a one-time enrollment token, then showing it once with a copy button. */
import { useRef, useState } from 'react';
import {
  Alert,
  Button,
  Code,
  Group,
  Modal,
  NumberInput,
  Select,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { entityIdSchema, type EnrollmentTokenView } from '@helmlink/app-preload';
import {
  ENROLLABLE_ROLES,
  MARITIME_RULES,
  isValidFlag,
  isValidImoNumber,
  isValidMmsi,
  maritimeProblem,
  type EnrollableRole,
} from '@helmlink/protocol/vocabulary';
import { clearPkiError, createToken, dismissToken, usePki } from '../../stores/pki';
import { ErrorNotice } from '../../components/ErrorNotice';
import { formatCountdown, formatTime } from '../../logic/format';
import { useNow } from '../../hooks/useNow';
import { testIds } from '../../testids';

/** The token form's fields; kept by the dialog so the role and lifetime survive closing it. */
interface TokenForm {
  entityId: string;
  role: string;
  ttl: number;
  imo: string;
  mmsi: string;
  flag: string;
}

const EMPTY_FORM: TokenForm = { entityId: '', role: 'pilot', ttl: 60, imo: '', mmsi: '', flag: '' };

export function TokenDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const token = usePki((s) => s.token);
  const [form, setForm] = useState<TokenForm>(EMPTY_FORM);
  const close = (): void => {
    dismissToken();
    setForm((f) => ({ ...f, entityId: '' }));
    onClose();
  };
  return (
    <Modal
      opened={opened}
      onClose={close}
      title="Create an enrollment token"
      size="lg"
      closeOnClickOutside={false}
    >
      <div data-testid={testIds.tokenDialog}>
        {token ? (
          <TokenShown token={token} onDone={close} />
        ) : (
          <TokenRequestForm
            form={form}
            onChange={(patch) => setForm((f) => ({ ...f, ...patch }))}
            onCancel={close}
          />
        )}
      </div>
    </Modal>
  );
}

/** The new token, shown once: copy it (or select it when the clipboard is refused). */
function TokenShown({ token, onDone }: { token: EnrollmentTokenView; onDone: () => void }) {
  const now = useNow(1000);
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
  return (
    <Stack>
      <Alert color="yellow" title="Shown once">
        Copy the token now and hand it to <b>{token.entityId}</b> over a trusted channel. It is not stored by
        this console and cannot be shown again.
      </Alert>
      <Code
        block
        ref={tokenRef}
        data-testid={testIds.tokenValue}
        style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}
      >
        {token.token}
      </Code>
      <Text size="sm" data-testid={testIds.tokenExpiry} data-expires-at={token.expiresAt}>
        For {token.entityId} as {token.role}; expires {formatTime(token.expiresAt)} (in{' '}
        {formatCountdown(Date.parse(token.expiresAt), now)})
      </Text>
      <Group justify="flex-end">
        <Button
          variant="default"
          onClick={() => void copyToken(token.token)}
          data-testid={testIds.tokenCopy}
          data-copied={copyState}
          color={copyState === 'copied' ? 'green' : undefined}
        >
          {copyState === 'copied'
            ? 'Copied'
            : copyState === 'select'
              ? 'Selected: press Ctrl+C'
              : 'Copy token'}
        </Button>
        <Button onClick={onDone} data-testid={testIds.tokenClose}>
          Done
        </Button>
      </Group>
    </Stack>
  );
}

/** Field errors of the vessel's maritime identifiers (all optional). */
function vesselFieldErrors(form: TokenForm): Record<string, string> {
  const ve: Record<string, string> = {};
  if (form.imo && !isValidImoNumber(form.imo)) ve.imo = MARITIME_RULES.imo;
  if (form.mmsi && !isValidMmsi(form.mmsi)) ve.mmsi = MARITIME_RULES.mmsi;
  if (form.flag && !isValidFlag(form.flag)) ve.flag = MARITIME_RULES.flag;
  const both = maritimeProblem({
    ...(form.mmsi ? { mmsi: form.mmsi } : {}),
    ...(form.flag ? { flag: form.flag } : {}),
  });
  if (both && !ve[both.field]) ve[both.field] = both.message;
  return ve;
}

/** Who the token is for: id, role (with IMO, MMSI and flag for a vessel) and lifetime. */
function TokenRequestForm({
  form,
  onChange,
  onCancel,
}: {
  form: TokenForm;
  onChange: (patch: Partial<TokenForm>) => void;
  onCancel: () => void;
}) {
  const busy = usePki((s) => s.busy);
  const error = usePki((s) => s.error);
  const [idError, setIdError] = useState<string | null>(null);
  const [vesselErrors, setVesselErrors] = useState<Record<string, string>>({});
  const { entityId, role, ttl, imo, mmsi, flag } = form;
  const vessel = role === 'vessel';
  const submit = (): void => {
    const r = entityIdSchema.safeParse(entityId.trim());
    if (!r.success) {
      setIdError(r.error.issues[0]?.message ?? 'invalid id');
      return;
    }
    setIdError(null);
    const ve = vessel ? vesselFieldErrors(form) : {};
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
  };
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <Stack>
        <TextInput
          label="Id of the new holder"
          description="Becomes the certificate CN, e.g. pilot-7 or vessel-imo9074729"
          required
          value={entityId}
          error={idError}
          onChange={(e) => onChange({ entityId: e.currentTarget.value })}
          data-testid={testIds.tokenEntityId}
          data-autofocus
        />
        <Select
          label="Role"
          data={ENROLLABLE_ROLES.map((r) => ({ value: r, label: r }))}
          value={role}
          onChange={(v) => v && onChange({ role: v })}
          allowDeselect={false}
          data-testid={testIds.tokenRole}
          comboboxProps={{ withinPortal: false }}
        />
        {vessel && (
          <Group grow>
            <TextInput
              label="IMO number (optional)"
              value={imo}
              error={vesselErrors.imo}
              onChange={(e) => onChange({ imo: e.currentTarget.value.trim() })}
              data-testid={testIds.tokenImo}
            />
            <TextInput
              label="MMSI (optional)"
              value={mmsi}
              error={vesselErrors.mmsi}
              onChange={(e) => onChange({ mmsi: e.currentTarget.value.trim() })}
              data-testid={testIds.tokenMmsi}
            />
            <TextInput
              label="Flag (optional)"
              placeholder="NO"
              value={flag}
              error={vesselErrors.flag}
              onChange={(e) => onChange({ flag: e.currentTarget.value.trim().toUpperCase() })}
              data-testid={testIds.tokenFlag}
            />
          </Group>
        )}
        <NumberInput
          label="Valid for (minutes)"
          min={1}
          max={60 * 24 * 30}
          allowDecimal={false}
          clampBehavior="strict"
          value={ttl}
          onChange={(v) => onChange({ ttl: typeof v === 'number' ? v : Number(v) || 60 })}
          data-testid={testIds.tokenTtl}
        />
        <ErrorNotice error={error} onClose={clearPkiError} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={busy === 'token'} data-testid={testIds.tokenSubmit}>
            Create token
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
