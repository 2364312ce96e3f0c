// A tool that hands the model a file (a menu's PDF): on the Responses API the function output is a content
// array with the PDF as input_file; on Chat Completions it is the tool's text. Either way the transcript
// keeps the text, so later turns carry no PDF bytes.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool, ToolOutputWithFiles } from '../../src/tools/types.js';
import { startFakeOpenAI, textReply, toolCallReply, type FakeOpenAI } from '../support/fake-openai.js';
import { makeAgent, testConfig, textMessage, turnOf } from './helpers.js';

type Obj = Record<string, unknown>;
const asArray = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const PDF = Buffer.from('%PDF-1.4 fake menu').toString('base64');

const menuTool = defineTool({
  name: 'read_menu_content',
  does: 'reads',
  description: 'menu',
  parameters: z.object({}),
  handler: () =>
    new ToolOutputWithFiles('El menú: ceviche vegetariano, pupusas de loroco.', 'Se adjunta el menú (menu.pdf).', [
      { fileName: 'menu.pdf', contentType: 'application/pdf', base64: PDF },
    ]),
});

describe.each(['responses', 'chat_completions'] as const)('a tool output with a file (%s)', (api) => {
  let fake: FakeOpenAI;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
  });
  afterAll(async () => fake.close());
  beforeEach(() => fake.reset());

  it('reaches the model as the PDF (Responses) or as text (Chat Completions), and is stored as text', async () => {
    const h = makeAgent(testConfig(api, fake.url), { tools: [menuTool] });
    fake.queue(toolCallReply([{ name: 'read_menu_content', arguments: '{}' }]), textReply('Sí, hay ceviche vegetariano.'));
    const first = await h.agent.respond(turnOf([textMessage('¿Tienen opciones vegetarianas?')]));
    expect(first.outcome).toBe('answered');
    first.commit?.();

    const second = fake.requests[1]?.body ?? {};
    if (api === 'responses') {
      const output = asArray(second.input).find((i) => i.type === 'function_call_output')?.output;
      expect(output).toEqual([
        { type: 'input_text', text: 'Se adjunta el menú (menu.pdf).' },
        { type: 'input_file', filename: 'menu.pdf', file_data: `data:application/pdf;base64,${PDF}` },
      ]);
    } else {
      const tool = asArray(second.messages).find((m) => m.role === 'tool');
      expect(tool?.content).toBe('El menú: ceviche vegetariano, pupusas de loroco.');
    }

    // The next turn replays the stored text, never the bytes.
    fake.queue(textReply('¡Con gusto!'));
    (await h.agent.respond(turnOf([textMessage('Gracias')]))).commit?.();
    const third = JSON.stringify(fake.requests[2]?.body ?? {});
    expect(third).toContain('ceviche vegetariano, pupusas de loroco');
    expect(third).not.toContain(PDF);
  });
});
