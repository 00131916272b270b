// FormData (implemented in fetch/form-data-class.js), evaluated on first use.
import { fetchClasses } from './fetch/index.js';
import { standIn } from './fetch/stand-in.js';
import { defineLazy } from './lazy.js';

export const FormData = standIn(() => fetchClasses().FormData);

export function install(g, _host) {
  defineLazy(g, 'FormData', () => fetchClasses().FormData);
}
