import { useState } from 'react';
import { Alert, Anchor, Code, Collapse, Stack, Text } from '@mantine/core';
import type { FriendlyError } from '../logic/errors';
import { testIds } from '../testids';

export interface ErrorNoticeProps {
  error: FriendlyError | null | undefined;
  onClose?: () => void;
  /** Overrides the test id (e.g. wizard-error). */
  testId?: string;
}

/** A plain-words error with the technical detail one click away. */
export function ErrorNotice({ error, onClose, testId }: ErrorNoticeProps) {
  const [open, setOpen] = useState(false);
  if (!error) return null;
  return (
    <Alert
      color="red"
      variant="light"
      title={error.title}
      role="alert"
      data-testid={testId ?? testIds.errorNotice}
      data-code={error.code ?? ''}
      withCloseButton={!!onClose}
      onClose={onClose}
      closeButtonLabel="Dismiss"
    >
      <Stack gap={4}>
        <Text size="sm">{error.message}</Text>
        <Anchor
          component="button"
          type="button"
          size="xs"
          onClick={() => setOpen((o) => !o)}
          aria-expanded={open}
          data-testid={testIds.errorDetailsToggle}
        >
          {open ? 'Hide technical details' : 'Show technical details'}
        </Anchor>
        <Collapse expanded={open}>
          <Code block data-testid={testIds.errorDetails}>
            {error.detail}
          </Code>
        </Collapse>
      </Stack>
    </Alert>
  );
}
