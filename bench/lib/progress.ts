// The live progress line: where the suite is (round, scenario, proxy, phase), how long it
// has run and roughly how long is left. Rewritten in place on a terminal; one line per step
// otherwise (CI logs, pipes).

export class Progress {
  private readonly t0 = Date.now();
  private plannedDone = 0;
  private label = '';
  private stepStart = Date.now();
  private stepPlanned = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly tty = process.stderr.isTTY === true;

  constructor(private readonly plannedTotal: number) {
    if (this.tty) this.timer = setInterval(() => this.draw(), 500);
    this.timer?.unref();
  }

  /**
   * A new step of `planned` seconds begins. A retry is not part of the plan: it moves the
   * label but not the share done (the estimate of what is left stretches instead).
   */
  step(label: string, planned: number, retry = false): void {
    if (!retry) {
      this.plannedDone += this.stepPlanned;
      this.stepPlanned = planned;
    }
    this.stepStart = Date.now();
    this.label = label;
    if (this.tty) this.draw();
    else process.stderr.write(`${this.line()}\n`);
  }

  /** Prints a message above the progress line. */
  note(msg: string): void {
    if (this.tty) process.stderr.write('\r\x1b[K');
    process.stderr.write(`${msg}\n`);
    if (this.tty) this.draw();
  }

  done(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.tty) process.stderr.write('\r\x1b[K');
    process.stderr.write(`done in ${clock((Date.now() - this.t0) / 1000)}\n`);
  }

  private line(): string {
    const elapsed = (Date.now() - this.t0) / 1000;
    const inStep = Math.min(this.stepPlanned, (Date.now() - this.stepStart) / 1000);
    const planned = this.plannedDone + inStep;
    // Scale what is left by how the plan has held so far (start-ups and retries add time).
    const pace = planned > 5 ? elapsed / planned : 1;
    const left = Math.max(0, (this.plannedTotal - planned) * pace);
    const pct = Math.min(99, Math.floor((planned / Math.max(1, this.plannedTotal)) * 100));
    return `[${String(pct).padStart(2)}%] ${this.label} · ${clock(elapsed)} elapsed, ~${clock(left)} left`;
  }

  private draw(): void {
    const cols = process.stderr.columns || 120;
    process.stderr.write(`\r\x1b[K${this.line().slice(0, cols - 1)}`);
  }
}

function clock(s: number): string {
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
}
