/** `helmlink ca token`: create a one-time enrollment token locally (the admin API does the same over mTLS). */
import { defineCommand, EXIT_OK, required, UsageError } from '@helmlink/protocol/node';
import { ENROLLABLE_ROLES, type Role } from '@helmlink/protocol';
import { createEnrollmentToken } from '../authority/offline-token';
import { abs, PASSPHRASE_HELP, readPassphrase } from './common';

export const caTokenCommand = defineCommand({
  name: 'ca token',
  summary: 'Create a one-time enrollment token (shown once)',
  usage: `
Usage: helmlink ca token --dir DIR --entity ID --role ROLE... [--name SHIP] [--imo N] [--mmsi N] [--flag CC] [--ttl SECONDS] [--validity-days N] [--json] [--passphrase-file FILE]

Roles: ${ENROLLABLE_ROLES.join(', ')}. The token is bound to the entity id, roles and maritime attributes
(the ship's name, IMO number, MMSI, flag state: written into the certificate, where consoles read them);
only its hash is stored.

${PASSPHRASE_HELP}
Exit codes: 0 created, 1 refused (invalid id, IMO check digit, ...), 2 usage.
`,
  options: {
    dir: { type: 'string' },
    entity: { type: 'string' },
    role: { type: 'string', multiple: true },
    name: { type: 'string' },
    imo: { type: 'string' },
    mmsi: { type: 'string' },
    flag: { type: 'string' },
    ttl: { type: 'string' },
    'validity-days': { type: 'string' },
    json: { type: 'boolean' },
    'passphrase-file': { type: 'string' },
  },
  async run({ values, io }) {
    const dir = abs(io, required(values.dir, '--dir'));
    const entityId = required(values.entity, '--entity');
    const roles = values.role ?? [];
    if (roles.length === 0) throw new UsageError('missing required option --role');
    const num = (v: string | undefined, name: string): number | undefined => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isInteger(n)) throw new UsageError(`${name} must be an integer`);
      return n;
    };
    const ttlSeconds = num(values.ttl, '--ttl');
    const validityDays = num(values['validity-days'], '--validity-days');
    const passphrase = readPassphrase(io, values['passphrase-file']);
    const result = await createEnrollmentToken({
      dir,
      passphrase,
      entityId,
      roles: roles as Role[],
      ...(values.name ? { name: values.name } : {}),
      ...(values.imo ? { imo: values.imo } : {}),
      ...(values.mmsi ? { mmsi: values.mmsi } : {}),
      ...(values.flag ? { flag: values.flag } : {}),
      ...(ttlSeconds !== undefined ? { ttlSeconds } : {}),
      ...(validityDays !== undefined ? { validityDays } : {}),
    });
    io.stdout.write(values.json ? `${JSON.stringify(result)}\n` : `${result.token}\n`);
    return EXIT_OK;
  },
});
