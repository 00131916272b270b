// immer: produce with structural sharing, auto-freeze, patches and inverse patches, Map support.
import {
  applyPatches,
  enableMapSet,
  enablePatches,
  isDraft,
  produce,
  produceWithPatches,
} from 'immer';

enablePatches();
enableMapSet();

export async function handler(event) {
  const base = event.state;
  const next = produce(base, (draft) => {
    draft.todos.push({ id: 3, text: 'new', done: false });
    draft.todos[0].done = true;
  });
  const [, patches, inverse] = produceWithPatches(base, (draft) => {
    draft.user.name = 'Grace';
    delete draft.user.temp;
  });
  const withMap = produce({ m: new Map([['a', 1]]) }, (d) => {
    d.m.set('b', 2);
  });
  let frozenWrite;
  try {
    next.todos[0].done = false;
    frozenWrite = 'allowed';
  } catch (err) {
    frozenWrite = err.constructor.name;
  }
  return {
    next,
    sharedUntouched: next.todos[1] === base.todos[1],
    baseUnchanged: base.todos.length,
    frozen: Object.isFrozen(next.todos[0]),
    frozenWrite,
    patches,
    inverse,
    undone: applyPatches(applyPatches(base, patches), inverse),
    map: [...withMap.m],
    isDraft: isDraft(next),
  };
}
