/** A Mosquitto daemon started from the generated material (`mosquitto -d`), for brokers the CA does not manage. */
import { spawn } from 'node:child_process';
import { brokerPaths } from './material';

/** Starts `mosquitto -d -c outDir/mosquitto.conf` (daemonised; pid in outDir/mosquitto.pid). */
export async function startDaemon(outDir: string): Promise<void> {
  const p = brokerPaths(outDir);
  await new Promise<void>((resolve, reject) => {
    const child = spawn('mosquitto', ['-d', '-c', p.conf], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`mosquitto -d exited with ${code}`)),
    );
  });
}
