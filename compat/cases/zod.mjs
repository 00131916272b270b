// zod 4: parsing, coercion, transforms, refinements, error issues and JSON Schema output.
import { z } from 'zod';

const User = z.object({
  id: z.coerce.number().int().positive(),
  email: z.email(),
  name: z
    .string()
    .min(2)
    .transform((s) => s.trim().toUpperCase()),
  tags: z.array(z.enum(['a', 'b', 'c'])).default([]),
  born: z.iso.date().optional(),
  password: z.string().refine((p) => /\d/.test(p), { message: 'needs a digit' }),
});

export async function handler(event) {
  const good = User.safeParse(event.good);
  const bad = User.safeParse(event.bad);
  const union = z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('circle'), r: z.number() }),
    z.object({ kind: z.literal('square'), side: z.number() }),
  ]);
  return {
    good: good.success ? good.data : good.error.issues,
    badIssues: bad.success
      ? null
      : bad.error.issues.map((i) => ({ path: i.path, code: i.code, message: i.message })),
    flattened: bad.success ? null : z.flattenError(bad.error),
    union: union.parse({ kind: 'square', side: 3 }),
    unionError: union.safeParse({ kind: 'triangle' }).error?.issues[0]?.code,
    jsonSchema: z.toJSONSchema(z.object({ a: z.string(), b: z.number().optional() })),
  };
}
