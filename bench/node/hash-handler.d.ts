// hash-handler.js stays JavaScript: workerd serves the same file.
export function handler(
  event: { name?: string } | null,
): Promise<{ sha256: string; bytes: number }>;
