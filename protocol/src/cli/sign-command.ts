/**
 * `helmlink sign-command`: signs a `streams.set` command token for hand testing.
 * Exit codes: 0 token printed, 1 the inputs were refused (coded error), 2 usage or unreadable input.
 */
import '../reflect';
import { decodePem } from '../pki/pem';
import { importPrivateKey, decryptPrivateKey } from '../keys/pkcs8';
import { createSigner, signCommand } from '../envelope/sign';
import { importVerifyKey } from '../envelope/trust';
import { compactVerify } from 'jose';
import { HelmlinkError } from '../errors';
import {
  defineCommand,
  EXIT_OK,
  readInput,
  readPassphraseOption,
  required,
  UsageError,
  type CliIO,
} from '../node/cli-kit';
import { parseRfc3339, readCertificates } from './verify-command';

function addressList(value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return [];
  return value.split(',').map((a) => a.trim());
}

async function readPrivateKey(
  io: CliIO,
  path: string,
  passphraseFile: string | undefined,
): Promise<CryptoKey> {
  const text = readInput(io, path, 'key').toString('utf8');
  const blocks = decodePem(text);
  const plain = blocks.find((b) => b.label === 'PRIVATE KEY');
  const encrypted = blocks.find((b) => b.label === 'ENCRYPTED PRIVATE KEY');
  let pkcs8: Uint8Array;
  if (plain) {
    pkcs8 = plain.der;
  } else if (encrypted) {
    const passphrase =
      passphraseFile !== undefined
        ? readPassphraseOption(io, passphraseFile)
        : io.env.HELMLINK_KEY_PASSPHRASE;
    if (!passphrase)
      throw new UsageError(
        'the key is encrypted: give --passphrase-file FILE or set HELMLINK_KEY_PASSPHRASE',
      );
    pkcs8 = await decryptPrivateKey(text, passphrase);
  } else {
    throw new UsageError(`${path} holds no PKCS#8 PRIVATE KEY or ENCRYPTED PRIVATE KEY block`);
  }
  // RSA keys sign PS256 (RSA-PSS); EC and Ed25519 keys map to ES256/ES384/EdDSA.
  return importPrivateKey(pkcs8, { rsaScheme: 'pss' });
}

export const signCommandCommand = defineCommand({
  name: 'sign-command',
  summary: 'Sign a streams.set command token (for hand testing)',
  usage: `
Usage: helmlink sign-command --key FILE --cert FILE --audience ID --on G:P,... --off G:P,...
                             [--lifetime S] [--now RFC3339] [--passphrase-file FILE]

Prints a helmlink-cmd+jwt token (compact JWS) for a streams.set command: x5c = the certificate from --cert only
(verifiers hold the issuing CA), iss = the certificate CN, aud = --audience, jti = a random UUID,
exp = now + lifetime.

Options:
  --key FILE              PKCS#8 private key, PEM (PRIVATE KEY, or ENCRYPTED PRIVATE KEY with the passphrase from
                          --passphrase-file, its first line, or HELMLINK_KEY_PASSPHRASE). P-256 → ES256,
                          P-384 → ES384, Ed25519 → EdDSA, RSA >= 3072 → PS256.
  --cert FILE             the signer certificate (PEM/DER; the first certificate in the file)
  --audience ID           the vessel id
  --on G:P,...            streams to switch on (IPv4 multicast group:port, comma-separated; may be empty)
  --off G:P,...           streams to switch off (every catalog stream must be in --on or --off)
  --lifetime S            seconds until exp (default 30, max 300)
  --now RFC3339           signing time (default: the system clock)

Exit codes: 0 token printed, 1 refused (reason code), 2 usage or unreadable input.
`,
  options: {
    key: { type: 'string' },
    cert: { type: 'string' },
    audience: { type: 'string' },
    on: { type: 'string' },
    off: { type: 'string' },
    lifetime: { type: 'string' },
    now: { type: 'string' },
    'passphrase-file': { type: 'string' },
  },
  run: async ({ values, io }) => {
    const keyPath = required(values.key, '--key');
    const certPath = required(values.cert, '--cert');
    const audience = required(values.audience, '--audience');
    if (values.on === undefined && values.off === undefined) throw new UsageError('give --on and/or --off');
    const lifetime = values.lifetime === undefined ? 30 : Number(values.lifetime);
    if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > 300)
      throw new UsageError('--lifetime must be an integer from 1 to 300');
    const nowMs = values.now !== undefined ? parseRfc3339(values.now, '--now') : Date.now();
    const chain = readCertificates(io, certPath, 'certificate');
    const privateKey = await readPrivateKey(io, keyPath, values['passphrase-file']);
    const signer = createSigner({ privateKey, chain });
    const { token } = await signCommand(signer, {
      audience,
      cmd: { v: 1, type: 'streams.set', on: addressList(values.on), off: addressList(values.off) },
      lifetimeSeconds: lifetime,
      clock: () => nowMs,
    });
    // Refuse a key that does not belong to the certificate: such a token could never verify.
    try {
      await compactVerify(token, await importVerifyKey(chain[0]!, signer.alg));
    } catch (err) {
      throw new HelmlinkError('ERR_SIGNATURE_INVALID', 'the key does not match the certificate', {
        cause: err,
      });
    }
    io.stdout.write(`${token}\n`);
    return EXIT_OK;
  },
});
