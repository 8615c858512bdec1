/** Step 4: the enrollment's progress per step (or the import's), the outcome, and Try again / Open the console. */
import { Alert, Badge, Button, Card, Group, List, Loader, Progress, Stack, Text } from '@mantine/core';
import { ENROLL_STEPS } from '@helmlink/app-preload';
import { useIdentity, type StepStatus } from '../../stores/identity';
import { ErrorNotice } from '../../components/ErrorNotice';
import { testIds } from '../../testids';
import type { Mode } from './validate';

const STEP_ICON: Record<StepStatus, { label: string; color: string }> = {
  waiting: { label: 'waiting', color: 'gray' },
  running: { label: 'working…', color: 'blue' },
  done: { label: 'done', color: 'green' },
  failed: { label: 'failed', color: 'red' },
};

function EnrollProgress() {
  const progress = useIdentity((s) => s.progress);
  const busy = useIdentity((s) => s.busy);
  const doneCount = ENROLL_STEPS.filter((s) => progress[s.id] === 'done').length;
  return (
    <>
      <Progress
        value={(doneCount / ENROLL_STEPS.length) * 100}
        animated={busy === 'enroll'}
        aria-label="Enrollment progress"
      />
      <List spacing="xs" listStyleType="none">
        {ENROLL_STEPS.map((s, i) => {
          const st = progress[s.id];
          return (
            <List.Item key={s.id} data-testid={testIds.wizardProgressStep(s.id)} data-status={st}>
              <Group gap="xs">
                {st === 'running' ? (
                  <Loader size="xs" />
                ) : (
                  <Badge size="sm" circle color={STEP_ICON[st].color}>
                    {i + 1}
                  </Badge>
                )}
                <Text size="sm">{s.label}</Text>
                <Text size="xs" c="dimmed">
                  {STEP_ICON[st].label}
                </Text>
              </Group>
            </List.Item>
          );
        })}
      </List>
    </>
  );
}

export function ProgressStep({
  mode,
  done,
  onBack,
  onRetry,
  onFinished,
}: {
  mode: Mode;
  done: boolean;
  onBack: () => void;
  onRetry: () => void;
  onFinished: () => void;
}) {
  const busy = useIdentity((s) => s.busy);
  const error = useIdentity((s) => s.error);
  return (
    <Card withBorder data-testid={testIds.wizardProgress} aria-live="polite">
      <Stack>
        {mode === 'enroll' ? (
          <EnrollProgress />
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
          <Button
            variant="default"
            disabled={!!busy || done}
            onClick={onBack}
            data-testid={testIds.wizardBack}
          >
            Back
          </Button>
          {done ? (
            <Button onClick={onFinished} data-testid={testIds.wizardDone} autoFocus>
              Open the console
            </Button>
          ) : (
            !busy &&
            error && (
              <Button onClick={onRetry} data-testid={testIds.wizardRetry}>
                Try again
              </Button>
            )
          )}
        </Group>
      </Stack>
    </Card>
  );
}
