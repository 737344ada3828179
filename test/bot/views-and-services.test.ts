import 'reflect-metadata';
import { Writable } from 'node:stream';
import { LogLevel } from '@sapphire/framework';
import { expect } from 'chai';
import winston from 'winston';
import { findKivyBlock, pickCodeBlock } from '../../src/bot/code-blocks.js';
import { RateLimiter } from '../../src/bot/rate-limiter.js';
import { SapphireLogger } from '../../src/bot/sapphire-logger.js';
import { TemplateLibrary } from '../../src/bot/template-library.js';
import { commandMedia, type MediaChoice } from '../../src/bot/render-options.js';
import { loadBotConfig } from '../../src/config.js';
import type { RenderResult } from '../../src/models/render-result.js';
import { PoolBusyError, ValidationError } from '../../src/utils/errors.js';
import { CustomIds, parseCustomId } from '../../src/views/custom-ids.js';
import { codeBlock } from '../../src/views/format.js';
import { Notices } from '../../src/views/notices.js';
import { errorReply, renderReply, type ReplyContext } from '../../src/views/render-reply.js';

const SNOWFLAKE = '12345678901234567890';
const PNG_BYTES = Buffer.from('89504e470d0a1a0a', 'hex');
const GIF_BYTES = Buffer.from('GIF89a');
const MP4_BYTES = Buffer.from('\0\0\0\x18ftypmp42', 'latin1');

function result(overrides: Partial<RenderResult> = {}): RenderResult {
  return {
    ok: true, png: PNG_BYTES, width: 800, height: 600, stdout: '', stderr: '', stdoutTruncated: false, stderrTruncated: false,
    cached: false, timings: { queueMs: 0, renderMs: 40, totalMs: 42 }, imageVersion: 'abc', kivyVersion: '2.3.1', error: null, ...overrides,
  };
}

const context: ReplyContext = { snippet: { code: 'print(1)\n', filename: 'snippet.py' }, authorId: SNOWFLAKE, size: null, attachmentSizeLimit: 10 * 1024 * 1024 };
const names = (files: { name?: string }[]) => files.map((file) => file.name);

