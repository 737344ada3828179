import { expect } from 'chai';
import { STEP_LIMITS, formatStep, parseSteps } from '../../src/services/steps-parser.js';
import { ValidationError } from '../../src/utils/errors.js';
import { thrown } from '../support/assertions.js';

const LIMITS = { totalWaitMs: 5000 };

function refusal(input: Parameters<typeof parseSteps>[0], limits = LIMITS): string {
  const error = thrown(ValidationError, () => parseSteps(input, limits));
  expect(error.line, 'a steps error is not a line of the code').to.equal(null);
  return error.message;
}

describe('parseSteps', () => {
  it('reads one step per line, skipping blank lines and # comments, keeping each line number', () => {
    const steps = parseSteps('# log in first\npress "Log in"\n\npress #submit\ntype #name "Alice"\nwait 500\nscroll #list down\n', LIMITS);
    expect(steps).to.deep.equal([
      { index: 1, line: 2, label: 'press "Log in"', action: 'press', target: { text: 'Log in' } },
      { index: 2, line: 4, label: 'press #submit', action: 'press', target: { id: 'submit' } },
      { index: 3, line: 5, label: 'type #name "Alice"', action: 'type', target: { id: 'name' }, text: 'Alice' },
      { index: 4, line: 6, label: 'wait 500', action: 'wait', ms: 500 },
      { index: 5, line: 7, label: 'scroll #list down', action: 'scroll', target: { id: 'list' }, direction: 'down' },
    ]);
  });

  it('accepts aliases, bare text, single quotes, escapes, units and CRLF', () => {
    const steps = parseSteps("Click Log in\r\ntap 'It\\'s me'\r\ntype \"Your name\" \"line\\none\"\r\ntype #n Bob Smith\r\nwait 1.5s\r\nsleep 20ms\r\nscroll #l TOP", LIMITS);
    expect(steps.map((step) => ('target' in step ? step.target : null))).to.deep.equal([
      { text: 'Log in' }, { text: "It's me" }, { text: 'Your name' }, { id: 'n' }, null, null, { id: 'l' },
    ]);
    expect(steps[2]).to.include({ text: 'line\none' });
    expect(steps[3]).to.include({ text: 'Bob Smith' });
    expect(steps[4]).to.include({ action: 'wait', ms: 1500 });
    expect(steps[5]).to.include({ action: 'wait', ms: 20 });
    expect(steps[6]).to.include({ direction: 'top' });
  });

  it('reads a JSON array of step lines or objects, and parsed steps again unchanged', () => {
    const json = JSON.stringify(['press #ok', { action: 'type', target: '#name', text: 'Al' }, { action: 'wait', ms: 200 }, { action: 'scroll', target: { text: 'Items' }, direction: 'up' }]);
    const steps = parseSteps(json, LIMITS);
    expect(steps.map((step) => step.label)).to.deep.equal(['press #ok', 'type #name "Al"', 'wait 200', 'scroll "Items" up']);
    expect(steps.map((step) => step.line)).to.deep.equal([1, 2, 3, 4]);
    expect(parseSteps(steps, LIMITS)).to.deep.equal(steps);
  });

  it('writes every step back in a form it reads', () => {
    const steps = parseSteps('press "say \\"hi\\""\ntype #a "x y"\nwait 5\nscroll #b left', LIMITS);
    const again = parseSteps(steps.map(formatStep).join('\n'), LIMITS);
    expect(again.map(({ label: _label, ...step }) => step)).to.deep.equal(steps.map(({ label: _label, ...step }) => step));
  });

  it('names the step and its line in every error', () => {
    expect(refusal('press #ok\n\npresss #ok')).to.match(/^Step 2 \(line 3: presss #ok\): "presss" is not a step\. Write one step per line/);
    expect(refusal('press')).to.match(/^Step 1 \(line 1: press\): name a widget: #id or "its text"/);
    expect(refusal('press "Log in" now')).to.match(/unexpected "now" after the target/);
    expect(refusal('type #name')).to.match(/^Step 1 .*say what to type/);
    expect(refusal('type #name "Al" "ice"')).to.match(/unexpected ""ice"" after the text/);
    expect(refusal('wait soon')).to.match(/say how long/);
    expect(refusal('wait 20s')).to.match(/at most 10000 ms/);
    expect(refusal('scroll #list sideways')).to.match(/say which way: up, down, left, right, top, bottom/);
    expect(refusal('press "Log in')).to.match(/the quote " is never closed/);
    expect(refusal('press #bad!id')).to.match(/is not an id/);
    expect(refusal('[{"action": "jump"}]')).to.match(/^Step 1 \(line 1: \{"action":"jump"\}\): "action" must be one of/);
    expect(refusal('[1]')).to.match(/each step must be a string/);
    expect(refusal('[press #ok]')).to.match(/look like JSON but do not parse/);
  });

  it('bounds the number of steps, the text typed and the total wait', () => {
    expect(refusal('wait 1\n'.repeat(STEP_LIMITS.steps + 1))).to.match(/51 steps; the limit is 50/);
    expect(refusal(`type #a "${'x'.repeat(STEP_LIMITS.textChars + 1)}"`)).to.match(/501 characters; the limit is 500/);
    expect(refusal('wait 3000\nwait 3000')).to.equal('The steps wait 6000 ms in all; the limit is 5000 ms.');
    expect(parseSteps('wait 3000\nwait 3000', { totalWaitMs: 10_000 })).to.have.length(2);
  });

  it('also separates steps with ; (a slash command option has no newlines), except inside quotes', () => {
    const steps = parseSteps('type #name "a;b"; press It\'s me ;wait 5\npress "x"; # done', LIMITS);
    expect(steps.map((step) => [step.line, step.label])).to.deep.equal([[1, 'type #name "a;b"'], [1, "press It's me"], [1, 'wait 5'], [2, 'press "x"']]);
    expect(steps[0]).to.include({ text: 'a;b' });
    expect(refusal('press #a; jump')).to.match(/^Step 2 \(line 1: jump\): "jump" is not a step/);
  });

  it('treats empty text as no steps', () => {
    expect(parseSteps('\n  \n# nothing\n', LIMITS)).to.deep.equal([]);
  });
});
