import { expect } from 'chai';
import { loadEngineConfig } from '../../src/config.js';
import { PNG_SIGNATURE, bodyLimitBytes, mediaOf, renderDeadlineMs, workerFields } from '../../src/core/render-modes.js';
import { RenderStats } from '../../src/core/render-stats.js';
import { CodeProcessor } from '../../src/services/code-processor.js';
import { KivyValidator } from '../../src/services/kivy-validator.js';
import { ValidationError } from '../../src/utils/errors.js';
import { thrown } from '../support/assertions.js';

const config = loadEngineConfig({}, { renderTimeoutMs: 10_000, animationTimeoutMs: 45_000, maxAnimationMs: 10_000, animationLimitBytes: 8 << 20 });
const validator = new KivyValidator(config);
const GIF = Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(20)]);
const MP4 = Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from('ftypisom'), Buffer.alloc(20)]);
const PNG = Buffer.concat([PNG_SIGNATURE, Buffer.alloc(20)]);

const refusal = (run: () => unknown) => thrown(ValidationError, run).message;

describe('Render modes: options', () => {
  it('keeps a plain screenshot\'s options (and so its cache key and request) as they were', () => {
    const options = validator.normalizeOptions({ width: 320, height: 240, mode: 'screenshot', maxBytes: 1 << 20 });
    expect(options).to.deep.equal({ width: 320, height: 240, delayMs: 0 });
    expect(workerFields(options)).to.deep.equal({});
    expect(renderDeadlineMs(config, { ...options, delayMs: 500 })).to.equal(10_500);
    expect(bodyLimitBytes(config, options)).to.equal(config.pngLimitBytes);
  });

  it('fills an animation\'s defaults and clamps its byte limit to the configured one', () => {
    const gif = validator.normalizeOptions({ mode: 'animation', maxBytes: 100 << 20 });
    expect(gif.animation).to.deep.equal({ durationMs: 3000, maxDurationMs: 10_000, fps: 10, format: 'gif', maxBytes: 8 << 20 });
    expect(validator.normalizeOptions({ mode: 'animation', format: 'mp4', maxBytes: 1 << 20 }).animation).to.include({ fps: 15, maxBytes: 1 << 20 });
    const tour = validator.normalizeOptions({ mode: 'tour', durationMs: 1000 });
    expect(tour).to.include({ mode: 'tour' });
    expect(tour.animation?.durationMs, 'a tour runs up to the maximum').to.equal(10_000);
  });

  it('refuses out-of-range animation options, naming them', () => {
    expect(refusal(() => validator.normalizeOptions({ mode: 'video' as never }))).to.match(/"video" is not a render mode/);
    expect(refusal(() => validator.normalizeOptions({ mode: 'animation', durationMs: 60_000 }))).to.match(/duration must be from 500 to 10000 ms/);
    expect(refusal(() => validator.normalizeOptions({ mode: 'animation', fps: 60 }))).to.match(/frame rate .* 1 to 30/);
    expect(refusal(() => validator.normalizeOptions({ mode: 'animation', format: 'webm' as never }))).to.match(/not an animation format/);
    expect(refusal(() => validator.normalizeOptions({ mode: 'animation', maxBytes: 10 }))).to.match(/at least 1024 bytes/);
  });

  it('parses steps, bounding their waits by the capture delay for screenshots and the recording for animations', () => {
    const options = validator.normalizeOptions({ steps: 'press #ok\nwait 100' });
    expect(options.steps?.map((step) => step.action)).to.deep.equal(['press', 'wait']);
    expect(workerFields(options)).to.deep.equal({ steps: options.steps });
    expect(renderDeadlineMs(config, options)).to.equal(10_000 + 100 + 2 * 250);
    expect(refusal(() => validator.normalizeOptions({ steps: 'wait 6000' }))).to.match(/limit is 5000 ms/);
    expect(validator.normalizeOptions({ mode: 'animation', steps: 'wait 6000' }).steps).to.have.length(1);
  });

  it('gives recordings a longer deadline covering recording and encoding, bounded by the animation timeout', () => {
    const clip = validator.normalizeOptions({ mode: 'animation', durationMs: 3000 });
    expect(renderDeadlineMs(config, clip)).to.equal(10_000 + 3 * 3000);
    expect(renderDeadlineMs(config, validator.normalizeOptions({ mode: 'tour' }))).to.equal(40_000);
    expect(renderDeadlineMs({ ...config, animationTimeoutMs: 15_000 }, validator.normalizeOptions({ mode: 'tour' }))).to.equal(15_000);
    expect(workerFields(clip)).to.deep.equal({ render_mode: 'animation', duration_ms: 3000, max_duration_ms: 10_000, fps: 10, format: 'gif', max_bytes: 8 << 20 });
    expect(bodyLimitBytes(config, clip)).to.equal(8 << 20);
  });
});

describe('Render modes: the answer', () => {
  const gif = validator.normalizeOptions({ mode: 'animation' });
  const mp4 = validator.normalizeOptions({ mode: 'animation', format: 'mp4' });

  it('accepts only the media type the request asked for', () => {
    expect(mediaOf({}, PNG, validator.normalizeOptions())).to.deep.equal({ type: 'image/png', frames: 1 });
    expect(mediaOf({}, GIF, validator.normalizeOptions())).to.equal(null);
    expect(mediaOf({}, PNG, gif)).to.equal(null);
    expect(mediaOf({}, GIF, mp4)).to.equal(null);
    expect(mediaOf({}, MP4, mp4)).to.deep.equal({ type: 'video/mp4', frames: 0 });
  });

  it('keeps what the worker reports about the clip, and nothing else', () => {
    const header = { media: { frames: 30, fps: 5, duration_ms: 3000, scale: 0.5, pressed: ['Button "A"', 7], note: 'cut', evil: 'x' } };
    expect(mediaOf(header, GIF, gif)).to.deep.equal({ type: 'image/gif', frames: 30, fps: 5, durationMs: 3000, scale: 0.5, pressed: ['Button "A"'], note: 'cut' });
  });
});

describe('Render modes: harness and statistics', () => {
  const processor = new CodeProcessor();
  const names = (options?: Parameters<CodeProcessor['process']>[2]) => processor.process('import kivy', undefined, options).harness.map((script) => script.name);

  it('sends the interaction and recording scripts only to renders that need them', () => {
    expect(names()).to.deep.equal(['performance_wrapper', 'kivy_script_template']);
    expect(names(validator.normalizeOptions({ steps: 'press #ok' }))).to.deep.equal(['performance_wrapper', 'interaction_script', 'kivy_script_template']);
    expect(names(validator.normalizeOptions({ mode: 'tour' }))).to.deep.equal(['performance_wrapper', 'animation_recorder', 'interaction_script', 'kivy_script_template']);
  });

  it('counts animations apart from screenshots', () => {
    const stats = new RenderStats();
    stats.record({ ok: true, cached: false, totalMs: 40 });
    stats.record({ ok: true, cached: false, totalMs: 3500, mode: 'animation' });
    stats.record({ ok: false, cached: false, totalMs: 6000, mode: 'tour' });
    stats.record({ ok: true, cached: true, totalMs: 1, mode: 'animation' });
    const snapshot = stats.snapshot();
    expect(snapshot).to.include({ renders: 1, failures: 0, cacheHits: 0, p50Ms: 40 });
    expect(snapshot.animations).to.deep.equal({ renders: 3, failures: 1, cacheHits: 1, p50Ms: 3500, p95Ms: 6000 });
  });
});
