import { useState, type ReactNode } from 'react';
import {
  Alert,
  Badge,
  Button,
  Card,
  Container,
  Group,
  List,
  Loader,
  PasswordInput,
  Progress,
  SegmentedControl,
  Stack,
  Stepper,
  Switch,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import {
  ENROLL_STEPS,
  brokerUrlSchema,
  entityIdSchema,
  fingerprintSchema,
  httpsUrlSchema,
  type CustodyMode,
  type RequestOf,
} from '@helmlink/app-preload';
import { ENTITY_ID_RULE } from '@helmlink/protocol/vocabulary';
import { enroll, importIdentity, clearIdentityError, useIdentity, type StepStatus } from '../stores/identity';
import { ErrorNotice } from '../components/ErrorNotice';
import { testIds } from '../testids';
import { readFileBase64, readFileText } from '../logic/files';

type Mode = 'enroll' | 'import';
type Fields = Record<string, string>;

const STEP_ICON: Record<StepStatus, { label: string; color: string }> = {
  waiting: { label: 'waiting', color: 'gray' },
  running: { label: 'working…', color: 'blue' },
  done: { label: 'done', color: 'green' },
  failed: { label: 'failed', color: 'red' },
};

function check(schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } }, value: string): string | null {
  const r = schema.safeParse(value);
  return r.success ? null : (r.error?.issues[0]?.message ?? 'invalid');
}

const CA_URL_WORDS = 'Enter the https:// address of the certificate authority';
const FINGERPRINT_WORDS = 'Enter the 64 hexadecimal digits of the SHA-256 fingerprint (colons and spaces allowed)';

/** Field errors for the CA step (enroll) or the file step (import). */
export function validateSource(mode: Mode, f: Fields, files: { main: File | null; chain: File | null }): Record<string, string> {
  const errors: Record<string, string> = {};
  if (mode === 'enroll') {
    if (check(httpsUrlSchema, f.caUrl ?? '')) errors.caUrl = CA_URL_WORDS;
    if (check(fingerprintSchema, f.rootFingerprint ?? '')) errors.rootFingerprint = FINGERPRINT_WORDS;
    if ((f.token ?? '').trim().length < 8) errors.token = 'Paste the enrollment token you were given';
    if (check(entityIdSchema, f.entityId ?? '')) errors.entityId = `Enter your id as written on the token request (${ENTITY_ID_RULE})`;
    if (f.brokerUrl && check(brokerUrlSchema, f.brokerUrl)) errors.brokerUrl = 'Use an mqtts:// or wss:// address';
  } else {
    if (!files.main) errors.file = f.format === 'pem' ? 'Choose the encrypted private key file' : 'Choose the PKCS#12 (.p12/.pfx) file';
    if (f.format === 'pem' && !files.chain) errors.chain = 'Choose the certificate chain file (leaf first)';
    if (f.caUrl && check(httpsUrlSchema, f.caUrl)) errors.caUrl = CA_URL_WORDS;
    if (f.rootFingerprint && check(fingerprintSchema, f.rootFingerprint)) errors.rootFingerprint = FINGERPRINT_WORDS;
  }
  return errors;
}

/** Field errors for the key protection step. */
export function validateCustody(custody: CustodyMode, passphrase: string, confirm: string): Record<string, string> {
  const errors: Record<string, string> = {};
  if (custody === 'passphrase' && passphrase.length === 0) errors.passphrase = 'Choose a passphrase: it protects the key';
  if (passphrase.length > 0 && passphrase.length < 8) errors.passphrase = 'Use at least 8 characters';
  if (passphrase !== confirm) errors.confirm = 'The two passphrases differ';
  return errors;
}

