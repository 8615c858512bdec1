/** Step 1: enroll with a token, or import an existing identity. */
import { Button, Card, Group, Stack, Text } from '@mantine/core';
import { testIds } from '../../testids';
import { KeychainNote } from './parts';
import type { Mode } from './validate';

export function StartStep({ mode, onChoose }: { mode: Mode; onChoose: (mode: Mode) => void }) {
  return (
    <Card withBorder>
      <Stack>
        <Text>How do you want to get an identity for this console?</Text>
        <Group grow>
          <Button
            size="lg"
            variant={mode === 'enroll' ? 'filled' : 'default'}
            onClick={() => onChoose('enroll')}
            data-testid={testIds.wizardModeEnroll}
            autoFocus
          >
            Enroll with a token
          </Button>
          <Button
            size="lg"
            variant={mode === 'import' ? 'filled' : 'default'}
            onClick={() => onChoose('import')}
            data-testid={testIds.wizardModeImport}
          >
            Import an existing identity
          </Button>
        </Group>
        <KeychainNote />
      </Stack>
    </Card>
  );
}
