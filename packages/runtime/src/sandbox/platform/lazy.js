const { defineProperty } = Object;

/**
 * Defines `g[name]` as the value `make()` returns, made on first use: a configurable
 * accessor that replaces itself with a writable data property when read or assigned, so
 * a global nobody uses costs nothing but this accessor.
 */
export function defineLazy(g, name, make) {
  defineProperty(g, name, {
    configurable: true,
    enumerable: false,
    get() {
      const value = make();
      defineProperty(g, name, { value, writable: true, configurable: true, enumerable: false });
      return value;
    },
    set(value) {
      defineProperty(g, name, { value, writable: true, configurable: true, enumerable: false });
    },
  });
}

/** Defines `g[name] = value` as built-in globals are: writable, configurable, not enumerable. */
export function defineGlobal(g, name, value) {
  defineProperty(g, name, { value, writable: true, configurable: true, enumerable: false });
}