/** First-run wizard: enroll with a token, or import an existing identity. */
export function Wizard({ onFinished }: { onFinished: () => void }) {
  const custodyOptions = useIdentity((s) => s.custody);
  const progress = useIdentity((s) => s.progress);
  const busy = useIdentity((s) => s.busy);
  const error = useIdentity((s) => s.error);
  const [active, setActive] = useState(0);
  const [mode, setMode] = useState<Mode>('enroll');
  const [f, setF] = useState<Fields>({ caUrl: '', rootFingerprint: '', token: '', entityId: '', brokerUrl: '', format: 'pkcs12', filePassphrase: '' });
  const [files, setFiles] = useState<{ main: File | null; chain: File | null }>({ main: null, chain: null });
  const keychainOk = custodyOptions?.keychain.available ?? false;
  const [passphraseOnly, setPassphraseOnly] = useState(false);
  const custody: CustodyMode = keychainOk && !passphraseOnly ? 'keychain' : 'passphrase';
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [done, setDone] = useState(false);

  const field = (k: string) => ({
    value: f[k] ?? '',
    error: errors[k],
    onChange: (e: { currentTarget: { value: string } }) => setF({ ...f, [k]: e.currentTarget.value }),
  });

  const next = (): void => {
    if (active === 1) {
      const e = validateSource(mode, f, files);
      setErrors(e);
      if (Object.keys(e).length > 0) return;
    }
    setActive((a) => Math.min(a + 1, 3));
  };

  const submit = async (): Promise<void> => {
    const e = validateCustody(custody, passphrase, confirm);
    setErrors(e);
    if (Object.keys(e).length > 0) return;
    clearIdentityError();
    setActive(3);
    const pass = passphrase ? { passphrase } : {};
    let ok: boolean;
    if (mode === 'enroll') {
      const request: RequestOf<'identity.enroll'> = {
        caUrl: f.caUrl!.trim(),
        rootFingerprint: f.rootFingerprint!.trim(),
        token: f.token!.trim(),
        entityId: f.entityId!.trim(),
        custody,
        ...pass,
        ...(f.brokerUrl?.trim() ? { brokerUrl: f.brokerUrl.trim() } : {}),
      };
      ok = await enroll(request);
    } else {
      const optional = {
        ...(f.caUrl?.trim() ? { caUrl: f.caUrl.trim() } : {}),
        ...(f.rootFingerprint?.trim() ? { rootFingerprint: f.rootFingerprint.trim() } : {}),
      };
      const request: RequestOf<'identity.import'> =
        f.format === 'pem'
          ? {
              format: 'pem',
              keyPem: await readFileText(files.main!),
              chainPem: await readFileText(files.chain!),
              filePassphrase: f.filePassphrase ?? '',
              custody,
              ...pass,
              ...optional,
            }
          : { format: 'pkcs12', fileBase64: await readFileBase64(files.main!), filePassphrase: f.filePassphrase ?? '', custody, ...pass, ...optional };
      ok = await importIdentity(request);
    }
    setDone(ok);
  };

  const doneCount = ENROLL_STEPS.filter((s) => progress[s.id] === 'done').length;

  return (
    <Container size="md" py="xl" data-testid={testIds.wizard}>
      <Stack gap="lg">
        <div>
          <Title order={1}>Set up this console</Title>
          <Text c="dimmed">
            {mode === 'import' && active > 0
              ? 'The imported key is stored on this computer under the protection you choose next.'
              : 'Your private key is created on this computer and never leaves it.'}
          </Text>
        </div>
        <Stepper active={active} onStepClick={(i) => i < active && !busy && !done && setActive(i)} allowNextStepsSelect={false} size="sm">
          <Stepper.Step label="Start" description="Enroll or import" data-testid={testIds.wizardStep(1)} />
          <Stepper.Step label={mode === 'enroll' ? 'Certificate authority' : 'Identity file'} description={mode === 'enroll' ? 'Address, fingerprint, token' : 'PKCS#12 or PEM'} data-testid={testIds.wizardStep(2)} />
          <Stepper.Step label="Key protection" description="Keychain or passphrase" data-testid={testIds.wizardStep(3)} />
          <Stepper.Step label={mode === 'enroll' ? 'Enroll' : 'Import'} description="Progress" data-testid={testIds.wizardStep(4)} />
        </Stepper>

        {active === 0 && (
          <Card withBorder>
            <Stack>
              <Text>How do you want to get an identity for this console?</Text>
              <Group grow>
                <Button size="lg" variant={mode === 'enroll' ? 'filled' : 'default'} onClick={() => { setMode('enroll'); setActive(1); }} data-testid={testIds.wizardModeEnroll} autoFocus>
                  Enroll with a token
                </Button>
                <Button size="lg" variant={mode === 'import' ? 'filled' : 'default'} onClick={() => { setMode('import'); setActive(1); }} data-testid={testIds.wizardModeImport}>
                  Import an existing identity
                </Button>
              </Group>
              <KeychainNote />
            </Stack>
          </Card>
        )}

        {active === 1 && mode === 'enroll' && (
          <StepCard onBack={() => setActive(0)} onNext={next}>
            <TextInput label="Certificate authority address" description="https://… as given by your PKI administrator" placeholder="https://ca.example.org:9443" required autoFocus data-testid={testIds.wizardCaUrl} {...field('caUrl')} />
            <TextInput label="Root certificate fingerprint (SHA-256)" description="Compare it with the one your administrator gave you out of band; the console refuses any other root" placeholder="AB:CD:…" required styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }} data-testid={testIds.wizardFingerprint} {...field('rootFingerprint')} />
            <TextInput label="Your id" description="The name the enrollment token was issued for, e.g. pilot-7" required data-testid={testIds.wizardEntityId} {...field('entityId')} />
            <PasswordInput label="Enrollment token" description="One-time token; it expires" required data-testid={testIds.wizardToken} {...field('token')} />
            <TextInput label="Broker address (optional)" placeholder="mqtts://broker.example.org:8883" data-testid={testIds.wizardBrokerUrl} {...field('brokerUrl')} />
          </StepCard>
        )}

        {active === 1 && mode === 'import' && (
          <StepCard onBack={() => setActive(0)} onNext={next}>
            <SegmentedControl
              data={[
                { value: 'pkcs12', label: 'PKCS#12 file (.p12/.pfx)' },
                { value: 'pem', label: 'Encrypted PEM key + chain' },
              ]}
              value={f.format ?? 'pkcs12'}
              onChange={(v) => { setF({ ...f, format: v }); setFiles({ main: null, chain: null }); }}
              data-testid={testIds.wizardImportFormat}
            />
            <FileField label={f.format === 'pem' ? 'Encrypted private key (PEM)' : 'PKCS#12 file'} accept={f.format === 'pem' ? '.pem,.key' : '.p12,.pfx'} error={errors.file} testId={testIds.wizardImportFile} onFile={(file) => setFiles({ ...files, main: file })} />
            {f.format === 'pem' && <FileField label="Certificate chain (PEM, leaf first)" accept=".pem,.crt,.cer" error={errors.chain} testId={testIds.wizardImportChainFile} onFile={(file) => setFiles({ ...files, chain: file })} />}
            <PasswordInput label="File passphrase" description="The passphrase the file is protected with" data-testid={testIds.wizardImportPassphrase} {...field('filePassphrase')} />
            <TextInput label="Certificate authority address (optional, for renewal)" placeholder="https://ca.example.org:9443" data-testid={testIds.wizardCaUrl} {...field('caUrl')} />
            <TextInput label="Root certificate fingerprint (optional)" styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }} data-testid={testIds.wizardFingerprint} {...field('rootFingerprint')} />
          </StepCard>
        )}

        {active === 2 && (
          <StepCard onBack={() => setActive(1)} onNext={() => void submit()} nextLabel={mode === 'enroll' ? 'Enroll' : 'Import'} nextTestId={testIds.wizardSubmit}>
            <KeychainNote />
            {keychainOk && (
              <Switch
                label="Passphrase only (do not use the keychain)"
                checked={passphraseOnly}
                onChange={(e) => setPassphraseOnly(e.currentTarget.checked)}
                data-testid={testIds.wizardPassphraseOnly}
              />
            )}
            <PasswordInput
              label={custody === 'passphrase' ? 'Passphrase' : 'Passphrase (optional, asked before signing)'}
              description={custody === 'passphrase' ? 'Protects the private key; you enter it when the console starts. It cannot be recovered.' : 'Adds a second protection on top of the keychain'}
              required={custody === 'passphrase'}
              value={passphrase}
              error={errors.passphrase}
              onChange={(e) => setPassphrase(e.currentTarget.value)}
              data-testid={testIds.wizardPassphrase}
              autoFocus
            />
            <PasswordInput label="Repeat the passphrase" value={confirm} error={errors.confirm} onChange={(e) => setConfirm(e.currentTarget.value)} data-testid={testIds.wizardPassphraseConfirm} />
          </StepCard>
        )}

        {active === 3 && (
          <Card withBorder data-testid={testIds.wizardProgress} aria-live="polite">
            <Stack>
              {mode === 'enroll' ? (
                <>
                  <Progress value={(doneCount / ENROLL_STEPS.length) * 100} animated={busy === 'enroll'} aria-label="Enrollment progress" />
                  <List spacing="xs" listStyleType="none">
                    {ENROLL_STEPS.map((s, i) => {
                      const st = progress[s.id];
                      return (
                        <List.Item key={s.id} data-testid={testIds.wizardProgressStep(s.id)} data-status={st}>
                          <Group gap="xs">
                            {st === 'running' ? <Loader size="xs" /> : <Badge size="sm" circle color={STEP_ICON[st].color}>{i + 1}</Badge>}
                            <Text size="sm">{s.label}</Text>
                            <Text size="xs" c="dimmed">{STEP_ICON[st].label}</Text>
                          </Group>
                        </List.Item>
                      );
                    })}
                  </List>
                </>
              ) : (
                busy === 'import' && (
                  <Group>
                    <Loader size="sm" />
                    <Text>Checking and storing the identity…</Text>
                  </Group>
                )
              )}
              <ErrorNotice error={error} testId={testIds.wizardError} />
              {done && (
                <Alert color="green" title={mode === 'enroll' ? 'Enrolled' : 'Imported'}>
                  The identity is ready and the key is stored protected.
                </Alert>
              )}
              <Group justify="space-between">
                <Button variant="default" disabled={!!busy || done} onClick={() => setActive(2)} data-testid={testIds.wizardBack}>
                  Back
                </Button>
                {done ? (
                  <Button onClick={onFinished} data-testid={testIds.wizardDone} autoFocus>
                    Open the console
                  </Button>
                ) : (
                  !busy && error && (
                    <Button onClick={() => void submit()} data-testid={testIds.wizardRetry}>
                      Try again
                    </Button>
                  )
                )}
              </Group>
            </Stack>
          </Card>
        )}
      </Stack>
    </Container>
  );
}

