// A TypeScript function: deploy with `pnpm mini-lambda deploy hello examples/hello.ts`.
interface Event {
  name?: string;
}

interface Context {
  functionName: string;
  functionVersion: string;
  invocationId: string;
  getRemainingTimeInMillis(): number;
}

export async function handler(event: Event | null, context: Context) {
  console.log(`greeting ${event?.name ?? 'someone'}`); // captured per invocation, not printed
  return {
    message: `Hello, ${event?.name ?? 'world'}!`,
    function: context.functionName,
    version: context.functionVersion,
    invocationId: context.invocationId,
  };
}
