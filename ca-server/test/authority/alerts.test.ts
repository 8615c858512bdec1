import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAuthority, type Authority } from '../../src/authority/authority';
import { createTestCa, TEST_START, makeCsr, PASSPHRASE } from '../helpers';
import { frozenClock } from '@helmlink/protocol';

const clock = frozenClock(TEST_START);
const received: Array<Record<string, unknown>> = [];
let attempts = 0;
let release: (() => void) | undefined;
let gate: Promise<void> = Promise.resolve();
const hook = createServer((req: IncomingMessage, res: ServerResponse) => {
  let body = '';
  req.on('data', (d: Buffer) => (body += d.toString()));
  req.on('end', () => {
    attempts++;
    void gate.then(() => {
      if (attempts === 1) {
        res.writeHead(500).end();
        return;
      }
      received.push(JSON.parse(body) as Record<string, unknown>);
      res.writeHead(200).end('ok');
    });
  });
});
let authority: Authority;

beforeAll(async () => {
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
  const { dir } = await createTestCa(clock);
  authority = await loadAuthority({
    dir,
    passphrase: PASSPHRASE,
    clock,
    alertWebhook: {
      url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
      backoffMs: 5,
      attempts: 3,
    },
  });
});

afterAll(async () => {
  await authority.close();
  hook.close();
});

describe('alert webhook', () => {
  it('posts Slack/Teams-compatible JSON, retries, and never blocks the request that raised the alert', async () => {
    gate = new Promise<void>((r) => (release = r));
    const csr = await makeCsr('mv-unknown');
    // The webhook holds its answer; the enrollment is refused at once anyway.
    await expect(
      authority.enroll({ csr: csr.pem, token: 'hlt_unknown' }, { address: '192.0.2.7' }),
    ).rejects.toMatchObject({ code: 'ERR_ENROLL_TOKEN_UNKNOWN' });
    expect(received).toHaveLength(0);
    release!();
    await authority.alerts.flush();
    expect(attempts).toBe(2);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      kind: 'token_unknown',
      severity: 'warning',
      source: 'helmlink-ca',
      details: { address: '192.0.2.7' },
    });
    expect(String(received[0]!.text)).toContain('unknown token');
    expect(authority.listAlerts()[0]).toMatchObject({ kind: 'token_unknown' });
  });
});
