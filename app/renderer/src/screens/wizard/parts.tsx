/** Building blocks shared by the wizard's steps. */
import type { ReactNode } from 'react';
import { Alert, Button, Card, Group, Stack, Text } from '@mantine/core';
import { useIdentity } from '../../stores/identity';
import { testIds } from '../../testids';

/** Binds a text field of the wizard form: value, error and change handler. */
export type FieldBinder = (key: string) => {
  value: string;
  error: string | undefined;
  onChange: (e: { currentTarget: { value: string } }) => void;
};

/** A step as a form with Back and Next (Enter submits). */
export function StepCard({
  children,
  onBack,
  onNext,
  nextLabel = 'Next',
  nextTestId = testIds.wizardNext,
}: {
  children: ReactNode;
  onBack: () => void;
  onNext: () => void;
  nextLabel?: string;
  nextTestId?: string;
}) {
  return (
    <Card
      withBorder
      component="form"
      onSubmit={(e: { preventDefault(): void }) => {
        e.preventDefault();
        onNext();
      }}
    >
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

/** Whether the OS keychain can hold the key's unlock data here, and why not. */
export function KeychainNote() {
  const custody = useIdentity((s) => s.custody);
  if (!custody) return null;
  const k = custody.keychain;
  return (
    <Alert
      color={k.available ? 'green' : 'yellow'}
      variant="light"
      data-testid={testIds.wizardKeychainStatus}
      data-available={String(k.available)}
      title={
        k.available
          ? `Keychain available${k.backend ? `: ${k.backend}` : ''}`
          : 'No secure keychain on this computer'
      }
    >
      {k.available
        ? 'The key is encrypted and its unlock key kept in the operating system keychain.'
        : `${k.reason ?? 'The operating system keychain cannot be used.'} The key will not be stored unprotected: choose a passphrase instead.`}
    </Alert>
  );
}

/** A labelled file input. */
export function FileField({
  label,
  accept,
  error,
  testId,
  onFile,
}: {
  label: string;
  accept: string;
  error?: string | undefined;
  testId: string;
  onFile: (f: File | null) => void;
}) {
  return (
    <Stack gap={4}>
      <Text component="label" size="sm" fw={500} htmlFor={testId}>
        {label}
      </Text>
      <input
        id={testId}
        type="file"
        accept={accept}
        data-testid={testId}
        onChange={(e) => onFile(e.currentTarget.files?.[0] ?? null)}
      />
      {error && (
        <Text size="xs" c="red" role="alert">
          {error}
        </Text>
      )}
    </Stack>
  );
}
