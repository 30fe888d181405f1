// The three ingress dialects as the official SDKs speak them, behind one small interface so the
// conformance scenarios are written once:
//   chat({ model, system, messages, tools, toolChoice, stream }) →
//     { text, toolCalls: [{ id, name, args }], usage: { input, output }, finish, events }
//   and on failure an IngressError { status, type, partialText } (partialText: what a stream
//   delivered before its terminal error).
// messages: [{ role: 'user', text } | { role: 'assistant', text?, toolCalls } |
//            { role: 'tool', id, name, result }]
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';

export class IngressError extends Error {
  constructor(message, { status, type, partialText = '' }) {
    super(message);
    this.status = status;
    this.type = type;
    this.partialText = partialText;
  }
}

// ---------------------------------------------------------------------------------------------
// OpenAI Chat Completions (openai SDK)

function openaiMessages(system, messages) {
  const out = [];
  if (system) out.push({ role: 'system', content: system });
  for (const m of messages) {
    if (m.role === 'user') out.push({ role: 'user', content: m.text });
    if (m.role === 'assistant') {
      out.push({
        role: 'assistant',
        content: m.text ?? null,
        tool_calls: m.toolCalls?.map((c) => ({
          id: c.id,
          type: 'function',
          function: { name: c.name, arguments: JSON.stringify(c.args) },
        })),
      });
    }
    if (m.role === 'tool') out.push({ role: 'tool', tool_call_id: m.id, content: m.result });
  }
  return out;
}

function openaiError(err, partialText = '') {
  if (err instanceof OpenAI.APIError) {
    const type = err.error?.type ?? err.type ?? err.error?.error?.type;
    return new IngressError(err.message, { status: err.status, type, partialText });
  }
  return err;
}

