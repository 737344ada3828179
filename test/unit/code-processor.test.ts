import { expect } from 'chai';
import { CodeProcessor, looksLikeKivy, looksLikeKv, stripFence } from '../../src/services/code-processor.js';

describe('CodeProcessor', () => {
  const processor = new CodeProcessor();

  it('treats Python apps as Python and keeps every line where it was', () => {
    const code = 'from kivy.app import App\r\n\r\nclass A(App):\r\n    pass\r\n';
    const processed = processor.process(code);
    expect(processed.mode).to.equal('python');
    expect(processed.filename).to.equal('main.py');
    expect(processed.source.split('\n').slice(0, 4)).to.deep.equal(['from kivy.app import App', '', 'class A(App):', '    pass']);
  });

  it('recognises a bare KV string', () => {
    const kv = '#:import utils kivy.utils\nBoxLayout:\n    orientation: "vertical"\n    Button:\n        text: "Hi"\n';
    expect(processor.process(kv).mode).to.equal('kv');
    expect(processor.process(kv).filename).to.equal('main.kv');
  });

  it('recognises KV with class rules and a root rule', () => {
    expect(looksLikeKv('<MyButton@Button>:\n    color: 1, 0, 0, 1\n\nBoxLayout:\n    MyButton:\n')).to.equal(true);
  });

  it('does not mistake Python for KV', () => {
    expect(looksLikeKv('from kivy.app import App\nclass A(App):\n    def build(self):\n        return None\n')).to.equal(false);
    expect(looksLikeKv('print("hello")\n')).to.equal(false);
  });

  it('lets the file name decide', () => {
    expect(processor.process('Label:\n    text: "x"\n', 'ui.py').mode).to.equal('python');
    expect(processor.process('print(1)\n', 'ui.kv').mode).to.equal('kv');
  });

  it('strips one surrounding code fence and a BOM', () => {
    expect(stripFence('```python\nprint(1)\n```')).to.equal('print(1)');
    expect(processor.process('\uFEFF```py\nimport kivy\n```\n').source).to.equal('import kivy\n');
  });

  it('attaches the harness scripts in execution order', () => {
    expect(processor.process('import kivy').harness.map((script) => script.name)).to.deep.equal(['performance_wrapper', 'kivy_script_template']);
  });

  it('says whether a code block looks like Kivy', () => {
    expect(looksLikeKivy('from kivy.uix.button import Button')).to.equal(true);
    expect(looksLikeKivy('print("just python")')).to.equal(false);
  });
});