describe('bot views and services', () => {
  describe('custom ids', () => {
    it('round-trip every kind within 100 characters, and ignore ids the bot did not make', () => {
      const longest = { mode: 'animation', format: 'mp4', durationMs: 60_000 } as const;
      const ids = [
        CustomIds.prompt('1920x1080', 'kv', longest), CustomIds.prompt(), CustomIds.edit('800x600'), CustomIds.edit(null, { mode: 'tour' }),
        CustomIds.delete(SNOWFLAKE), CustomIds.renderMessage(SNOWFLAKE, 4102444800),
      ];
      expect(ids.map(parseCustomId)).to.deep.equal([
        { kind: 'prompt', size: '1920x1080', extension: 'kv', media: longest },
        { kind: 'prompt', size: null, extension: null, media: { mode: 'screenshot' } },
        { kind: 'edit', size: '800x600', media: { mode: 'screenshot' } },
        { kind: 'edit', size: null, media: { mode: 'tour' } },
        { kind: 'delete', authorId: SNOWFLAKE },
        { kind: 'render-message', authorId: SNOWFLAKE, expiresAt: 4102444800 },
      ]);
      // A screenshot's ids are those of earlier versions, so their buttons keep working.
      expect(ids.slice(1, 4)).to.deep.equal(['kivy:prompt::', 'kivy:edit:800x600', 'kivy:edit::tour']);
      ids.forEach((id) => expect(id.length).to.be.at.most(100));
      expect(parseCustomId('other-bot:delete:1')).to.equal(null);
      expect(parseCustomId('kivy:delete:')).to.equal(null);
    });
  });

  describe('the render options of /kivy render', () => {
    const options = (values: Record<string, string | number>) => ({
      getString: (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : null),
      getNumber: (name: string) => (typeof values[name] === 'number' ? (values[name] as number) : null),
    });

    it('default to a screenshot; a format or a duration implies an animation; meaningless combinations are refused', () => {
      expect(commandMedia(options({}))).to.deep.equal({ mode: 'screenshot' });
      expect(commandMedia(options({ mode: 'tour', format: 'mp4' }))).to.deep.equal({ mode: 'tour', format: 'mp4' });
      expect(commandMedia(options({ duration: 1.25 }))).to.deep.equal({ mode: 'animation', durationMs: 1250 });
      expect(() => commandMedia(options({ mode: 'screenshot', format: 'gif' }))).to.throw(ValidationError, /are for recordings/);
      expect(() => commandMedia(options({ mode: 'tour', duration: 2 }))).to.throw(ValidationError, /leave out `duration`/);
    });
  });

  describe('codeBlock', () => {
    it('neutralises mentions and breaks inner fences', () => {
      expect(codeBlock('@everyone ```x```', 100)).to.equal('```\n@\u200beveryone `\u200b``x`\u200b``\n```');
    });

    it('fits the limit, keeping the start or (for tracebacks) the end', () => {
      const text = Array.from({ length: 200 }, (_, i) => `line ${i}`).join('\n');
      const start = codeBlock(text, 300, { language: 'py' });
      const end = codeBlock(text, 300, { language: 'py', keep: 'end' });
      expect(start.length).to.equal(300);
      expect(end.length).to.equal(300);
      expect(start).to.match(/^```py\nline 0\n/);
      expect(end).to.match(/line 199\n```$/);
    });
  });

  describe('renderReply', () => {
    it('shows the image, timings, cache and Kivy version, with the source attached and both buttons', () => {
      const reply = renderReply(result({ cached: true }), context);
      expect(names(reply.files)).to.deep.equal(['render.png', 'snippet.py']);
      const embed = reply.embeds[0].toJSON();
      expect(embed.image?.url).to.equal('attachment://render.png');
      expect(embed.fields?.map((field) => [field.name, field.value])).to.deep.equal([
        ['Render time', '42 ms'],
        ['Cache', 'cached'],
        ['Kivy', '2.3.1'],
        ['Size', '800×600'],
      ]);
      expect(reply.components[0].toJSON().components.map((button) => (button as { custom_id: string }).custom_id)).to.deep.equal([
        'kivy:edit:',
        `kivy:delete:${SNOWFLAKE}`,
      ]);
      expect(reply.content).to.equal('');
    });

    it('cuts long output inline and attaches all of it as output.txt', () => {
      const stdout = 'x'.repeat(5000);
      const reply = renderReply(result({ stdout, stderr: 'warning' }), context);
      expect(reply.content.length).to.be.at.most(2000);
      expect(reply.content).to.match(/^\*\*Printed output\*\*\n```\nxxx/);
      const output = reply.files.find((file) => file.name === 'output.txt');
      expect(String(output?.attachment)).to.equal(`${stdout}\n[stderr]\nwarning`);
    });

    it("leaves out a screenshot larger than the interaction's upload limit, saying so", () => {
      const reply = renderReply(result({ png: Buffer.alloc(2 * 1048576) }), { ...context, attachmentSizeLimit: 1048576 });
      expect(names(reply.files)).to.deep.equal(['snippet.py']);
      const embed = reply.embeds[0].toJSON();
      expect(embed.image).to.equal(undefined);
      expect(embed.fields?.at(-1)?.value).to.match(/larger than this server's upload limit/);
    });

    it('attaches a GIF as render.gif shown in the embed, and an MP4 as a plain render.mp4, with the clip described', () => {
      const clip = { type: 'image/gif', frames: 30, fps: 10, durationMs: 3000, scale: 0.5, note: 'The recording was cut at 10 s.' } as const;
      const media: MediaChoice = { mode: 'animation', format: 'gif' };
      const gif = renderReply(result({ png: null, image: GIF_BYTES, media: clip }), { ...context, media, steps: 'press #go' });
      expect(names(gif.files)).to.deep.equal(['render.gif', 'snippet.py', 'steps.txt']);
      expect(String(gif.files[2].attachment)).to.equal('press #go');
      const embed = gif.embeds[0].toJSON();
      expect(embed.title).to.equal('Kivy animation');
      expect(embed.image?.url).to.equal('attachment://render.gif');
      const fields = Object.fromEntries(embed.fields!.map((field) => [field.name, field.value]));
      expect(fields.Recording).to.equal('GIF: 30 frames @ 10 fps · 3.0 s · scaled to 50% to fit the upload limit');
      expect(fields.Note).to.equal('The recording was cut at 10 s.');
      expect(fields.Pressed).to.equal(undefined);
      expect((gif.components[0].toJSON().components[0] as { custom_id: string }).custom_id).to.equal('kivy:edit::animation.gif');

      const mp4 = renderReply(result({ png: null, image: MP4_BYTES, media: { type: 'video/mp4', frames: 15, fps: 15, durationMs: 1000, scale: 1 } }), context);
      expect(names(mp4.files)).to.deep.equal(['render.mp4', 'snippet.py']);
      expect(mp4.embeds[0].toJSON().image).to.equal(undefined);
      expect(mp4.embeds[0].toJSON().fields?.find((field) => field.name === 'Recording')?.value).to.equal('MP4: 15 frames @ 15 fps · 1.0 s');
    });

    it("lists a tour's presses with mentions neutralised, within a field's limit", () => {
      const pressed = ['Button "@everyone"', ...Array.from({ length: 50 }, (_, i) => `Button "${'x'.repeat(90)} ${i}"`)];
      const reply = renderReply(result({ png: null, image: GIF_BYTES, media: { type: 'image/gif', frames: 40, fps: 8, pressed } }), { ...context, media: { mode: 'tour' } });
      const embed = reply.embeds[0].toJSON();
      expect(embed.title).to.equal('Kivy tour');
      const value = embed.fields!.find((field) => field.name === 'Pressed')!.value;
      expect(value).to.match(/^Button "@\u200beveryone", Button "x+ 0", /);
      expect(value.length).to.equal(1024);
      expect(value.endsWith('…')).to.equal(true);
      const none = renderReply(result({ png: null, image: GIF_BYTES, media: { type: 'image/gif', frames: 40, fps: 8, pressed: [] } }), context);
      expect(none.embeds[0].toJSON().fields!.find((field) => field.name === 'Pressed')!.value).to.match(/^nothing: no buttons/);
    });

    it("keeps a long traceback's end within the embed limit", () => {
      const traceback = `${'  File "main.py", line 3, in f\n'.repeat(400)}RecursionError: maximum recursion depth exceeded`;
      const reply = renderReply(result({ ok: false, png: null, error: { kind: 'runtime', message: 'RecursionError: too deep', line: 3, traceback } }), context);
      const embed = reply.embeds[0].toJSON();
      expect(embed.title).to.equal('Runtime error on line 3');
      expect(embed.description!.length).to.be.at.most(4096);
      expect(embed.description).to.match(/RecursionError: maximum recursion depth exceeded\n```$/);
    });
  });

  describe('errorReply', () => {
    it('turns domain errors into their user-facing kind, with the line of a validation error', () => {
      expect(errorReply(new PoolBusyError(40)).embeds[0].toJSON()).to.deep.include({ title: 'The renderer is busy' });
      const refused = errorReply(new ValidationError('Line 4 uses the socket module', 4), context);
      expect(refused.embeds[0].toJSON().title).to.equal('Refused before rendering on line 4');
      expect(names(refused.files)).to.deep.equal(['snippet.py']);
      expect(errorReply(new Error('secret internals')).embeds[0].toJSON().description).to.equal('Something went wrong on our side; the error was logged.');
    });
  });

  describe('code blocks in messages', () => {
    it('offers only tagged blocks that look like Kivy, and "Render Kivy" takes any block', () => {
      const text = '```js\nlet kivy = 1\n```\n```py\nprint("no gui")\n```\n```kv\nBoxLayout:\n    Label:\n```';
      expect(findKivyBlock(text)).to.deep.equal({ language: 'kv', code: 'BoxLayout:\n    Label:\n', filename: 'snippet.kv' });
      expect(pickCodeBlock(text)?.language).to.equal('py');
      expect(pickCodeBlock('```\nButton:\n```')).to.deep.equal({ language: '', code: 'Button:\n', filename: undefined });
      expect(pickCodeBlock('no code')).to.equal(undefined);
    });
  });

  describe('RateLimiter', () => {
    const limiter = () => new RateLimiter(loadBotConfig({ DISCORD_TOKEN: 'a.b.c', KIVY_USER_RATE_LIMIT: '2', KIVY_GUILD_RATE_LIMIT: '3' }));

    it('gives each user a bucket and says how long to wait', () => {
      const rates = limiter();
      expect(rates.take('alice', 'guild').allowed).to.equal(true);
      expect(rates.take('alice', 'guild').allowed).to.equal(true);
      const refused = rates.take('alice', 'guild');
      expect(refused).to.deep.include({ allowed: false, scope: 'user', limit: 2, windowSeconds: 60 });
      expect(refused.allowed === false && refused.retryAfterMs).to.be.within(59_000, 60_000);
      expect(rates.take('bob', 'guild').allowed).to.equal(true);
      rates.clear();
    });

    it('counts a recording as two renders, and says so when fewer are left', () => {
      const rates = limiter();
      expect(rates.take('carol', null).allowed).to.equal(true);
      const refused = rates.take('carol', null, 2);
      expect(refused).to.deep.include({ allowed: false, scope: 'user', limit: 2, cost: 2 });
      expect(Notices.rateLimited(refused as Extract<typeof refused, { allowed: false }>)).to.match(
        /^A recording counts as 2 renders, and you have fewer than that left of the 2 renders allowed per 60 s: try again in \d+ s\.$/,
      );
      expect(rates.take('carol', null).allowed, 'the refused recording took nothing').to.equal(true);
      expect(rates.take('dave', 'guild', 2).allowed).to.equal(true);
      expect(rates.check('dave', 'guild')).to.deep.include({ allowed: false, scope: 'user' });
      expect(rates.take('erin', 'guild', 2)).to.deep.include({ allowed: false, scope: 'guild', cost: 2 });
      rates.clear();
    });

    it('caps a server as a whole; check() takes nothing', () => {
      const rates = limiter();
      ['a', 'b', 'c'].forEach((user) => expect(rates.take(user, 'guild').allowed).to.equal(true));
      expect(rates.check('d', 'guild')).to.deep.include({ allowed: false, scope: 'guild', limit: 3 });
      expect(rates.take('d', 'other-guild').allowed).to.equal(true);
      expect(rates.check('e', null).allowed).to.equal(true);
      rates.clear();
      expect(rates.take('d', 'guild').allowed).to.equal(true);
      rates.clear();
    });
  });

  describe('TemplateLibrary', () => {
    it('finds templates by name prefix first, then by words of the title or description', () => {
      const library = new TemplateLibrary();
      expect(library.search('scr').map((template) => template.name)).to.deep.equal(['screen-manager']);
      expect(library.search('kv')[0].name).to.equal('kv-language');
      expect(library.search('slider').map((template) => template.name)).to.include('properties');
      expect(library.search('')).to.have.lengthOf(library.list().length);
    });
  });

  describe('SapphireLogger', () => {
    it("writes Sapphire's messages to the winston logger at the matching level", () => {
      const lines: string[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString().trimEnd());
          done();
        },
      });
      const winstonLogger = winston.createLogger({ level: 'info', format: winston.format.printf(({ level, message }) => `${level} ${message}`), transports: [new winston.transports.Stream({ stream: sink })] });
      const logger = new SapphireLogger(winstonLogger);
      expect(logger.has(LogLevel.Debug)).to.equal(false);
      expect(logger.has(LogLevel.Warn)).to.equal(true);
      logger.debug('hidden');
      logger.warn('registries', 3, new Error('boom'));
      expect(lines).to.have.lengthOf(1);
      expect(lines[0]).to.match(/^warn registries 3 Error: boom\n {4}at /);
    });
  });
});
