import fs from 'node:fs';
import autocannon from 'autocannon';

/** Peak resident memory of a process, sampled every 100 ms from /proc (Linux). */
export function rssSampler(pid) {
  let peak = 0;
  const read = () => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) * 1024);
    } catch {
      /* the process is gone */
    }
  };
  read();
  const timer = setInterval(read, 100);
  return {
    reset: () => {
      peak = 0;
      read();
    },
    peakMb: () => Math.round(peak / 1024 / 1024),
    stop: () => clearInterval(timer),
  };
}

export function percentiles(values) {
  const v = Float64Array.from(values).sort();
  const at = (p) => (v.length ? Math.round(v[Math.min(v.length - 1, Math.floor(v.length * p))] * 100) / 100 : null);
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

/**
 * Drives a server with autocannon for `duration` seconds. `next()` gives each request's
 * {path, method, body}; latencies are collected per response, so p95 is exact.
 */
export async function drive({ url, headers, connections, duration, next, rate }) {
  const latencies = [];
  let errors = 0;
  const instance = autocannon({
    url,
    connections,
    duration,
    headers,
    // With a rate, latency is measured at that steady load instead of at saturation.
    ...(rate ? { overallRate: rate } : {}),
    requests: [{ setupRequest: (req) => ({ ...req, ...next() }) }],
  });
  instance.on('response', (_client, status, _bytes, time) => {
    latencies.push(time);
    if (status >= 400) errors++;
  });
  const result = await instance;
  return { rps: Math.round(result.requests.total / duration), requests: result.requests.total, errors: errors + result.errors + result.timeouts, ...percentiles(latencies) };
}

/** Reads a streamed JSON array of accounts, counting items; returns rows and seconds. */
export async function streamRows(url, headers, maxSeconds) {
  const started = Date.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), maxSeconds * 1000);
  const res = await fetch(url, { headers, signal: controller.signal });
  if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
  const marker = '"shipping_address_locality":';
  let rows = 0;
  let tail = '';
  let complete = false;
  try {
    const decoder = new TextDecoder();
    for await (const chunk of res.body) {
      const text = tail + decoder.decode(chunk, { stream: true });
      let i = -1;
      while ((i = text.indexOf(marker, i + 1)) >= 0) rows++;
      // Keep the end in case a marker spans two chunks; it is shorter than a marker, so nothing counts twice.
      tail = text.slice(Math.max(0, text.length - marker.length + 1));
    }
    complete = true;
  } catch (e) {
    if (e.name !== 'AbortError') throw e;
  } finally {
    clearTimeout(timer);
  }
  return { rows, seconds: (Date.now() - started) / 1000, complete };
}

const round2 = (x) => Math.round(x * 100) / 100;

/** min / median / max of a list of numbers. */
export function spread(values) {
  const v = [...values].sort((x, y) => x - y);
  const mid = v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  return { min: round2(v[0]), median: round2(mid), max: round2(v[v.length - 1]), n: v.length };
}

/**
 * Interleaved A/B passes: A, B, A, B, ... `pairs` times, so both sides see the same neighbours on a
 * shared machine; the ratio B ÷ A is taken within each pair and reported as min / median / max.
 * `runA`/`runB` return a measurement object; `metric` picks the number compared (higher is better).
 */
export async function interleave({ pairs, runA, runB, metric, label, log }) {
  const a = [];
  const b = [];
  const ratios = [];
  for (let i = 0; i < pairs; i++) {
    const ma = await runA(i);
    const mb = await runB(i);
    a.push(ma);
    b.push(mb);
    const ratio = metric(ma) > 0 ? metric(mb) / metric(ma) : 0;
    ratios.push(ratio);
    log?.(`${label} pair ${i + 1}/${pairs}: A ${metric(ma)} B ${metric(mb)} → ratio ${round2(ratio)}`);
  }
  return { a, b, a_values: a.map(metric), b_values: b.map(metric), ratio: spread(ratios), ratios: ratios.map(round2) };
}
