/** Step 2 (import): a PKCS#12 file, or an encrypted PEM key with its chain; the CA fields are optional. */
import { PasswordInput, SegmentedControl, TextInput } from '@mantine/core';
import { testIds } from '../../testids';
import { FileField, StepCard, type FieldBinder } from './parts';
import type { SourceFiles } from './validate';

export function ImportSourceStep({
  format,
  onFormat,
  files,
  onFiles,
  errors,
  field,
  onBack,
  onNext,
}: {
  format: string;
  onFormat: (format: string) => void;
  files: SourceFiles;
  onFiles: (files: SourceFiles) => void;
  errors: Record<string, string>;
  field: FieldBinder;
  onBack: () => void;
  onNext: () => void;
}) {
  return (
    <StepCard onBack={onBack} onNext={onNext}>
      <SegmentedControl
        data={[
          { value: 'pkcs12', label: 'PKCS#12 file (.p12/.pfx)' },
          { value: 'pem', label: 'Encrypted PEM key + chain' },
        ]}
        value={format}
        onChange={onFormat}
        data-testid={testIds.wizardImportFormat}
      />
      <FileField
        label={format === 'pem' ? 'Encrypted private key (PEM)' : 'PKCS#12 file'}
        accept={format === 'pem' ? '.pem,.key' : '.p12,.pfx'}
        error={errors.file}
        testId={testIds.wizardImportFile}
        onFile={(file) => onFiles({ ...files, main: file })}
      />
      {format === 'pem' && (
        <FileField
          label="Certificate chain (PEM, leaf first)"
          accept=".pem,.crt,.cer"
          error={errors.chain}
          testId={testIds.wizardImportChainFile}
          onFile={(file) => onFiles({ ...files, chain: file })}
        />
      )}
      <PasswordInput
        label="File passphrase"
        description="The passphrase the file is protected with"
        data-testid={testIds.wizardImportPassphrase}
        {...field('filePassphrase')}
      />
      <TextInput
        label="Certificate authority address (optional, for renewal)"
        placeholder="https://ca.example.org:9443"
        data-testid={testIds.wizardCaUrl}
        {...field('caUrl')}
      />
      <TextInput
        label="Root certificate fingerprint (optional)"
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        data-testid={testIds.wizardFingerprint}
        {...field('rootFingerprint')}
      />
    </StepCard>
  );
}
