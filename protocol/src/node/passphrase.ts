/**
 * Passphrase files, with one meaning everywhere (CA, vessel, `helmlink sign-command`): the passphrase is the file's
 * first line without its line ending (LF or CRLF). Every other character counts, spaces included, so what a file
 * holds is exactly what was typed; an empty first line is no passphrase.
 */
import { readFileSync } from 'node:fs';
import { HelmlinkError } from '../errors';

/**
 * The passphrase a passphrase file's `contents` hold (see the module comment). `source` names the file in errors.
 * @throws HelmlinkError ERR_PASSPHRASE_REQUIRED when the first line is empty.
 */
export function passphraseFromFile(contents: string, source: string): string {
  const passphrase = contents.split(/\r?\n/u)[0]!;
  if (passphrase.length === 0)
    throw new HelmlinkError('ERR_PASSPHRASE_REQUIRED', `the passphrase file ${source} is empty`);
  return passphrase;
}

/**
 * Reads a passphrase file (see {@link passphraseFromFile}).
 * @throws HelmlinkError ERR_PASSPHRASE_REQUIRED when the file cannot be read or its first line is empty.
 */
export function readPassphraseFile(path: string): string {
  let contents: string;
  try {
    contents = readFileSync(path, 'utf8');
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
    throw new HelmlinkError('ERR_PASSPHRASE_REQUIRED', `cannot read the passphrase file ${path}: ${reason}`, {
      cause,
    });
  }
  return passphraseFromFile(contents, path);
}
