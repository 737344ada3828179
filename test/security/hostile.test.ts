import { createServer, type Server } from 'node:net';
import { expect } from 'chai';
import type { IContainerPool } from '../../src/core/container-pool.js';
import type { IRenderer } from '../../src/core/renderer.js';
import type { RenderResult } from '../../src/models/render-result.js';
import { decodePng, labelledContainers, useTestEngine, waitUntil } from '../support/engine.js';

/** Deadline of one render in this suite; the host kills 1.5 s after it at the latest. */
const TIMEOUT_MS = 3000;
const MARGIN_MS = 2500;
const SHOW = '\nfrom kivy.uix.label import Label\nroot = Label(text="still here")\n';

/**
 * Hostile snippets against the real sandbox. The validator's abuse checks are off here: the
 * container itself must hold. Each case must end with a clear error of the right kind within the
 * deadline plus a margin; afterwards the next render works and no container beyond the pool remains.
 */
describe('Hostile snippets (real sandbox, validator abuse checks off)', function () {
  this.timeout(120_000);
  const engine = useTestEngine({ poolSize: 1, renderTimeoutMs: TIMEOUT_MS, blockDangerousCode: false });
  let renderer: IRenderer;
  let pool: IContainerPool;
  let canary: Server;
  let canaryConnections = 0;
  let canaryPort = 0;
  const results: { name: string; kind: string; ms: number }[] = [];

  before(async () => {
    process.env.KIVY_TEST_CANARY = 'host-secret-canary';
    ({ renderer, pool } = engine);
    canary = createServer((socket) => {
      canaryConnections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
    canaryPort = (canary.address() as { port: number }).port;
  });

  after(async () => {
    canary?.close();
    // A machine-readable line for docs/SECURITY.md.
    process.stdout.write(`      hostile-summary ${JSON.stringify(results)}\n`);
  });

  /** Renders `code` from a warm pool, checks the deadline, then that the engine is healthy again. */
  async function attack(name: string, code: string): Promise<RenderResult> {
    await waitUntil(() => pool.status().idle >= 1, 30_000, 'a warm container');
    const result = await renderer.render({ code, bypassCache: true });
    results.push({ name, kind: result.error?.kind ?? (result.ok ? 'ok' : 'none'), ms: result.timings.renderMs });
    expect(result.timings.renderMs, `${name} took too long`).to.be.below(TIMEOUT_MS + 1500 + MARGIN_MS);
    const next = await renderer.render({ code: `from kivy.uix.label import Label\nroot = Label(text="after ${name}")\n` });
    expect(next.ok, `the render after "${name}" failed: ${next.error?.message}`).to.equal(true);
    await waitUntil(async () => (await labelledContainers(engine.config.instanceId, 'render')).length <= pool.status().target, 10_000, 'no container beyond the pool');
    return result;
  }

  it('an infinite loop in build() times out', async () => {
    const result = await attack('infinite loop in build()', 'from kivy.app import App\nclass A(App):\n    def build(self):\n        while True:\n            pass\nA().run()\n');
    expect(result.error!.kind).to.equal('timeout');
    expect(result.error!.message).to.match(/within 3 s/);
  });

  it('a busy Clock callback times out', async () => {
    const code = 'from kivy.clock import Clock\ndef spin(dt):\n    while True:\n        pass\nClock.schedule_once(spin, 0)' + SHOW;
    expect((await attack('busy Clock callback', code)).error!.kind).to.equal('timeout');
  });

  it('a fork bomb hits the pids limit', async () => {
    const result = await attack('fork bomb', 'import os\nwhile True:\n    os.fork()\n' + SHOW);
    expect(result.error!.kind).to.equal('runtime');
    expect(result.error!.message).to.match(/BlockingIOError|Resource temporarily unavailable/);
    expect(result.error!.line).to.equal(3);
  });

  it('a memory bomb is stopped by the memory limit', async () => {
    const result = await attack('memory bomb', 'chunks = []\nwhile True:\n    chunks.append(b"x" * 10_000_000)\n' + SHOW);
    expect(result.error!.kind).to.equal('memory');
  });

  it('100 MB written to stdout is capped and marked', async () => {
    const result = await attack('100 MB to stdout', 'import sys\nsys.stdout.write("x" * 100_000_000)\n' + SHOW);
    expect(result.ok).to.equal(true);
    expect(result.stdoutTruncated).to.equal(true);
    expect(result.stdout.length).to.be.below(engine.config.outputLimitBytes + 200);
    expect(result.stdout).to.match(/output truncated at 64 KiB/);
  });

  it('filling /tmp ends in "no space left", not a broken host', async () => {
    const code = 'with open("/tmp/fill", "wb") as f:\n    while True:\n        f.write(b"\\0" * 1_000_000)\n' + SHOW;
    const result = await attack('files written until /tmp is full', code);
    expect(result.error!.kind).to.equal('runtime');
    expect(result.error!.message).to.match(/No space left on device/);
  });

  it('writes outside /tmp fail: the root filesystem is read-only', async () => {
    const result = await attack('write outside /tmp', 'open("/usr/lib/evil.py", "w").write("x")\n' + SHOW);
    expect(result.error!.message).to.match(/Read-only file system/);
  });

  it('sees neither host files, host environment nor the Docker socket', async () => {
    const code = [
      'import os, json',
      'facts = {"environ": open("/proc/1/environ", "rb").read().decode(errors="replace"),',
      '         "socket": os.path.exists("/var/run/docker.sock"),',
      '         "host_root": os.path.exists("/work") or os.path.exists("/root/.npm"),',
      '         "processes": sorted(open(f"/proc/{p}/comm").read().strip() for p in os.listdir("/proc") if p.isdigit())}',
      'print(json.dumps(facts))',
    ].join('\n') + SHOW;
    const result = await attack('read /proc/1/environ, host files, Docker socket', code);
    const facts = JSON.parse(result.stdout);
    expect(facts.environ).not.to.include('host-secret-canary');
    expect(facts.socket).to.equal(false);
    expect(facts.host_root).to.equal(false);
    expect(facts.processes).not.to.include('node');
    expect(facts.processes).not.to.include('dockerd');
  });

  it('has no network: DNS fails and the host\'s loopback ports are unreachable', async () => {
    const dns = await attack('DNS lookup', 'import socket\nsocket.getaddrinfo("deb.debian.org", 80)\n' + SHOW);
    expect(dns.error!.kind).to.equal('runtime');
    expect(dns.error!.message).to.match(/gaierror/);
    const connect = await attack('connect to a host loopback port', `import socket\nsocket.create_connection(("127.0.0.1", ${canaryPort}), timeout=2)\n` + SHOW);
    expect(connect.error!.message).to.match(/ConnectionRefusedError/);
    expect(canaryConnections).to.equal(0);
  });

  it('killing Xvfb gives a clear error', async () => {
    const code = [
      'import os, signal, time',
      'for pid in os.listdir("/proc"):',
      '    if pid.isdigit() and open(f"/proc/{pid}/comm").read().strip() == "Xvfb":',
      '        os.kill(int(pid), signal.SIGKILL)',
      'time.sleep(0.3)',
    ].join('\n') + SHOW;
    const result = await attack('killing Xvfb', code);
    expect(result.ok).to.equal(false);
    expect(result.error!.kind).to.be.oneOf(['runtime', 'timeout']);
  });

  it('os._exit, sys.exit and SIGSTOP to itself end clearly', async () => {
    const exit = await attack('os._exit(3)', 'import os\nos._exit(3)\n');
    expect(exit.error!.message).to.match(/exit code 3/);
    const sysExit = await attack('sys.exit(1)', 'import sys\nsys.exit(1)\n');
    expect(sysExit.error!.message).to.match(/sys\.exit\(1\)/);
    const stop = await attack('SIGSTOP to itself', 'import os, signal\nos.kill(os.getpid(), signal.SIGSTOP)\n' + SHOW);
    expect(stop.error!.kind).to.equal('timeout');
  });

  it('a child process that outlives the render goes with its container', async () => {
    const code = 'import subprocess\nsubprocess.Popen(["sleep", "600"], start_new_session=True)\nprint("spawned")\n' + SHOW;
    const result = await attack('child process outliving the render', code);
    expect(result.ok).to.equal(true);
    expect(result.stdout).to.equal('spawned\n');
  });

  it('a giant window is refused or clamped to the screen', async () => {
    const refused = await renderer.render({ code: SHOW, options: { width: 100_000, height: 100_000 } });
    expect(refused.error!.kind).to.equal('validation');
    const clamped = await attack('giant Window.size in code', 'from kivy.core.window import Window\nWindow.size = (30000, 30000)\n' + SHOW);
    expect(clamped.ok).to.equal(true);
    const image = decodePng(clamped.png!);
    expect(image.width).to.be.at.most(1920);
    expect(image.height).to.be.at.most(1080);
  });

  it('deep recursion is a runtime error at the user\'s line', async () => {
    const result = await attack('deep recursion', 'def down(n):\n    return down(n + 1)\ndown(0)\n' + SHOW);
    expect(result.error).to.include({ kind: 'runtime', line: 2 });
    expect(result.error!.message).to.match(/RecursionError/);
  });

  it('a 1 MB line, NUL bytes and invalid UTF-8 are refused before any container', async () => {
    const started = pool.status().started;
    expect((await renderer.render({ code: `x = "${'a'.repeat(1_000_000)}"\n` })).error!.kind).to.equal('validation');
    expect((await renderer.render({ code: 'x = 1\ny = "\0"\n' })).error).to.include({ kind: 'validation', line: 2 });
    const invalid = Buffer.from([0x78, 0x3d, 0x22, 0xff, 0xfe, 0x22, 0x0a]).toString('utf8');
    expect((await renderer.render({ code: invalid })).error).to.include({ kind: 'validation', line: 1 });
    expect(pool.status().started).to.equal(started);
  });

  it('tampering with the result channel is detected', async () => {
    const code = 'import os\nfor fd in range(3, 10):\n    try:\n        os.write(fd, b"\\xff\\xff\\xff\\x00garbage")\n    except OSError:\n        pass\n' + SHOW;
    const result = await attack('tampering with the result framing', code);
    expect(result.ok).to.equal(false);
    expect(result.error!.kind).to.equal('runtime');
    expect(result.error!.message).to.match(/garbled|result channel/);
  });
});
