/**
 * The CA's side of Mosquitto's dynamic-security API: command batches published on `$CONTROL/dynamic-security/v1`
 * through the CA's broker session (as the CA service identity, which holds the control role), answers read from the
 * response topic and matched by `correlationData` (every client allowed on that topic receives every answer).
 */
import { randomBytes } from 'node:crypto';
import { HelmlinkError } from '@helmlink/protocol';
import type { MqttSession } from '@helmlink/protocol/mqtt';
import { kickCommands, parseDynsecState, planDynsec, type DynsecCommand } from './plan';
import { DYNSEC_TOPIC, type DynsecState } from './policy';

/** One answer of the plugin. */
export interface DynsecResponse {
  command: string;
  error?: string;
  data?: unknown;
  correlationData?: string;
}

interface Pending {
  resolve: (r: DynsecResponse[]) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/** Sends commands to the dynamic-security plugin and reconciles its state. */
export class DynsecControl {
  readonly #pending = new Map<string, Pending>();

  constructor(
    private readonly session: MqttSession,
    private readonly timeoutMs = 5000,
  ) {}

  /** Takes one message of the response topic (answers to other admins' batches are ignored). */
  handle(payload: Buffer): void {
    let responses: DynsecResponse[];
    try {
      const parsed = JSON.parse(payload.toString('utf8')) as { responses?: unknown };
      if (!Array.isArray(parsed.responses)) return;
      responses = parsed.responses as DynsecResponse[];
    } catch {
      return;
    }
    const batch = responses[0]?.correlationData?.split('/')[0];
    const pending = batch === undefined ? undefined : this.#pending.get(batch);
    if (!pending || batch === undefined) return;
    this.#pending.delete(batch);
    clearTimeout(pending.timer);
    pending.resolve(responses);
  }

  /**
   * Runs one batch; resolves with one answer per command (an answer may carry `error`).
   * @throws HelmlinkError ERR_NOT_CONNECTED when the session is not ready (nothing is queued for later: the next
   *   reconciliation after the reconnect covers it), ERR_BROKER_CONTROL when no answer comes in time.
   */
  async run(commands: readonly DynsecCommand[]): Promise<DynsecResponse[]> {
    if (commands.length === 0) return [];
    if (!this.session.ready)
      throw new HelmlinkError('ERR_NOT_CONNECTED', 'the CA is not connected to its broker');
    const batch = randomBytes(8).toString('hex');
    const answered = new Promise<DynsecResponse[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(batch);
        reject(
          new HelmlinkError('ERR_BROKER_CONTROL', `no dynamic-security answer within ${this.timeoutMs} ms`),
        );
      }, this.timeoutMs);
      this.#pending.set(batch, { resolve, reject, timer });
    });
    const body = { commands: commands.map((c, i) => ({ ...c, correlationData: `${batch}/${i}` })) };
    try {
      await this.session.publish(DYNSEC_TOPIC, JSON.stringify(body), { qos: 1 });
    } catch (err) {
      const pending = this.#pending.get(batch);
      this.#pending.delete(batch);
      if (pending) clearTimeout(pending.timer);
      throw err;
    }
    return answered;
  }

  /** Runs a batch and throws ERR_BROKER_CONTROL naming the first refused command. */
  async runAll(commands: readonly DynsecCommand[]): Promise<DynsecResponse[]> {
    const responses = await this.run(commands);
    const failed = responses.find((r) => r.error);
    if (failed)
      throw new HelmlinkError(
        'ERR_BROKER_CONTROL',
        `the broker refused ${failed.command}: ${failed.error ?? 'unknown error'}`,
      );
    return responses;
  }

  /** The broker's current clients and roles. */
  async read(): Promise<DynsecState> {
    const [clients, roles] = await this.runAll([
      { command: 'listClients', verbose: true, count: -1, offset: 0 },
      { command: 'listRoles', verbose: true, count: -1, offset: 0 },
    ]);
    return parseDynsecState(clients!.data, roles!.data);
  }

  /** Brings the broker to `desired`; returns the commands that were needed (none when it already agreed). */
  async reconcile(desired: DynsecState): Promise<DynsecCommand[]> {
    const plan = planDynsec(desired, await this.read());
    await this.runAll(plan);
    return plan;
  }

  /** Cuts every open session of `username` and leaves its permissions as they are. */
  async kick(username: string): Promise<void> {
    await this.runAll(kickCommands(username));
  }

  /** Fails the batches still waiting (the session is closing). */
  close(): void {
    for (const [batch, p] of this.#pending) {
      clearTimeout(p.timer);
      p.reject(new HelmlinkError('ERR_NOT_CONNECTED', 'the CA closed its broker session'));
      this.#pending.delete(batch);
    }
  }
}
