import { expect } from 'chai';
import { loadEngineConfig } from '../../src/config.js';
import { KivyValidator, parseSize } from '../../src/services/kivy-validator.js';
import { ValidationError } from '../../src/utils/errors.js';
import { thrown } from '../support/assertions.js';

const refusal = (run: () => unknown) => thrown(ValidationError, run);

describe('KivyValidator', () => {
  const validator = new KivyValidator(loadEngineConfig({}, { maxCodeBytes: 2000 }));

  it('accepts an ordinary snippet', () => {
    expect(() => validator.validateCode('from kivy.app import App\nimport os\nprint(os.getcwd())\n')).not.to.throw();
  });

  it('refuses empty code', () => {
    expect(refusal(() => validator.validateCode('  \n\t\n')).message).to.match(/empty/);
  });

  it('refuses code over the size limit, saying the limit', () => {
    expect(refusal(() => validator.validateCode('x = 1\n'.repeat(500))).message).to.match(/limit is 1 KiB/);
  });

  it('points at the line holding a NUL byte or invalid UTF-8', () => {
    expect(refusal(() => validator.validateCode('a = 1\nb = "\0"\n')).line).to.equal(2);
    expect(refusal(() => validator.validateCode('a = 1\n\nc = "\uFFFD"\n')).line).to.equal(3);
  });

  it('refuses obvious process and network abuse with the line', () => {
    const error = refusal(() => validator.validateCode('from kivy.app import App\n\nimport subprocess\n'));
    expect(error.line).to.equal(3);
    expect(error.message).to.match(/subprocess/);
    expect(refusal(() => validator.validateCode('import os\nwhile True:\n    os.fork()\n')).line).to.equal(3);
    expect(refusal(() => validator.validateCode('import socket\n')).message).to.match(/no network/);
  });

  it('can leave the boundary to the container', () => {
    const permissive = new KivyValidator(loadEngineConfig({}, { blockDangerousCode: false }));
    expect(() => permissive.validateCode('import subprocess\n')).not.to.throw();
  });

  it('fills default options and bounds them', () => {
    expect(validator.normalizeOptions()).to.deep.equal({ width: 800, height: 600, delayMs: 0 });
    expect(validator.normalizeOptions({ width: 320, height: 240, delayMs: 100 })).to.deep.equal({ width: 320, height: 240, delayMs: 100 });
    expect(refusal(() => validator.normalizeOptions({ width: 5000, height: 600 })).message).to.match(/1920x1080/);
    expect(refusal(() => validator.normalizeOptions({ delayMs: 999999 })).message).to.match(/delay/);
  });

  it('parses WxH sizes', () => {
    expect(parseSize('640x480')).to.deep.equal({ width: 640, height: 480 });
    expect(parseSize(' 1024 X 768 ')).to.deep.equal({ width: 1024, height: 768 });
    expect(refusal(() => parseSize('big')).message).to.match(/WIDTHxHEIGHT/);
  });
});
