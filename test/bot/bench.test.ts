import { expect } from 'chai';
import { runBotBenchmark } from '../bench/bot-bench.js';

describe('the bot benchmark (interaction -> reply with the image, against the warm engine)', function () {
  this.timeout(180_000);

  it('measures both in one run; the bot adds a bounded overhead over the engine', async () => {
    const report = await runBotBenchmark({ samples: 5, env: { ...process.env, KIVY_POOL_SIZE: '2' } });
    expect(report.engine_warm.n).to.equal(5);
    expect(report.bot_warm.n).to.equal(5);
    expect(report.engine_warm.p50_ms).to.be.greaterThan(0);
    // The goal is 50 ms; the test only guards against gross regressions (e.g. a serialised round trip).
    expect(report.overhead_p50_ms).to.be.below(250);
    expect(report.summary).to.match(/^engine .*\nbot .*\ninteraction -> reply/);
  });
});
