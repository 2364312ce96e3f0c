// The agent bench's fake model in a process of its own, as a real model is: receiving and reading a 350 KB
// request then costs the bench's process nothing, so a turn's time is ours (and the SDK's) alone.
// Started by agent-bench.ts with an IPC channel: it sends { url } once listening, and answers
// 'lastBytes' (the size of the last request's body) and 'reset'.
import { startFakeOpenAI, textReply } from '../support/fake-openai.js';

const fake = await startFakeOpenAI({ parseBodies: false, fallback: textReply('Con gusto.') });
process.on('message', (msg: unknown) => {
  if (msg === 'lastBytes') process.send?.({ lastBytes: fake.requests.at(-1)?.bytes ?? 0 });
  else if (msg === 'reset') {
    fake.reset();
    process.send?.({ reset: true });
  }
});
process.on('disconnect', () => void fake.close().then(() => process.exit(0)));
process.send?.({ url: fake.url });
