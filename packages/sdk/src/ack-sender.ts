import type { EstopError } from '@estop/core';
import { asEstopError } from './as-estop-error.js';
import type { ControlPlaneClient } from './control-plane-client.js';

/**
 * Acknowledges applied versions without holding up the applying. One acknowledgement is in
 * flight at a time and the next one carries the latest version, so acknowledgements reach
 * the control plane in order and a burst of changes costs one request, not one per version.
 */
export class AckSender {
  readonly #controller = new AbortController();
  #latest: number | undefined;
  #acknowledged: number | undefined;
  #sending = false;

  constructor(
    private readonly client: ControlPlaneClient,
    private readonly enforcerId: string,
    private readonly inFlight: () => number,
    private readonly onError: (error: EstopError) => void,
  ) {}

  /**
   * Schedules an acknowledgement of `version`. After a snapshot (`force`) it is sent even if
   * that version was acknowledged before: the control plane may be another replica, or have
   * restarted, and has to hear from this enforcer on its new connection.
   */
  applied(version: number, force: boolean): void {
    this.#latest = version;
    if (force) this.#acknowledged = undefined;
    this.#flush();
  }

  /** Sends the latest version again if its acknowledgement failed; cheap when there is nothing to do. */
  retry(): void {
    this.#flush();
  }

  /** Abandons acknowledgements in flight. */
  close(): void {
    this.#controller.abort();
  }

  #flush(): void {
    if (this.#sending || this.#latest === this.#acknowledged || this.#controller.signal.aborted) return;
    this.#sending = true;
    void this.#send();
  }

  async #send(): Promise<void> {
    try {
      while (this.#latest !== undefined && this.#latest !== this.#acknowledged && !this.#controller.signal.aborted) {
        const version = this.#latest;
        try {
          await this.client.ack(this.enforcerId, { version, inFlight: this.inFlight() }, this.#controller.signal);
          this.#acknowledged = version;
        } catch (error) {
          // Left for the next applied version or keep-alive to retry, rather than retried in
          // a loop against a control plane that is failing.
          if (!this.#controller.signal.aborted)
            this.onError(asEstopError(error, 'unavailable', `acknowledging version ${version} failed`));
          return;
        }
      }
    } finally {
      this.#sending = false;
    }
  }
}
