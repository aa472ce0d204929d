import cliProgress from 'cli-progress';

export interface ProgressState {
  records: number;
  bytes: number;
  totalBytes: number;
}

function duration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  s = Math.round(s);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * Progress of a streamed file on stderr: a bar on a terminal; elsewhere (CI, pipes, logs) a plain
 * line at every tenth of the file. The share done is the share of bytes read (known without a
 * counting pass); records/s and the ETA come from the time since the start.
 */
export function fileProgress(label: string, now: () => number = Date.now) {
  const started = now();
  const stats = (p: ProgressState) => {
    const secs = Math.max((now() - started) / 1000, 0.001);
    const share = p.totalBytes ? Math.min(p.bytes / p.totalBytes, 1) : 1;
    const eta = share > 0 ? (secs / share) * (1 - share) : Infinity;
    return { rate: Math.round(p.records / secs), share, eta: duration(eta), secs };
  };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% | {records} records | {rate} records/s | ETA {left}`, stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(1000, 0, { records: 0, rate: 0, left: '?' });
    return {
      update: (p: ProgressState) => {
        const s = stats(p);
        bar.update(Math.round(s.share * 1000), { records: p.records, rate: s.rate, left: s.eta });
      },
      stop: () => bar.stop(),
    };
  }
  let lastTenth = -1;
  return {
    update: (p: ProgressState) => {
      const s = stats(p);
      const tenth = Math.floor(s.share * 10);
      if (tenth > lastTenth) {
        lastTenth = tenth;
        process.stderr.write(`${label}: ${p.records} records, ${tenth * 10}% of the file, ${s.rate} records/s, ETA ${s.eta}\n`);
      }
    },
    stop: () => undefined,
  };
}
