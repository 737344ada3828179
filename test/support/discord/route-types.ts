import type { APIMessage } from 'discord.js';
import type { UploadedFile } from './request-body.js';

/** A spec-checked request, as route handlers see it. */
export interface RouteRequest {
  /** Decoded path parameters by their spec names (`channel_id`, `webhook_token`, ...). */
  params: Record<string, string>;
  query: URLSearchParams;
  /** The JSON body or multipart `payload_json`; `any` because the spec check already vouched for its shape. */
  json: any;
  files: UploadedFile[];
  /** When the request reached the stand-in (before parsing and validation), in ms since the epoch. */
  arrivedAt: number;
}

/** `body` undefined means 204 No Content. */
export interface RouteResult {
  status: number;
  body?: unknown;
}

/** Handlers by `METHOD /spec/path/{template}`. */
export type RouteTable = Record<string, (request: RouteRequest) => RouteResult>;

export const ok = (body: unknown): RouteResult => ({ status: 200, body });
export const noContent = (): RouteResult => ({ status: 204 });

/** What the gateway tells connected bots about messages (MESSAGE_CREATE/UPDATE/DELETE). */
export interface MessageEvents {
  created(message: APIMessage): void;
  updated(message: APIMessage): void;
  deleted(message: APIMessage): void;
}
