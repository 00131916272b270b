// dayjs with its utc, relativeTime and customParseFormat plugins (CommonJS requires of plugins).
const dayjs = require('dayjs');
const utc = require('dayjs/plugin/utc');
const relativeTime = require('dayjs/plugin/relativeTime');
const customParseFormat = require('dayjs/plugin/customParseFormat');
require('dayjs/locale/de');

dayjs.extend(utc);
dayjs.extend(relativeTime);
dayjs.extend(customParseFormat);

exports.handler = async (event) => {
  const at = dayjs.utc(event.at);
  return {
    formatted: at.format('dddd, MMMM D, YYYY h:mm A'),
    german: at.locale('de').format('dddd, D. MMMM YYYY'),
    added: at.add(45, 'day').subtract(3, 'hour').toISOString(),
    diff: at.diff(dayjs.utc('2020-02-29'), 'month', true),
    relative: at.from(at.add(3, 'year')),
    startOfQuarter: at.startOf('month').toISOString(),
    parsed: dayjs.utc('31-12-2023 23:59', 'DD-MM-YYYY HH:mm').toISOString(),
    strictInvalid: dayjs('2023-02-30', 'YYYY-MM-DD', true).isValid(),
    daysInMonth: at.daysInMonth(),
  };
};
