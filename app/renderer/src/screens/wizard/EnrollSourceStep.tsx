/** Step 2 (enroll): the certificate authority, its pinned root, the holder's id and the one-time token. */
import { PasswordInput, TextInput } from '@mantine/core';
import { testIds } from '../../testids';
import { StepCard, type FieldBinder } from './parts';

export function EnrollSourceStep({
  field,
  onBack,
  onNext,
}: {
  field: FieldBinder;
  onBack: () => void;
  onNext: () => void;
}) {
  return (
    <StepCard onBack={onBack} onNext={onNext}>
      <TextInput
        label="Certificate authority address"
        description="https://… as given by your PKI administrator"
        placeholder="https://ca.example.org:9443"
        required
        autoFocus
        data-testid={testIds.wizardCaUrl}
        {...field('caUrl')}
      />
      <TextInput
        label="Root certificate fingerprint (SHA-256)"
        description="Compare it with the one your administrator gave you out of band; the console refuses any other root"
        placeholder="AB:CD:…"
        required
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        data-testid={testIds.wizardFingerprint}
        {...field('rootFingerprint')}
      />
      <TextInput
        label="Your id"
        description="The name the enrollment token was issued for, e.g. pilot-7"
        required
        data-testid={testIds.wizardEntityId}
        {...field('entityId')}
      />
      <PasswordInput
        label="Enrollment token"
        description="One-time token; it expires"
        required
        data-testid={testIds.wizardToken}
        {...field('token')}
      />
      <TextInput
        label="Broker address (optional)"
        placeholder="mqtts://broker.example.org:8883"
        data-testid={testIds.wizardBrokerUrl}
        {...field('brokerUrl')}
      />
    </StepCard>
  );
}
