import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import pngjs from 'pngjs';

/** A file the bot uploaded (`files[n]` of a multipart request). */
export interface UploadedFile {
  /** The form field, e.g. `files[0]`. */
  field: string;
  name: string;
  contentType: string;
  bytes: Buffer;
  /** Decoded dimensions, for PNGs. */
  width?: number;
  height?: number;
}

/** A file a test user uploads (an attachment option, a message attachment). */
export interface UserFile {
  name: string;
  data: Buffer | Uint8Array | string;
  contentType?: string;
}

export interface ParsedRequestBody {
  /** `application/json`, `multipart/form-data`, `none` (no body) or whatever else the client sent. */
  mediaType: string;
  /** The JSON body, or for multipart the parsed `payload_json` (or the plain form fields when there is none). */
  json: unknown;
  files: UploadedFile[];
  /** Malformed JSON, a `.png` that is not a PNG, ... */
  problems: string[];
}

const MAX_FORM_FIELD_BYTES = 32 * 1024 * 1024;

export async function readRequestBody(request: IncomingMessage): Promise<ParsedRequestBody> {
  const mediaType = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (mediaType === 'multipart/form-data') return readMultipart(request);
  const raw = await readAll(request);
  if (raw.length === 0) return { mediaType: 'none', json: undefined, files: [], problems: [] };
  if (mediaType !== 'application/json') {
    return { mediaType: mediaType || 'none', json: raw.toString('utf8'), files: [], problems: [] };
  }
  try {
    return { mediaType, json: JSON.parse(raw.toString('utf8')), files: [], problems: [] };
  } catch (error) {
    return { mediaType, json: undefined, files: [], problems: [`the JSON body does not parse: ${String(error)}`] };
  }
}

function readMultipart(request: IncomingMessage): Promise<ParsedRequestBody> {
  return new Promise((resolve, reject) => {
    const fields = new Map<string, string>();
    const files: UploadedFile[] = [];
    const problems: string[] = [];
    const parser = busboy({ headers: request.headers, limits: { fieldSize: MAX_FORM_FIELD_BYTES } });
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) problems.push(`form field ${name} is larger than the stand-in accepts`);
      fields.set(name, value);
    });
    parser.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const file: UploadedFile = {
          field,
          name: info.filename ?? '',
          contentType: info.mimeType,
          bytes: Buffer.concat(chunks),
        };
        problems.push(...inspectImage(file));
        files.push(file);
      });
    });
    parser.on('error', reject);
    parser.on('close', () => {
      const payloadJson = fields.get('payload_json');
      let json: unknown = Object.fromEntries(fields);
      if (payloadJson !== undefined) {
        try {
          json = JSON.parse(payloadJson);
        } catch (error) {
          problems.push(`payload_json does not parse: ${String(error)}`);
        }
      }
      resolve({ mediaType: 'multipart/form-data', json, files, problems });
    });
    request.pipe(parser);
  });
}

/** A user's file as if it had been uploaded as form field `field`. */
export function userUpload(file: UserFile, field: string): UploadedFile {
  const upload: UploadedFile = { field, name: file.name, contentType: file.contentType ?? '', bytes: Buffer.from(file.data) };
  inspectImage(upload);
  return upload;
}

/** Records a PNG's dimensions; a file named `*.png` must really be one. */
export function inspectImage(file: UploadedFile): string[] {
  const namedPng = file.name.toLowerCase().endsWith('.png');
  if (!namedPng && file.contentType !== 'image/png') return [];
  try {
    const png = pngjs.PNG.sync.read(file.bytes);
    file.width = png.width;
    file.height = png.height;
    return [];
  } catch (error) {
    return namedPng ? [`${file.field} "${file.name}" is not a valid PNG: ${String(error)}`] : [];
  }
}

function readAll(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
