import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { PROJECT_ROOT } from '../../src/utils/paths.js';
import { decodePng, labelledContainers } from '../support/engine.js';

const INSTANCE_ID = `cli-test-${process.pid}`;

/** Runs the real `kivy-render` command line and returns its exit status and output. */
function kivyRender(args: string[], env: NodeJS.ProcessEnv = {}, input?: string) {
  const run = spawnSync(process.execPath, [join(PROJECT_ROOT, 'dist/src/cli.js'), ...args], {
    env: { ...process.env, KIVY_INSTANCE_ID: INSTANCE_ID, KIVY_CACHE_URL: 'memory://', LOG_LEVEL: 'error', ...env },
    input,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('kivy-render (the command line)', function () {
  this.timeout(180_000);
  const dir = mkdtempSync(join(tmpdir(), 'kivy-cli-'));

  after(async () => {
    expect(await labelledContainers(INSTANCE_ID), 'containers left behind').to.deep.equal([]);
  });

  it('renders an example to a PNG and prints exactly one JSON object with --json (exit 0)', () => {
    const out = join(dir, 'hello.png');
    const run = kivyRender(['render', join(PROJECT_ROOT, 'examples/hello.py'), '-o', out, '--size', '400x300', '--json']);
    expect(run.status, run.stderr).to.equal(0);
    const summary = JSON.parse(run.stdout);
    expect(run.stdout.trim().split('\n')).to.have.length(1);
    expect(summary).to.include({ ok: true, out, width: 400, height: 300, error: null });
    expect(summary.ms.total).to.be.greaterThan(0);
    const image = decodePng(readFileSync(out));
    expect([image.width, image.height]).to.deep.equal([400, 300]);
  });

  it('reads standard input and exits 1 with the error when the snippet fails', () => {
    const run = kivyRender(['render', '-', '-o', join(dir, 'never.png'), '--json'], {}, 'from kivy.uix.label import Label\n\nroot = Label(text=missing)\n');
    expect(run.status).to.equal(1);
    const summary = JSON.parse(run.stdout);
    expect(summary.ok).to.equal(false);
    expect(summary.out).to.equal(null);
    expect(summary.error).to.deep.equal({ kind: 'runtime', message: "NameError: name 'missing' is not defined", line: 3 });
    expect(existsSync(join(dir, 'never.png'))).to.equal(false);
  });

  it('prints the error and the traceback in text mode', () => {
    const file = join(dir, 'broken.py');
    writeFileSync(file, 'def f(:\n    pass\n');
    const run = kivyRender(['render', file]);
    expect(run.status).to.equal(1);
    expect(run.stderr).to.include("syntax error (line 1): SyntaxError: invalid syntax");
  });

  it('exits 2 on usage errors', () => {
    expect(kivyRender(['render']).status).to.equal(2);
    expect(kivyRender(['render', 'x.py', '--size', 'huge']).status).to.equal(2);
    const unknown = kivyRender(['explode']);
    expect(unknown.status).to.equal(2);
    expect(unknown.stderr).to.match(/unknown command "explode"/);
  });

  it('exits 3 with what to do when no Docker engine is reachable', () => {
    const run = kivyRender(['render', join(PROJECT_ROOT, 'examples/hello.py'), '--json'], {
      DOCKER_HOST: `unix://${join(dir, 'no-docker.sock')}`,
      KIVY_INSTALL_DOCKER: 'false',
    });
    expect(run.status).to.equal(3);
    expect(JSON.parse(run.stdout).error.kind).to.equal('infrastructure');
    expect(run.stderr).to.match(/No Docker engine is reachable.*needs Docker/);
  });
});
