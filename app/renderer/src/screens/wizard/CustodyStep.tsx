/** Step 3: how the key is protected (OS keychain, passphrase, or both). */
import { PasswordInput, Switch } from '@mantine/core';
import type { CustodyMode } from '@helmlink/app-preload';
import { testIds } from '../../testids';
import { KeychainNote, StepCard } from './parts';
import type { Mode } from './validate';

export interface CustodyChoice {
  keychainOk: boolean;
  passphraseOnly: boolean;
  custody: CustodyMode;
  passphrase: string;
  confirm: string;
}

export function CustodyStep({
  mode,
  choice,
  onChange,
  errors,
  onBack,
  onSubmit,
}: {
  mode: Mode;
  choice: CustodyChoice;
  onChange: (patch: Partial<Pick<CustodyChoice, 'passphraseOnly' | 'passphrase' | 'confirm'>>) => void;
  errors: Record<string, string>;
  onBack: () => void;
  onSubmit: () => void;
}) {
  const { custody } = choice;
  return (
    <StepCard
      onBack={onBack}
      onNext={onSubmit}
      nextLabel={mode === 'enroll' ? 'Enroll' : 'Import'}
      nextTestId={testIds.wizardSubmit}
    >
      <KeychainNote />
      {choice.keychainOk && (
        <Switch
          label="Passphrase only (do not use the keychain)"
          checked={choice.passphraseOnly}
          onChange={(e) => onChange({ passphraseOnly: e.currentTarget.checked })}
          data-testid={testIds.wizardPassphraseOnly}
        />
      )}
      <PasswordInput
        label={custody === 'passphrase' ? 'Passphrase' : 'Passphrase (optional, asked before signing)'}
        description={
          custody === 'passphrase'
            ? 'Protects the private key; you enter it when the console starts. It cannot be recovered.'
            : 'Adds a second protection on top of the keychain'
        }
        required={custody === 'passphrase'}
        value={choice.passphrase}
        error={errors.passphrase}
        onChange={(e) => onChange({ passphrase: e.currentTarget.value })}
        data-testid={testIds.wizardPassphrase}
        autoFocus
      />
      <PasswordInput
        label="Repeat the passphrase"
        value={choice.confirm}
        error={errors.confirm}
        onChange={(e) => onChange({ confirm: e.currentTarget.value })}
        data-testid={testIds.wizardPassphraseConfirm}
      />
    </StepCard>
  );
}
