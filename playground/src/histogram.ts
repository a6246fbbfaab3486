/** Per-channel statistics and histograms of NHWC pixels, drawn on a canvas. */

const CHANNEL_COLOURS = ['#d33', '#2a2', '#36d'];
const BINS = 64;

export interface ChannelSummary {
  mean: number[];
  std: number[];
  min: number;
  max: number;
}

/** Per-channel mean and population std (float64 sums) and the overall range. */
export function summarize(data: Float32Array, channels = 3): ChannelSummary {
  const sum = new Float64Array(channels);
  const squares = new Float64Array(channels);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    sum[i % channels]! += v;
    squares[i % channels]! += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const n = data.length / channels;
  const mean = Array.from(sum, (s) => s / n);
  const std = Array.from(squares, (q, c) => Math.sqrt(Math.max(0, q / n - mean[c]! ** 2)));
  return { mean, std, min, max };
}

/** Draws one histogram per channel (lines, shared axes) of `data` on `canvas`, titled `title`. */
export function drawHistograms(canvas: HTMLCanvasElement, data: Float32Array, summary: ChannelSummary, title: string, channels = 3): void {
  const { min, max } = summary;
  const width = max > min ? max - min : 1;
  const counts = Array.from({ length: channels }, () => new Float64Array(BINS));
  for (let i = 0; i < data.length; i++) {
    const bin = Math.min(BINS - 1, Math.floor(((data[i]! - min) / width) * BINS));
    counts[i % channels]![bin]!++;
  }
  const peak = Math.max(...counts.map((c) => Math.max(...c)), 1);
  const context = canvas.getContext('2d')!;
  const { width: w, height: h } = canvas;
  const [top, bottom] = [18, 16];
  context.clearRect(0, 0, w, h);
  context.fillStyle = '#fff';
  context.fillRect(0, 0, w, h);
  context.font = '12px system-ui, sans-serif';
  context.fillStyle = '#222';
  context.fillText(title, 4, 13);
  context.fillText(min.toPrecision(3), 4, h - 3);
  const right = max.toPrecision(3);
  context.fillText(right, w - 4 - context.measureText(right).width, h - 3);
  counts.forEach((bins, c) => {
    context.strokeStyle = CHANNEL_COLOURS[c % CHANNEL_COLOURS.length]!;
    context.beginPath();
    bins.forEach((count, b) => {
      const x = ((b + 0.5) / BINS) * w;
      const y = h - bottom - (count / peak) * (h - top - bottom);
      if (b === 0) context.moveTo(x, y);
      else context.lineTo(x, y);
    });
    context.stroke();
  });
}
