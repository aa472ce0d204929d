/**
 * The loop of an outbox worker (mail, webhooks): a round every `pollMs` until stop(), and rounds back
 * to back while a round handled a full batch (more is probably waiting). A round that throws is
 * reported and the loop goes on. stop() waits for the round in progress, so nothing claimed is left
 * half-handled by this process.
 */
export class PollLoop {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  /** `round` returns how many items it handled; `batch` is the most one round takes. */
  constructor(
    private readonly round: () => Promise<number>,
    private readonly batch: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(pollMs: number): void {
    const tick = async () => {
      this.running = this.drain().catch(this.onError);
      await this.running;
      if (this.timer !== undefined) this.timer = setTimeout(tick, pollMs);
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async drain(): Promise<void> {
    for (;;) {
      const handled = await this.round();
      if (handled < this.batch || this.timer === undefined) return;
    }
  }
}
