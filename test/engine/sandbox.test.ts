import { expect } from 'chai';
import { useTestEngine } from '../support/engine.js';

/** Looks at the sandbox from inside a render container and prints what it sees as JSON. */
const INSPECT = String.raw`
import json, os, socket
from kivy.uix.label import Label

def first_readable(*paths):
    for path in paths:
        try:
            return open(path).read().strip()
        except OSError:
            pass
    return None

def attempt(action):
    try:
        action()
        return 'allowed'
    except OSError as error:
        return error.strerror or type(error).__name__

status = dict(line.split(':', 1) for line in open('/proc/self/status').read().splitlines() if ':' in line)
tmp = os.statvfs('/tmp')
facts = {
    'uid': os.getuid(), 'gid': os.getgid(),
    'cap_eff': status['CapEff'].strip(), 'cap_bnd': status['CapBnd'].strip(),
    'no_new_privs': status['NoNewPrivs'].strip(),
    'write_root': attempt(lambda: open('/etc/kivy-render-test', 'w')),
    'write_opt': attempt(lambda: open('/opt/kivy-render/x', 'w')),
    'write_tmp': attempt(lambda: open('/tmp/kivy-render-test', 'w').write('ok')),
    'interfaces': sorted(line.split(':')[0].strip() for line in open('/proc/net/dev').read().splitlines()[2:]),
    'pids_max': first_readable('/sys/fs/cgroup/pids/pids.max', '/sys/fs/cgroup/pids.max'),
    'memory_max': first_readable('/sys/fs/cgroup/memory/memory.limit_in_bytes', '/sys/fs/cgroup/memory.max'),
    'swap_max': first_readable('/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes', '/sys/fs/cgroup/memory.swap.max'),
    'cpu_quota': first_readable('/sys/fs/cgroup/cpu/cpu.cfs_quota_us', '/sys/fs/cgroup/cpu.max'),
    'tmp_bytes': tmp.f_blocks * tmp.f_frsize,
    'dns': attempt(lambda: socket.getaddrinfo('deb.debian.org', 80)),
    'docker_socket': os.path.exists('/var/run/docker.sock'),
    'host_mounts': [line.split()[1] for line in open('/proc/self/mounts') if line.split()[1].startswith(('/host', '/work', '/root'))],
}
print(json.dumps(facts))
root = Label(text='sandbox')
`;

describe('Sandbox policy, seen from inside a render container', function () {
  this.timeout(120_000);
  // The validator would refuse `import socket`; here the container itself must hold.
  const engine = useTestEngine({ poolSize: 0, blockDangerousCode: false });
  let facts: Record<string, unknown>;

  before(async () => {
    const result = await engine.renderer.render({ code: INSPECT });
    expect(result.error).to.equal(null);
    facts = JSON.parse(result.stdout);
  });

  it('runs as nobody (65534:65534)', () => {
    expect(facts).to.include({ uid: 65534, gid: 65534 });
  });

  it('has no capabilities and no way to gain privileges', () => {
    expect(facts).to.include({ cap_eff: '0000000000000000', cap_bnd: '0000000000000000', no_new_privs: '1' });
  });

  it('has a read-only root filesystem and a size-capped writable /tmp', () => {
    expect(facts.write_root).to.equal('Read-only file system');
    expect(facts.write_opt).to.equal('Read-only file system');
    expect(facts.write_tmp).to.equal('allowed');
    expect(facts.tmp_bytes).to.be.at.most(engine.config.tmpfsMb * 1024 * 1024);
  });

  it('sees only the loopback interface and cannot resolve names', () => {
    expect(facts.interfaces).to.deep.equal(['lo']);
    expect(facts.dns).not.to.equal('allowed');
  });

  it('runs under pids, memory (no swap) and CPU limits', () => {
    expect(facts.pids_max).to.equal(String(engine.config.pidsLimit));
    expect(Number(facts.memory_max)).to.equal(engine.config.memoryMb * 1024 * 1024);
    if (facts.swap_max !== null) expect(Number(facts.swap_max)).to.be.oneOf([0, engine.config.memoryMb * 1024 * 1024]);
    expect(String(facts.cpu_quota)).to.match(/^100000\b/);
  });

  it('has no Docker socket and no host mounts', () => {
    expect(facts.docker_socket).to.equal(false);
    expect(facts.host_mounts).to.deep.equal([]);
  });
});
