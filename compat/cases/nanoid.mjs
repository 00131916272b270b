// nanoid: ids from the secure and non-secure generators and custom alphabets (shapes; ids are random).
import { customAlphabet, nanoid } from 'nanoid';
import { nanoid as insecure } from 'nanoid/non-secure';

export async function handler(event) {
  const ids = Array.from({ length: 200 }, () => nanoid());
  const hex = customAlphabet('0123456789abcdef', event.size);
  const hexIds = Array.from({ length: 50 }, () => hex());
  return {
    lengths: [...new Set(ids.map((id) => id.length))],
    urlSafe: ids.every((id) => /^[A-Za-z0-9_-]+$/.test(id)),
    distinct: new Set(ids).size,
    sized: nanoid(event.size).length,
    hex: hexIds.every((id) => id.length === event.size && /^[0-9a-f]+$/.test(id)),
    insecure: /^[A-Za-z0-9_-]{21}$/.test(insecure()),
  };
}
