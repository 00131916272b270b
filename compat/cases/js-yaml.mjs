// js-yaml: load with anchors and types, dump, and the error for bad YAML.
import * as yaml from 'js-yaml';

export async function handler(event) {
  const doc = yaml.load(event.yaml);
  let error;
  try {
    yaml.load('a: [1, 2\nb: :');
  } catch (err) {
    error = { name: err.name, reason: err.reason, line: err.mark?.line };
  }
  return {
    doc: { ...doc, when: doc.when instanceof Date ? doc.when.toISOString() : doc.when },
    all: yaml.loadAll('---\na: 1\n---\nb: 2\n'),
    dumped: yaml.dump({ list: [1, 'two', { three: 3 }], text: 'multi\nline', empty: null }),
    error,
  };
}
