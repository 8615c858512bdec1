/**
 * Reaching the broker of a material folder without a running CA server (`ca broker sync`, `syncBroker` without a
 * link): its address comes from the generated mosquitto.conf (listener) and the broker certificate (the name to
 * check), the identity is the CA service identity.
 */
import { readFileSync } from 'node:fs';
import * as x509 from '@peculiar/x509';
import { HelmlinkError, parseCertificates } from '@helmlink/protocol';
import type { Authority } from '../authority/authority';
import { readBrokerConf } from './broker-conf';
import { BrokerLink } from './link';
import { brokerPaths } from './material';

/** Where the broker of `outDir` listens, and the name its certificate must carry. */
export function brokerTarget(outDir: string): { url: string; servername?: string } {
  const p = brokerPaths(outDir);
  const conf = readBrokerConf(p.conf);
  const wildcard = !conf.listen || conf.listen === '0.0.0.0' || conf.listen === '::';
  const host = wildcard ? '127.0.0.1' : conf.listen!;
  const url = `mqtts://${host.includes(':') ? `[${host}]` : host}:${conf.port}`;
  try {
    const cert = parseCertificates(readFileSync(p.certfile, 'utf8'))[0]!;
    const names = cert.getExtension(x509.SubjectAlternativeNameExtension)?.names.items ?? [];
    if (names.some((n) => n.type === 'ip' && n.value === host)) return { url };
    const dns = names.find((n) => n.type === 'dns');
    return dns ? { url, servername: dns.value } : { url };
  } catch {
    return { url };
  }
}

/** A dynamic-security link to the broker of `outDir` for one job, waiting up to `timeoutMs` for the connection. */
export async function withTemporaryLink<T>(
  authority: Authority,
  outDir: string,
  job: (link: BrokerLink) => Promise<T>,
  timeoutMs = 10_000,
): Promise<T> {
  const tls = await authority.serviceTls();
  const link = new BrokerLink({
    ...brokerTarget(outDir),
    clientId: `${authority.config.serviceId}-sync-${process.pid}`,
    ...tls,
    ca: authority.chainPem(),
    control: true,
    backoff: { initialDelayMs: 200, maxDelayMs: 2000, jitter: 0.2 },
  });
  try {
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const why = link.status().lastError;
        reject(
          new HelmlinkError(
            'ERR_NOT_CONNECTED',
            `the broker at ${link.status().url} did not accept the CA within ${timeoutMs} ms${why ? ` (${why})` : ''}`,
          ),
        );
      }, timeoutMs);
      link.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    link.start();
    await ready;
    return await job(link);
  } finally {
    await link.close();
  }
}
