// Debian's prometheus and prometheus-alertmanager on free loopback ports with a generated config in a temporary
// folder (issue 16), and a small HTTP service whose request counter Prometheus scrapes. `.ci/run` installs both
// packages; a test that needs them fails with a sentence saying so (it never skips).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { freePort } from './processes.js';

const PROMETHEUS = '/usr/bin/prometheus';
const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';

/** A service answering `GET /` with 200, or 500 while `failing`, counting `http_requests_total{service,code}`. */
export interface TestService {
  url: string;
  failing: boolean;
  /** Sends `perSecond` requests a second to itself until closed (the traffic the SLO measures). */
  close(): Promise<void>;
}

export async function startTestService(service: string, perSecond = 20): Promise<TestService> {
  const counts = new Map<string, number>();
  const state = { failing: false };
  const server = http.createServer((req, res) => {
    if (req.url === '/metrics') {
      const lines = ['# HELP http_requests_total Requests served.', '# TYPE http_requests_total counter'];
      for (const [code, n] of counts) lines.push(`http_requests_total{service="${service}",code="${code}"} ${n}`);
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`${lines.join('\n')}\n`);
      return;
    }
    const code = state.failing ? '500' : '200';
    counts.set(code, (counts.get(code) ?? 0) + 1);
    res.writeHead(Number(code)).end(code);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // both series exist from the first scrape, so the error ratio is 0 (not absent) while all is well
  counts.set('200', 0);
  counts.set('500', 0);
  const load = setInterval(() => {
    http.get(url, (res) => res.resume()).on('error', () => undefined);
  }, 1000 / perSecond);
  return {
    url,
    get failing() {
      return state.failing;
    },
    set failing(value: boolean) {
      state.failing = value;
    },
    async close() {
      clearInterval(load);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export interface PrometheusStack {
  prometheusUrl: string;
  alertmanagerUrl: string;
  /** The alerting rule's name. */
  alertName: string;
  close(): Promise<void>;
}

/**
 * The rules a user copies (docs/slo-rollback.md), with short windows for a test: the error ratio over 10 s recorded
 * per service, and an alert when it burns the budget of a `targetPercent` SLO more than `burnRate` times too fast.
 */
export function sloRules(o: {
  service: string;
  environment: string;
  infrastructure: string;
  targetPercent: number;
  burnRate: number;
  window: string;
}): string {
  const budget = (100 - o.targetPercent) / 100;
  return `groups:
  - name: slo-${o.service}
    rules:
      - record: service:request_errors:ratio_rate${o.window}
        expr: |
          sum by (service) (rate(http_requests_total{code=~"5.."}[${o.window}]))
          / sum by (service) (rate(http_requests_total[${o.window}]))
      - alert: ErrorBudgetBurn
        expr: service:request_errors:ratio_rate${o.window}{service="${o.service}"} > ${o.burnRate} * ${budget}
        labels:
          severity: page
          environment: ${JSON.stringify(o.environment)}
          infrastructure: ${JSON.stringify(o.infrastructure)}
        annotations:
          summary: "{{ $labels.service }} burns its error budget {{ $value | humanize }} (error ratio)"
          value: "{{ $value }}"
`;
}

/** Alertmanager routing every alert to Backtrack's webhook with the token (http_config authorization). */
export function alertmanagerConfig(o: { webhookUrl: string; token: string }): string {
  return `route:
  receiver: backtrack
  group_by: [alertname, service]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: backtrack
    webhook_configs:
      - url: ${JSON.stringify(o.webhookUrl)}
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: ${JSON.stringify(o.token)}
`;
}

/** Starts Alertmanager then Prometheus (scrape and evaluation every second) and resolves once both are ready. */
export async function startPrometheusStack(o: {
  scrapeUrl: string;
  webhookUrl: string;
  token: string;
  rules: string;
}): Promise<PrometheusStack> {
  for (const binary of [PROMETHEUS, ALERTMANAGER])
    if (!existsSync(binary))
      throw new Error(
        `${binary} is missing: apt-get install -y prometheus prometheus-alertmanager (what .ci/run installs).`,
      );
  const dir = mkdtempSync(path.join(os.tmpdir(), 'backtrack-prometheus-'));
  const started: ChildProcess[] = [];
  const close = async () => {
    for (const child of started.reverse()) await stop(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [amPort, promPort] = [await freePort(), await freePort()];
    writeFileSync(path.join(dir, 'alertmanager.yml'), alertmanagerConfig(o));
    started.push(
      await run(
        ALERTMANAGER,
        [
          `--config.file=${path.join(dir, 'alertmanager.yml')}`,
          `--storage.path=${path.join(dir, 'alertmanager-data')}`,
          `--web.listen-address=127.0.0.1:${amPort}`,
          '--cluster.listen-address=',
          '--log.level=warn',
        ],
        `http://127.0.0.1:${amPort}/-/ready`,
      ),
    );
    writeFileSync(path.join(dir, 'rules.yml'), o.rules);
    const target = new URL(o.scrapeUrl).host;
    writeFileSync(
      path.join(dir, 'prometheus.yml'),
      `global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [${JSON.stringify(path.join(dir, 'rules.yml'))}]
alerting:
  alertmanagers:
    - static_configs:
        - targets: ["127.0.0.1:${amPort}"]
scrape_configs:
  - job_name: test-service
    static_configs:
      - targets: [${JSON.stringify(target)}]
`,
    );
    started.push(
      await run(
        PROMETHEUS,
        [
          `--config.file=${path.join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${path.join(dir, 'prometheus-data')}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
          '--log.level=warn',
        ],
        `http://127.0.0.1:${promPort}/-/ready`,
      ),
    );
    return {
      prometheusUrl: `http://127.0.0.1:${promPort}`,
      alertmanagerUrl: `http://127.0.0.1:${amPort}`,
      alertName: 'ErrorBudgetBurn',
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Spawns the binary and polls its readiness URL; rejects with its output if it exits or is not ready in 30 s. */
async function run(binary: string, args: string[], readyUrl: string): Promise<ChildProcess> {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (chunk: Buffer) => {
    if (log.length < 20_000) log += chunk.toString();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `${binary} exited (${child.signalCode ?? `code ${child.exitCode}`}) before it was ready:\n${log}`,
      );
    try {
      const res = await fetch(readyUrl, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return child;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop(child);
      throw new Error(`${binary} was not ready at ${readyUrl} after 30 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
