/** Measured grid-update times, shown on the page (and kept in `data-` attributes for tests). */
export class Timing {
  private readonly times: number[] = [];

  /** `what` says what one update draws (e.g. "16 tiles of 256x256"). */
  constructor(private readonly element: HTMLElement, private readonly what: string) {
    element.dataset.testid = 'timing';
  }

  /** Records one update of `ms` milliseconds (`parts`: some of its phases) run by `where`, with the live tensor count after it. */
  record(ms: number, parts: Record<string, number>, where: string, tensors: number): void {
    this.times.push(ms);
    if (this.times.length > 20) this.times.shift();
    const sorted = [...this.times].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    Object.assign(this.element.dataset, { ms: ms.toFixed(1), median: median.toFixed(1), count: String(this.times.length), tensors: String(tensors), parts: JSON.stringify(parts) });
    const phases = Object.entries(parts).map(([name, t]) => `${name} ${Math.round(t)} ms`).join(', ');
    this.element.textContent = `Grid update: ${Math.round(ms)} ms (${phases}; ${this.what}, ${where}); median of the last ${this.times.length}: ${Math.round(median)} ms. Live tensors: ${tensors}.`;
  }
}
