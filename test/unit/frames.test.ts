import { expect } from 'chai';
import { FrameDecoder, FrameError, encodeRequest } from '../../src/utils/frames.js';

function frame(header: object, body = Buffer.alloc(0)): Buffer {
  const json = Buffer.from(JSON.stringify({ ...header, body_length: body.length }));
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(json.length);
  return Buffer.concat([prefix, json, body]);
}

describe('FrameDecoder', () => {
  it('reassembles frames split across chunks, byte by byte', () => {
    const decoder = new FrameDecoder({ headerBytes: 1024, bodyBytes: 1024 });
    const data = Buffer.concat([frame({ type: 'ready' }), frame({ type: 'result' }, Buffer.from('PNGDATA'))]);
    const frames = [...data].flatMap((byte) => decoder.push(Buffer.from([byte])));
    expect(frames.map((f) => f.header.type)).to.deep.equal(['ready', 'result']);
    expect(frames[1].body.toString()).to.equal('PNGDATA');
  });

  it('refuses oversized headers and bodies before buffering them', () => {
    expect(() => new FrameDecoder({ headerBytes: 10, bodyBytes: 10 }).push(frame({ type: 'a-long-header-type' }))).to.throw(FrameError, /header/);
    expect(() => new FrameDecoder({ headerBytes: 1024, bodyBytes: 3 }).push(frame({ type: 'x' }, Buffer.alloc(4)))).to.throw(FrameError, /body/);
  });

  it('refuses garbage', () => {
    const garbage = Buffer.concat([Buffer.from([0, 0, 0, 3]), Buffer.from('{{{')]);
    expect(() => new FrameDecoder({ headerBytes: 1024, bodyBytes: 1024 }).push(garbage)).to.throw(FrameError, /JSON/);
  });

  it('encodes requests with the same length prefix', () => {
    const encoded = encodeRequest({ a: 1 });
    expect(encoded.readUInt32BE(0)).to.equal(encoded.length - 4);
    expect(JSON.parse(encoded.subarray(4).toString())).to.deep.equal({ a: 1 });
  });
});
