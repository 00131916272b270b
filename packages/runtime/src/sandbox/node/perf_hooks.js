// node:perf_hooks: the platform's performance (now, timeOrigin, marks and measures).
export default {
  performance: globalThis.performance,
  Performance: globalThis.Performance,
  constants: {},
};
