const { construct, get, getPrototypeOf, apply } = Reflect;

/**
 * A stand-in for a class whose code is evaluated on first use (`load()` returns the real
 * class): constructing it, its statics, `instanceof` and `extends` act on the real class,
 * loaded then. Lets modules export a class by name without evaluating it up front.
 */
export function standIn(load) {
  const proxy = new Proxy(function standIn() {}, {
    construct: (_, args, newTarget) =>
      construct(load(), args, newTarget === proxy ? load() : newTarget),
    apply: (_, self, args) => apply(load(), self, args),
    get: (_, key) => get(load(), key),
    getPrototypeOf: () => getPrototypeOf(load()),
  });
  return proxy;
}
