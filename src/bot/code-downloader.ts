import { extname } from 'node:path';
import { inject, injectable } from 'tsyringe';
import type { EngineConfig } from '../config.js';
import { Tokens } from '../tokens.js';
import { InfrastructureError, ValidationError } from '../utils/errors.js';

/** An uploaded file as Discord describes it. */
export interface CodeFile {
  name: string;
  url: string;
  size: number;
}

/** Code to render; `filename` decides Python vs KV when it ends in .py or .kv. */
export interface Snippet {
  code: string;
  filename?: string;
}

export interface ICodeDownloader {
  /** Throws a ValidationError for a file that is not .py/.kv or is larger than the code limit. */
  check(file: CodeFile): void;
  /** Checks, then downloads and decodes the file (UTF-8). */
  download(file: CodeFile): Promise<Snippet>;
  /** Downloads and decodes any text file (e.g. a reply's steps.txt), refusing more than `maxBytes`. */
  downloadText(file: CodeFile, maxBytes: number): Promise<string>;
}

const EXTENSIONS = ['.py', '.kv'];
const DOWNLOAD_TIMEOUT_MS = 10_000;

@injectable()
export class CodeDownloader implements ICodeDownloader {
  constructor(@inject(Tokens.Config) private readonly config: EngineConfig) {}

  check(file: CodeFile): void {
    if (!EXTENSIONS.includes(extname(file.name).toLowerCase())) {
      throw new ValidationError(`"${file.name}" is not a .py or .kv file: attach Kivy code as Python (.py) or KV (.kv).`);
    }
    if (file.size > this.config.maxCodeBytes) {
      throw new ValidationError(`"${file.name}" is ${Math.ceil(file.size / 1024)} KiB; the limit is ${Math.floor(this.config.maxCodeBytes / 1024)} KiB.`);
    }
  }

  async download(file: CodeFile): Promise<Snippet> {
    this.check(file);
    return { code: await this.downloadText(file, this.config.maxCodeBytes), filename: file.name };
  }

  async downloadText(file: CodeFile, maxBytes: number): Promise<string> {
    let bytes: Buffer;
    try {
      const response = await fetch(file.url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      bytes = await this.readCapped(response.body, file.name, maxBytes);
    } catch (error) {
      if (error instanceof ValidationError) throw error;
      throw new InfrastructureError(`Could not download "${file.name}" from Discord. Please try again.`, { cause: error });
    }
    return new TextDecoder('utf-8').decode(bytes);
  }

  /** Reads at most `maxBytes`, whatever size the file claimed. */
  private async readCapped(body: ReadableStream<Uint8Array>, name: string, maxBytes: number): Promise<Buffer> {
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of body) {
      total += chunk.byteLength;
      // Throwing out of the loop cancels the stream.
      if (total > maxBytes) throw new ValidationError(`"${name}" is larger than the ${Math.floor(maxBytes / 1024)} KiB limit.`);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }
}
