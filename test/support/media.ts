import { spawnSync } from 'node:child_process';

export interface GifInfo {
  width: number;
  height: number;
  frames: number;
  /** Each frame's delay from its Graphic Control Extension, in ms. */
  delaysMs: number[];
}

/** Walks a GIF's blocks (no pixel decoding): logical screen size, image descriptors and their delays. */
export function gifInfo(gif: Buffer): GifInfo {
  const signature = gif.subarray(0, 6).toString('latin1');
  if (!/^GIF8[79]a$/.test(signature)) throw new Error(`not a GIF (starts with ${JSON.stringify(signature)})`);
  const width = gif.readUInt16LE(6);
  const height = gif.readUInt16LE(8);
  const colorTable = (packed: number) => (packed & 0x80 ? 3 * 2 ** ((packed & 0x07) + 1) : 0);
  let offset = 13 + colorTable(gif[10]);
  const skipSubBlocks = () => {
    while (gif[offset] !== 0) offset += gif[offset] + 1;
    offset++;
  };
  let frames = 0;
  const delaysMs: number[] = [];
  for (;;) {
    if (offset >= gif.length) throw new Error('the GIF ends without a trailer');
    const block = gif[offset];
    if (block === 0x3b) break;
    if (block === 0x21) {
      if (gif[offset + 1] === 0xf9) delaysMs.push(gif.readUInt16LE(offset + 4) * 10);
      offset += 2;
      skipSubBlocks();
    } else if (block === 0x2c) {
      frames++;
      offset += 10 + colorTable(gif[offset + 9]) + 1; // descriptor, local colour table, LZW code size
      skipSubBlocks();
    } else {
      throw new Error(`unexpected GIF block 0x${block.toString(16)} at ${offset}`);
    }
  }
  return { width, height, frames, delaysMs };
}

export interface ProbedClip {
  codec: string;
  width: number;
  height: number;
  frames: number;
  /** MD5 of each decoded frame (ffmpeg's framemd5), in order. */
  frameHashes: string[];
}

/**
 * Decodes a GIF or MP4 with ffprobe and ffmpeg inside the render image (the host has neither), in a
 * throw-away container without network that is removed afterwards.
 */
export function probeClip(image: string, clip: Buffer): ProbedClip {
  const script = [
    'cat > /tmp/clip',
    'ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=codec_name,width,height,nb_read_frames -of json /tmp/clip',
    'echo ----',
    'ffmpeg -v error -i /tmp/clip -fps_mode passthrough -f framemd5 -',
  ].join(' && ');
  const run = spawnSync('docker', ['run', '--rm', '-i', '--network', 'none', '--read-only', '--tmpfs', '/tmp:size=64m', '--entrypoint', 'sh', image, '-c', script], {
    input: clip,
    maxBuffer: 16 << 20,
    timeout: 60_000,
  });
  if (run.status !== 0) throw new Error(`probing the clip failed (${run.status}): ${run.stderr?.toString() ?? run.error}`);
  const [json, hashes] = run.stdout.toString().split('----\n');
  const stream = (JSON.parse(json) as { streams: Record<string, string | number>[] }).streams[0];
  return {
    codec: String(stream.codec_name),
    width: Number(stream.width),
    height: Number(stream.height),
    frames: Number(stream.nb_read_frames),
    frameHashes: hashes.split('\n').filter((line) => line && !line.startsWith('#')).map((line) => line.split(',').pop()!.trim()),
  };
}
