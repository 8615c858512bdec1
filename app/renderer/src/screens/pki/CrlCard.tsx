/** The issuing CA's current revocation list. */
import { Card, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { usePki } from '../../stores/pki';
import { describeRevocationReason } from '../../logic/revocation';
import { formatTime } from '../../logic/format';
import { testIds } from '../../testids';

export function CrlCard() {
  const crl = usePki((s) => s.crl);
  return (
    <Card withBorder data-testid={testIds.crlView}>
      <Title order={3} mb="xs">
        Revocation list (CRL)
      </Title>
      {!crl ? (
        <Text c="dimmed" size="sm">
          Not loaded.
        </Text>
      ) : (
        <Stack gap="xs">
          <SimpleGrid cols={2} spacing={4} verticalSpacing={2}>
            <Text size="sm" c="dimmed">
              Number
            </Text>
            <Text size="sm" data-testid={testIds.crlNumber}>
              {crl.crlNumber}
            </Text>
            <Text size="sm" c="dimmed">
              This update
            </Text>
            <Text size="sm" data-testid={testIds.crlThisUpdate}>
              {formatTime(crl.thisUpdate)}
            </Text>
            <Text size="sm" c="dimmed">
              Next update
            </Text>
            <Text size="sm" data-testid={testIds.crlNextUpdate}>
              {formatTime(crl.nextUpdate ?? undefined)}
            </Text>
            <Text size="sm" c="dimmed">
              Issuer
            </Text>
            <Text size="sm">{crl.issuer}</Text>
          </SimpleGrid>
          <Table fz="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Serial</Table.Th>
                <Table.Th>Revoked</Table.Th>
                <Table.Th>Reason</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {crl.entries.map((e) => (
                <Table.Tr key={e.serial} data-testid={testIds.crlEntry(e.serial)}>
                  <Table.Td ff="monospace">{e.serial}</Table.Td>
                  <Table.Td>{formatTime(e.revokedAt)}</Table.Td>
                  <Table.Td>{describeRevocationReason(e.reasonCode ?? undefined)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {crl.entries.length === 0 && (
            <Text size="sm" c="dimmed">
              No revoked certificates.
            </Text>
          )}
        </Stack>
      )}
    </Card>
  );
}