function StepCard({ children, onBack, onNext, nextLabel = 'Next', nextTestId = testIds.wizardNext }: { children: ReactNode; onBack: () => void; onNext: () => void; nextLabel?: string; nextTestId?: string }) {
  return (
    <Card withBorder component="form" onSubmit={(e: { preventDefault(): void }) => { e.preventDefault(); onNext(); }}>
      <Stack>
        {children}
        <Group justify="space-between">
          <Button variant="default" onClick={onBack} data-testid={testIds.wizardBack}>
            Back
          </Button>
          <Button type="submit" data-testid={nextTestId}>
            {nextLabel}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function KeychainNote() {
  const custody = useIdentity((s) => s.custody);
  if (!custody) return null;
  const k = custody.keychain;
  return (
    <Alert color={k.available ? 'green' : 'yellow'} variant="light" data-testid={testIds.wizardKeychainStatus} data-available={String(k.available)} title={k.available ? `Keychain available${k.backend ? `: ${k.backend}` : ''}` : 'No secure keychain on this computer'}>
      {k.available
        ? 'The key is encrypted and its unlock key kept in the operating system keychain.'
        : `${k.reason ?? 'The operating system keychain cannot be used.'} The key will not be stored unprotected: choose a passphrase instead.`}
    </Alert>
  );
}

function FileField({ label, accept, error, testId, onFile }: { label: string; accept: string; error?: string | undefined; testId: string; onFile: (f: File | null) => void }) {
  return (
    <Stack gap={4}>
      <Text component="label" size="sm" fw={500} htmlFor={testId}>
        {label}
      </Text>
      <input id={testId} type="file" accept={accept} data-testid={testId} onChange={(e) => onFile(e.currentTarget.files?.[0] ?? null)} />
      {error && (
        <Text size="xs" c="red" role="alert">
          {error}
        </Text>
      )}
    </Stack>
  );
}
