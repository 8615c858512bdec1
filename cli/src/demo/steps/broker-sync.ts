/**
 * Keeping the broker in step with the CA: new enrollments extend the ACL (reload); revocations rewrite the CRL and
 * cut open sessions. Runs on every new CRL, on a poll, and on demand (after each enrollment).
 */
import { readFileSync } from 'node:fs';
import { renderMosquittoAcl } from '@helmlink/protocol';
import { writeCrlAndAcl, type CaServer } from '@helmlink/ca-server';
import { activeSubjects, revokedSerials, type RunningBroker } from './broker';
import type { TopologyRun } from './run';

/** Starts following the CA (CRL events and a poll every `pollMs`) and returns the on-demand sync. */
export function startBrokerSync(
  run: TopologyRun,
  authority: CaServer['authority'],
  broker: RunningBroker,
  pollMs: number,
): () => Promise<void> {
  const { dir, paths, runAsUser, embedded, mosquitto } = broker;
  let { aclText, revoked, crlNumber } = broker.baseline;
  let syncing: Promise<void> = Promise.resolve();
  const syncBroker = (): Promise<void> => {
    // One sync at a time; a failed one (logged by the caller) must not block the next.
    syncing = syncing
      .catch(() => undefined)
      .then(async () => {
        const issued = await authority.currentCrl();
        const nextRevoked = revokedSerials(issued);
        const nextAcl = renderMosquittoAcl(activeSubjects(authority));
        const nextCrl = issued.number;
        const aclChanged = nextAcl !== aclText;
        const revokedChanged = nextRevoked !== revoked;
        if (!aclChanged && !revokedChanged && nextCrl === crlNumber) return;
        await writeCrlAndAcl(authority, dir, runAsUser);
        aclText = readFileSync(paths.aclfile, 'utf8');
        revoked = nextRevoked;
        crlNumber = nextCrl;
        const crl = readFileSync(paths.crlfile, 'utf8');
        if (embedded) {
          const cut = await embedded.update({ crl, subjects: activeSubjects(authority) });
          if (cut.length)
            run.progress({ step: 'broker', message: `cut the sessions of revoked ${cut.join(', ')}` });
        } else if (broker.plan.kind === 'external') {
          run.progress({
            step: 'broker',
            message: `the CA's CRL/ACL changed: reload your broker (files in ${dir})`,
          });
        } else if (mosquitto) {
          // SIGHUP reloads CRL and ACL but keeps open sessions of revoked clients: restart to cut them.
          // (A new CRL without new revocations, or a new identity, only needs the reload.)
          if (revokedChanged) {
            await mosquitto.restart();
            run.progress({
              step: 'broker',
              message: 'revocation: CRL reloaded and Mosquitto restarted to cut revoked sessions',
            });
          } else mosquitto.reload();
        }
        run.logger.info({ aclChanged, revokedChanged }, 'broker synced');
      });
    return syncing;
  };
  const logFailure = (err: unknown) =>
    run.logger.error({ err: (err as Error).message }, 'broker sync failed');
  // Not awaited inside the CRL listener: the sync reads the current CRL, which re-issues it when a status changed
  // meanwhile, and that re-issue waits for this listener to return (a deadlock that hung every later sync).
  const offCrl = authority.onCrl(() => {
    void syncBroker().catch(logFailure);
  });
  const poll = setInterval(() => void syncBroker().catch(logFailure), pollMs);
  poll.unref();
  run.onStop('broker sync', async () => {
    clearInterval(poll);
    offCrl();
    await syncing.catch(() => undefined);
  });
  return syncBroker;
}
