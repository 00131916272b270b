// date-fns 4: formatting, arithmetic, differences and parsing of fixed instants (TZ is UTC on both sides).
import {
  addBusinessDays,
  addMonths,
  differenceInCalendarDays,
  eachDayOfInterval,
  endOfMonth,
  format,
  formatDistanceStrict,
  formatISO,
  isValid,
  isWeekend,
  parse,
  parseISO,
  startOfWeek,
  subHours,
} from 'date-fns';

export async function handler(event) {
  const at = new Date(event.at);
  return {
    formatted: format(at, "EEEE, do MMMM yyyy 'at' HH:mm:ss"),
    plusMonths: formatISO(addMonths(at, 13)),
    business: formatISO(addBusinessDays(at, 10)),
    diff: differenceInCalendarDays(parseISO('2025-12-25'), at),
    distance: formatDistanceStrict(subHours(at, 50), at),
    endOfMonth: endOfMonth(at).toISOString(),
    weekStart: startOfWeek(at, { weekStartsOn: 1 }).toISOString(),
    parsed: parse('03/11/2024 14:05', 'dd/MM/yyyy HH:mm', at).toISOString(),
    invalid: isValid(parseISO('2024-13-45')),
    weekends: eachDayOfInterval({ start: at, end: addMonths(at, 1) }).filter(isWeekend).length,
    tz: Intl.DateTimeFormat().resolvedOptions().timeZone,
  };
}
