/**
 * The first-run wizard: enroll with a token, or import an existing identity. This component holds the form state
 * and moves between the steps: start (`StartStep`), the CA or file (`EnrollSourceStep`, `ImportSourceStep`), key
 * protection (`CustodyStep`) and progress (`ProgressStep`).
 */
import { useState } from 'react';
import { Container, Group, Stack, Stepper, Text, Title } from '@mantine/core';
import { PalettePicker } from '../SettingsScreen';
import type { CustodyMode } from '@helmlink/app-preload';
import { enroll, importIdentity, clearIdentityError, useIdentity } from '../../stores/identity';
import { testIds } from '../../testids';
import { CustodyStep } from './CustodyStep';
import { EnrollSourceStep } from './EnrollSourceStep';
import { ImportSourceStep } from './ImportSourceStep';
import { ProgressStep } from './ProgressStep';
import { StartStep } from './StartStep';
import type { FieldBinder } from './parts';
import { enrollRequest, importRequest } from './requests';
import { validateCustody, validateSource, type Fields, type Mode, type SourceFiles } from './validate';

const NO_FILES: SourceFiles = { main: null, chain: null };

export function Wizard({ onFinished }: { onFinished: () => void }) {
  const custodyOptions = useIdentity((s) => s.custody);
  const busy = useIdentity((s) => s.busy);
  const [active, setActive] = useState(0);
  const [mode, setMode] = useState<Mode>('enroll');
  const [f, setF] = useState<Fields>({
    caUrl: '',
    rootFingerprint: '',
    token: '',
    entityId: '',
    brokerUrl: '',
    format: 'pkcs12',
    filePassphrase: '',
  });
  const [files, setFiles] = useState<SourceFiles>(NO_FILES);
  const keychainOk = custodyOptions?.keychain.available ?? false;
  const [passphraseOnly, setPassphraseOnly] = useState(false);
  const custody: CustodyMode = keychainOk && !passphraseOnly ? 'keychain' : 'passphrase';
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [done, setDone] = useState(false);

  const field: FieldBinder = (k) => ({
    value: f[k] ?? '',
    error: errors[k],
    onChange: (e) => setF({ ...f, [k]: e.currentTarget.value }),
  });

  const next = (): void => {
    const e = validateSource(mode, f, files);
    setErrors(e);
    if (Object.keys(e).length === 0) setActive(2);
  };

  const submit = async (): Promise<void> => {
    const e = validateCustody(custody, passphrase, confirm);
    setErrors(e);
    if (Object.keys(e).length > 0) return;
    clearIdentityError();
    setActive(3);
    const ok =
      mode === 'enroll'
        ? await enroll(enrollRequest(f, custody, passphrase))
        : await importIdentity(await importRequest(f, files, custody, passphrase));
    setDone(ok);
  };

  const choose = (m: Mode): void => {
    setMode(m);
    setActive(1);
  };

  return (
    <Container size="md" py="xl" data-testid={testIds.wizard}>
      <Stack gap="lg">
        <Group justify="space-between" align="flex-start">
          <div>
            <Title order={1}>Set up this console</Title>
            <Text c="dimmed">
              {mode === 'import' && active > 0
                ? 'The imported key is stored on this computer under the protection you choose next.'
                : 'Your private key is created on this computer and never leaves it.'}
            </Text>
          </div>
          <PalettePicker />
        </Group>
        <WizardSteps
          mode={mode}
          active={active}
          onStepClick={(i) => i < active && !busy && !done && setActive(i)}
        />

        {active === 0 && <StartStep mode={mode} onChoose={choose} />}

        {active === 1 && mode === 'enroll' && (
          <EnrollSourceStep field={field} onBack={() => setActive(0)} onNext={next} />
        )}

        {active === 1 && mode === 'import' && (
          <ImportSourceStep
            format={f.format ?? 'pkcs12'}
            onFormat={(v) => {
              setF({ ...f, format: v });
              setFiles(NO_FILES);
            }}
            files={files}
            onFiles={setFiles}
            errors={errors}
            field={field}
            onBack={() => setActive(0)}
            onNext={next}
          />
        )}

        {active === 2 && (
          <CustodyStep
            mode={mode}
            choice={{ keychainOk, passphraseOnly, custody, passphrase, confirm }}
            onChange={(patch) => {
              if (patch.passphraseOnly !== undefined) setPassphraseOnly(patch.passphraseOnly);
              if (patch.passphrase !== undefined) setPassphrase(patch.passphrase);
              if (patch.confirm !== undefined) setConfirm(patch.confirm);
            }}
            errors={errors}
            onBack={() => setActive(1)}
            onSubmit={() => void submit()}
          />
        )}

        {active === 3 && (
          <ProgressStep
            mode={mode}
            done={done}
            onBack={() => setActive(2)}
            onRetry={() => void submit()}
            onFinished={onFinished}
          />
        )}
      </Stack>
    </Container>
  );
}

/** The four-step header; a finished step can be clicked to go back. */
function WizardSteps({
  mode,
  active,
  onStepClick,
}: {
  mode: Mode;
  active: number;
  onStepClick: (step: number) => void;
}) {
  return (
    <Stepper active={active} onStepClick={onStepClick} allowNextStepsSelect={false} size="sm">
      <Stepper.Step label="Start" description="Enroll or import" data-testid={testIds.wizardStep(1)} />
      <Stepper.Step
        label={mode === 'enroll' ? 'Certificate authority' : 'Identity file'}
        description={mode === 'enroll' ? 'Address, fingerprint, token' : 'PKCS#12 or PEM'}
        data-testid={testIds.wizardStep(2)}
      />
      <Stepper.Step
        label="Key protection"
        description="Keychain or passphrase"
        data-testid={testIds.wizardStep(3)}
      />
      <Stepper.Step
        label={mode === 'enroll' ? 'Enroll' : 'Import'}
        description="Progress"
        data-testid={testIds.wizardStep(4)}
      />
    </Stepper>
  );
}
