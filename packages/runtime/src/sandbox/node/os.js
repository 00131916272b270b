// node:os: what libraries probe, answered for a function's sandbox. Written here: unenv's
// claims 8 CPUs and an empty arch. Nothing of the server is revealed.
const constants = Object.freeze({
  signals: Object.freeze({ __proto__: null, SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }),
  errno: Object.freeze({ __proto__: null }),
  priority: Object.freeze({ __proto__: null, PRIORITY_LOW: 19, PRIORITY_NORMAL: 0 }),
});

export default {
  EOL: '\n',
  devNull: '/dev/null',
  constants,
  arch: () => 'x64',
  availableParallelism: () => 1,
  cpus: () => [],
  endianness: () => 'LE',
  freemem: () => 0,
  getPriority: () => 0,
  homedir: () => '/tmp',
  hostname: () => 'localhost',
  loadavg: () => [0, 0, 0],
  machine: () => 'x86_64',
  networkInterfaces: () => ({}),
  platform: () => 'linux',
  release: () => '',
  setPriority: () => {},
  tmpdir: () => '/tmp',
  totalmem: () => 0,
  type: () => 'Linux',
  uptime: () => 0,
  userInfo: () => ({ uid: -1, gid: -1, username: 'sandbox', homedir: '/tmp', shell: null }),
  version: () => '',
};
