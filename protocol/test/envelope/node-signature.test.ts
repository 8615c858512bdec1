import { beforeAll, describe, expect, it } from 'vitest';
import { createSigner, signCommand, verifyCommand, type VerifyCommandOptions } from '../../src/envelope';
import { nodeSignatureVerifier } from '../../src/node/signature';
import { HelmlinkError } from '../../src/errors';
import { MemoryReplayStore } from '../../src/replay';
import { clock, CMD, createWorld, VESSEL, type World } from './fixtures';

let w: World;
beforeAll(async () => {
  w = await createWorld();
});

describe('nodeSignatureVerifier (Node fast path)', () => {
  it.each(['ES256', 'EdDSA', 'PS256'] as const)(
    'accepts valid %s tokens and rejects altered ones like the WebCrypto path',
    async (alg) => {
      const pilot = await w.pki.issue(`pilot-node-${alg}`, ['pilot'], { alg });
      const signer = createSigner({ privateKey: pilot.keys.privateKey, chain: pilot.chain });
      const trust = w.trust({ signatureVerifier: nodeSignatureVerifier });
      const options = (): VerifyCommandOptions => ({
        trust,
        clock,
        audience: VESSEL,
        replay: new MemoryReplayStore(),
        algorithms: [alg],
      });
      const { token } = await signCommand(signer, { audience: VESSEL, cmd: CMD as never, clock });
      await expect(verifyCommand(token, options())).resolves.toMatchObject({
        signer: { entityId: `pilot-node-${alg}` },
      });
      const [h, p, s] = token.split('.') as [string, string, string];
      const flipped = `${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`;
      for (const bad of [
        `${h}.${p}.${flipped}`,
        `${h}.${p}.${s.slice(0, 20)}`,
        `${h}.${p.slice(0, -2)}AA.${s}`,
      ]) {
        const err = await verifyCommand(bad, options()).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(HelmlinkError);
        expect((err as HelmlinkError).code).toBe('ERR_SIGNATURE_INVALID');
      }
    },
  );
});
