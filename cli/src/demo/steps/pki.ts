/** Step 1, the PKI: reuse the CA directory of an earlier run, or create a root CA, an issuing CA and the first admin. */
import { join } from 'node:path';
import { HelmlinkError } from '@helmlink/protocol';
import { initAuthority, readCaConfig, type CaConfig } from '@helmlink/ca-server';
import { LOCAL_HOSTS, type TopologyRun } from './run';

/** The CA directory (dataDir/ca) and its configuration, created on first use. */
export async function ensurePki(run: TopologyRun): Promise<{ caDir: string; config: CaConfig }> {
  const caDir = join(run.dataDir, 'ca');
  try {
    const config = await readCaConfig(caDir);
    run.progress({ step: 'pki', message: `reusing the PKI in ${caDir}` });
    return { caDir, config };
  } catch (err) {
    if (!(err instanceof HelmlinkError && err.code === 'ERR_CA_NOT_INITIALIZED')) throw err;
  }
  run.progress({ step: 'pki', message: `creating a root CA, an issuing CA and the first admin in ${caDir}` });
  await initAuthority({
    dir: caDir,
    passphrase: run.secrets.caPassphrase,
    org: 'Helmlink Demo Fleet',
    serverHosts: LOCAL_HOSTS,
  });
  return { caDir, config: await readCaConfig(caDir) };
}
