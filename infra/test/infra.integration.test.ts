import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderNginxConf } from '../cluster/render-nginx.ts';

// The deployment files as their tools read them: docker-compose (Debian's, no engine) and
// nginx -t. make test installs the tools; the checks that need only Node are in infra.test.ts.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

describe('docker-compose.yml', () => {
  const config = parse(
    execFileSync('docker-compose', ['-f', join(ROOT, 'docker-compose.yml'), 'config'], {
      env: { ...process.env, MINI_LAMBDA_API_KEY: 'compose-test-key-0123456789' },
      encoding: 'utf8',
    }),
  ) as { services: Record<string, Record<string, unknown>>; volumes: Record<string, unknown> };

  it('has the eight services and four volumes of the seed', () => {
    expect(Object.keys(config.services).sort()).toEqual([
      'grafana',
      'mini-lambda-1',
      'mini-lambda-2',
      'mini-lambda-3',
      'minio',
      'nginx',
      'postgres',
      'prometheus',
    ]);
    expect(Object.keys(config.volumes).sort()).toEqual([
      'grafana_data',
      'minio_data',
      'postgres_data',
      'prometheus_data',
    ]);
    expect(config.services.nginx).toMatchObject({ container_name: 'mini-lambda-nginx' });
  });

  it.each(['1', '2', '3'])('runs instance %s with its id, restart policy and resources', (id) => {
    const service = config.services[`mini-lambda-${id}`] as {
      environment: Record<string, string>;
      restart: string;
      deploy: {
        resources: {
          limits: { cpus: number | string; memory: string };
          reservations: { cpus: number | string; memory: string };
        };
      };
    };
    expect(service.environment.INSTANCE_ID).toBe(id);
    expect(service.environment.DATABASE_URL).toMatch(/@postgres:5432\//);
    expect(service.environment.S3_ENDPOINT).toBe('http://minio:9000');
    expect(service.restart).toBe('unless-stopped');
    expect(Number(service.deploy.resources.limits.cpus)).toBe(2);
    expect(service.deploy.resources.limits.memory).toBe('4G');
    expect(Number(service.deploy.resources.reservations.cpus)).toBe(1);
    expect(service.deploy.resources.reservations.memory).toBe('2G');
  });
});

describe('nginx.conf', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ml-nginx-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes nginx -t as shipped (hosts resolved locally) and as rendered for loopback', () => {
    const rendered = renderNginxConf(read('nginx.conf'), {
      servers: ['127.0.0.1:18001', '127.0.0.1:18002', '127.0.0.1:18003'],
      listen: '127.0.0.1:18080',
    });
    expect(rendered).toContain('server 127.0.0.1:18002 max_fails=3 fail_timeout=30s;');
    expect(rendered).toContain('listen 127.0.0.1:18080; # LISTEN');
    expect(rendered).not.toContain('mini-lambda-1');
    // Only the marked lines changed.
    const strip = (s: string) => s.split('\n').filter((l) => !/server |listen /.test(l));
    expect(strip(rendered)).toEqual(strip(read('nginx.conf')));
    const file = join(dir, 'nginx.conf');
    writeFileSync(file, rendered);
    // Its logs go to /dev/stdout and /dev/stderr, which must be files, not sockets, to open.
    const output = openSync(join(dir, 'nginx.out'), 'w');
    const check = (conf: string) =>
      execFileSync('/usr/sbin/nginx', ['-t', '-q', '-c', conf, '-p', dir], {
        stdio: ['ignore', output, output],
      });
    check(file);
    // As shipped, with the compose service names resolving to this machine.
    const shipped = join(dir, 'shipped.conf');
    writeFileSync(
      shipped,
      read('nginx.conf').replaceAll(/mini-lambda-(\d):8080/g, '127.0.0.$1:8080'),
    );
    check(shipped);
  });
});
