import cliProgress from 'cli-progress';

/** A progress bar on a terminal; elsewhere (CI, pipes, logs) a plain line every 10 %. */
export function progress(label: string, total: number) {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`, stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    return { update: (n: number) => bar.update(n), stop: () => bar.stop() };
  }
  let lastTenth = -1;
  return {
    update: (n: number) => {
      const tenth = total ? Math.floor((n / total) * 10) : 0;
      if (tenth > lastTenth) {
        lastTenth = tenth;
        process.stderr.write(`${label}: ${n}/${total} (${tenth * 10}%)\n`);
      }
    },
    stop: () => undefined,
  };
}