export function openaiClient(baseUrl, apiKey, fetchImpl) {
  const client = new OpenAI({ baseURL: `${baseUrl}/v1`, apiKey, maxRetries: 0, timeout: 20_000, fetch: fetchImpl });
  return {
    name: 'openai',
    async chat({ model, system, messages, tools, toolChoice, stream }) {
      const body = {
        model,
        messages: openaiMessages(system, messages),
        max_tokens: 256,
      };
      if (tools) {
        body.tools = tools.map((t) => ({
          type: 'function',
          function: { name: t.name, description: t.description, parameters: t.schema },
        }));
      }
      if (toolChoice) body.tool_choice = { type: 'function', function: { name: toolChoice } };
      if (!stream) {
        let r;
        try {
          r = await client.chat.completions.create(body);
        } catch (err) {
          throw openaiError(err);
        }
        const msg = r.choices[0].message;
        return {
          text: msg.content ?? '',
          toolCalls: (msg.tool_calls ?? []).map((c) => ({
            id: c.id,
            name: c.function.name,
            args: JSON.parse(c.function.arguments),
          })),
          usage: { input: r.usage?.prompt_tokens ?? 0, output: r.usage?.completion_tokens ?? 0 },
          finish: r.choices[0].finish_reason,
          events: 1,
        };
      }
      let text = '';
      const calls = [];
      let usage = { input: 0, output: 0 };
      let finish = null;
      let events = 0;
      try {
        const s = await client.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } });
        for await (const chunk of s) {
          events += 1;
          if (chunk.usage) usage = { input: chunk.usage.prompt_tokens, output: chunk.usage.completion_tokens };
          const choice = chunk.choices[0];
          if (!choice) continue;
          if (choice.delta?.content) text += choice.delta.content;
          for (const tc of choice.delta?.tool_calls ?? []) {
            calls[tc.index] ??= { id: '', name: '', args: '' };
            if (tc.id) calls[tc.index].id = tc.id;
            if (tc.function?.name) calls[tc.index].name = tc.function.name;
            if (tc.function?.arguments) calls[tc.index].args += tc.function.arguments;
          }
          if (choice.finish_reason) finish = choice.finish_reason;
        }
      } catch (err) {
        throw openaiError(err, text);
      }
      return {
        text,
        toolCalls: calls.map((c) => ({ ...c, args: JSON.parse(c.args) })),
        usage,
        finish,
        events,
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Anthropic Messages (@anthropic-ai/sdk)

function anthropicMessages(messages) {
  const out = [];
  for (const m of messages) {
    if (m.role === 'user') out.push({ role: 'user', content: m.text });
    if (m.role === 'assistant') {
      const content = [];
      if (m.text) content.push({ type: 'text', text: m.text });
      for (const c of m.toolCalls ?? []) content.push({ type: 'tool_use', id: c.id, name: c.name, input: c.args });
      out.push({ role: 'assistant', content });
    }
    if (m.role === 'tool') {
      const block = { type: 'tool_result', tool_use_id: m.id, content: m.result };
      const last = out[out.length - 1];
      if (last?.role === 'user' && Array.isArray(last.content)) last.content.push(block);
      else out.push({ role: 'user', content: [block] });
    }
  }
  return out;
}

function anthropicError(err, partialText = '') {
  if (err instanceof Anthropic.APIError) {
    const type = err.error?.error?.type ?? err.error?.type;
    return new IngressError(err.message, { status: err.status, type, partialText });
  }
  return err;
}

function fromAnthropicMessage(msg, events) {
  const text = msg.content.filter((b) => b.type === 'text').map((b) => b.text).join('');
  const toolCalls = msg.content
    .filter((b) => b.type === 'tool_use')
    .map((b) => ({ id: b.id, name: b.name, args: b.input }));
  const u = msg.usage ?? {};
  const input = (u.input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0);
  return { text, toolCalls, usage: { input, output: u.output_tokens ?? 0 }, finish: msg.stop_reason, events };
}

export function anthropicClient(baseUrl, apiKey, fetchImpl) {
  const client = new Anthropic({ baseURL: baseUrl, apiKey, maxRetries: 0, timeout: 20_000, fetch: fetchImpl });
  return {
    name: 'anthropic',
    async chat({ model, system, messages, tools, toolChoice, stream }) {
      const body = { model, max_tokens: 256, messages: anthropicMessages(messages) };
      if (system) body.system = system;
      if (tools) body.tools = tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.schema }));
      if (toolChoice) body.tool_choice = { type: 'tool', name: toolChoice };
      if (!stream) {
        try {
          return fromAnthropicMessage(await client.messages.create(body), 1);
        } catch (err) {
          throw anthropicError(err);
        }
      }
      let text = '';
      let events = 0;
      try {
        const s = client.messages.stream(body);
        s.on('streamEvent', () => {
          events += 1;
        });
        s.on('text', (t) => {
          text += t;
        });
        const msg = await s.finalMessage();
        return fromAnthropicMessage(msg, events);
      } catch (err) {
        throw anthropicError(err, text);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Gemini generateContent (@google/genai)

function geminiContents(messages) {
  const out = [];
  for (const m of messages) {
    if (m.role === 'user') out.push({ role: 'user', parts: [{ text: m.text }] });
    if (m.role === 'assistant') {
      const parts = [];
      if (m.text) parts.push({ text: m.text });
      for (const c of m.toolCalls ?? []) parts.push({ functionCall: { name: c.name, args: c.args } });
      out.push({ role: 'model', parts });
    }
    if (m.role === 'tool') {
      const part = { functionResponse: { name: m.name, response: { content: m.result } } };
      const last = out[out.length - 1];
      if (last?.role === 'user' && last.parts.every((p) => p.functionResponse)) last.parts.push(part);
      else out.push({ role: 'user', parts: [part] });
    }
  }
  return out;
}

function geminiError(err, partialText = '') {
  if (err && typeof err.status === 'number') {
    let type;
    const m = /"status":\s*"([A-Z_]+)"/.exec(err.message);
    if (m) type = m[1];
    return new IngressError(err.message, { status: err.status, type, partialText });
  }
  return err;
}

export function geminiClient(baseUrl, apiKey) {
  const ai = new GoogleGenAI({ apiKey, httpOptions: { baseUrl, timeout: 20_000 } });
  return {
    name: 'gemini',
    async chat({ model, system, messages, tools, toolChoice, stream }) {
      const config = { maxOutputTokens: 256 };
      if (system) config.systemInstruction = system;
      if (tools) {
        config.tools = [
          {
            functionDeclarations: tools.map((t) => ({
              name: t.name,
              description: t.description,
              parametersJsonSchema: t.schema,
            })),
          },
        ];
      }
      if (toolChoice) {
        config.toolConfig = { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [toolChoice] } };
      }
      const req = { model, contents: geminiContents(messages), config };
      const usageOf = (u) => ({
        input: u?.promptTokenCount ?? 0,
        output: (u?.candidatesTokenCount ?? 0) + (u?.thoughtsTokenCount ?? 0),
      });
      const callsOf = (r) => (r.functionCalls ?? []).map((c) => ({ id: c.id ?? '', name: c.name, args: c.args ?? {} }));
      if (!stream) {
        try {
          const r = await ai.models.generateContent(req);
          return {
            text: r.text ?? '',
            toolCalls: callsOf(r),
            usage: usageOf(r.usageMetadata),
            finish: r.candidates?.[0]?.finishReason,
            events: 1,
          };
        } catch (err) {
          throw geminiError(err);
        }
      }
      let text = '';
      const toolCalls = [];
      let usage = { input: 0, output: 0 };
      let finish = null;
      let events = 0;
      try {
        const s = await ai.models.generateContentStream(req);
        for await (const chunk of s) {
          events += 1;
          const parts = chunk.candidates?.[0]?.content?.parts ?? [];
          for (const p of parts) if (typeof p.text === 'string' && !p.thought) text += p.text;
          toolCalls.push(...callsOf(chunk));
          if (chunk.usageMetadata) usage = usageOf(chunk.usageMetadata);
          if (chunk.candidates?.[0]?.finishReason) finish = chunk.candidates[0].finishReason;
        }
      } catch (err) {
        throw geminiError(err, text);
      }
      return { text, toolCalls, usage, finish, events };
    },
  };
}

export const INGRESS = ['openai', 'anthropic', 'gemini'];

export function makeClient(ingress, baseUrl, apiKey, fetchImpl) {
  if (ingress === 'openai') return openaiClient(baseUrl, apiKey, fetchImpl);
  if (ingress === 'anthropic') return anthropicClient(baseUrl, apiKey, fetchImpl);
  return geminiClient(baseUrl, apiKey);
}
