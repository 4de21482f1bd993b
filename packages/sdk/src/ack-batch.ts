import { EstopError } from '@estop/core';

/** One enforcer's acknowledgement of the version it applied. */
export interface Ack {
  id: string;
  version: number;
  inFlight: number;
}

interface Pending {
  ack: Ack;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Acknowledgements from every guard in this process that share a control plane and token,
 * sent as one request per turn of the event loop. A change that reaches many guards in one
 * process then costs the control plane one request, not one per guard.
 */
export class AckBatch {
  #pending: Pending[] = [];
  #scheduled = false;
  readonly #send: (acks: Ack[]) => Promise<{ unknown: string[] }>;

  constructor(send: (acks: Ack[]) => Promise<{ unknown: string[] }>) {
    this.#send = send;
  }

  /** Queues an acknowledgement; resolves once the control plane has it. */
  add(ack: Ack): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ ack, resolve, reject });
      if (this.#scheduled) return;
      this.#scheduled = true;
      // After the current I/O phase, so that when a change reaches many guards at once every
      // one applies it before any time is spent acknowledging.
      setImmediate(() => void this.#flush());
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#pending;
    this.#pending = [];
    this.#scheduled = false;
    try {
      const unknown = new Set((await this.#send(batch.map((item) => item.ack))).unknown);
      for (const item of batch) {
        if (!unknown.has(item.ack.id)) item.resolve();
        else
          item.reject(
            new EstopError({ code: 'not_found', message: `the control plane does not know enforcer ${item.ack.id}` }),
          );
      }
    } catch (error) {
      for (const item of batch) item.reject(error);
    }
  }
}
