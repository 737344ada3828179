import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { applySpecAllowances } from './spec-allowances.js';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = (addFormatsModule as unknown as { default: typeof addFormatsModule.default }).default;

const SPEC_ID = 'https://discord.local/openapi.json';
const HTTP_METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

type JsonSchema = Record<string, unknown>;

interface SpecDocument {
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, JsonSchema> };
}

interface SpecParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: JsonSchema;
}

interface SpecOperation {
  operationId?: string;
  parameters?: SpecParameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
  security?: Record<string, string[]>[];
}

/** One operation of the spec matched against a concrete request path. */
export interface MatchedOperation {
  method: string;
  /** The spec's path template, e.g. `/channels/{channel_id}/messages`. */
  template: string;
  /** Decoded path parameters by their spec name. */
  params: Record<string, string>;
  operationId: string;
  /** Whether the spec demands a bot token (no anonymous `{}` security alternative). */
  requiresBotToken: boolean;
}

interface PathTemplate {
  template: string;
  segments: string[];
  literalCount: number;
  operations: Partial<Record<(typeof HTTP_METHODS)[number], SpecOperation>>;
  pathParameters: SpecParameter[];
}

/** A request body as it reached the stand-in: `json` is the JSON body or the parsed multipart `payload_json`. */
export interface BodyForValidation {
  mediaType: 'application/json' | 'multipart/form-data' | 'none' | string;
  json: unknown;
}

/**
 * Discord's OpenAPI 3.1 description, used to validate what the bot sends (and, as a self-check, what the
 * stand-in answers). Every schema is compiled once per process and cached.
 */
export class OpenApiValidator {
  private static readonly loaded = new Map<string, OpenApiValidator>();

  /** Body validator: no type coercion, so a number where Discord wants a string is an error. */
  private readonly bodyAjv: Ajv2020;
  /** Parameter validator: path and query values are strings on the wire, so coercion is Discord's behaviour. */
  private readonly parameterAjv: Ajv2020;
  private readonly templates: PathTemplate[];
  private readonly compiled = new Map<string, ValidateFunction>();

  private constructor(specDocument: SpecDocument) {
    const document = discriminateUnions(specDocument);
    this.bodyAjv = createAjv(document, false);
    this.parameterAjv = createAjv(document, true);
    this.templates = Object.entries(document.paths)
      .map(([template, item]) => {
        const segments = template.split('/').slice(1);
        return {
          template,
          segments,
          literalCount: segments.filter((segment) => !isParameterSegment(segment)).length,
          operations: Object.fromEntries(HTTP_METHODS.filter((m) => m in item).map((m) => [m, item[m]])),
          pathParameters: (item.parameters as SpecParameter[] | undefined) ?? [],
        };
      })
      // Literal segments win over parameters: `/messages/@original` before `/messages/{message_id}`.
      .sort((a, b) => b.literalCount - a.literalCount);
  }

  static load(specPath = defaultSpecPath()): OpenApiValidator {
    let validator = this.loaded.get(specPath);
    if (!validator) {
      validator = new OpenApiValidator(JSON.parse(readFileSync(specPath, 'utf8')) as SpecDocument);
      this.loaded.set(specPath, validator);
    }
    return validator;
  }

  /** `path` is relative to `/api/v10`, e.g. `/webhooks/1/abc/messages/%40original`. */
  findOperation(method: string, path: string): MatchedOperation | undefined {
    const segments = path.split('/').slice(1).map(safeDecode);
    const lowerMethod = method.toLowerCase() as (typeof HTTP_METHODS)[number];
    for (const candidate of this.templates) {
      const operation = candidate.operations[lowerMethod];
      if (!operation || candidate.segments.length !== segments.length) continue;
      const params: Record<string, string> = {};
      const matches = candidate.segments.every((segment, index) => {
        if (!isParameterSegment(segment)) return segment === segments[index];
        params[segment.slice(1, -1)] = segments[index];
        return segments[index] !== '';
      });
      if (!matches) continue;
      return {
        method: method.toUpperCase(),
        template: candidate.template,
        params,
        operationId: operation.operationId ?? `${method} ${candidate.template}`,
        requiresBotToken: !(operation.security ?? []).some((alternative) => Object.keys(alternative).length === 0),
      };
    }
    return undefined;
  }

  /** Problems with the request's path parameters, query string and body; empty when it honours the spec. */
  validateRequest(matched: MatchedOperation, query: URLSearchParams, body: BodyForValidation): string[] {
    const { operation, pathParameters } = this.lookup(matched);
    const parameters = [...pathParameters, ...(operation.parameters ?? [])];
    const problems = [
      ...this.validateParameters(matched, 'path', parameters, { ...matched.params }),
      ...this.validateParameters(matched, 'query', parameters, Object.fromEntries(query)),
    ];
    const requestBody = operation.requestBody;
    if (body.mediaType === 'none') {
      if (requestBody?.required) problems.push('the request has no body, but the spec requires one');
      return problems;
    }
    if (!requestBody) return problems; // Discord ignores bodies on operations that take none.
    const content = requestBody.content[body.mediaType];
    if (!content) {
      problems.push(`content type ${body.mediaType} is not one of ${Object.keys(requestBody.content).join(', ')}`);
      return problems;
    }
    const pointer = `${matched.method} ${matched.template} request ${body.mediaType}`;
    return [...problems, ...this.run(this.bodyAjv, pointer, content.schema, applySpecAllowances(matched, body.json))];
  }

  /** Self-check of an answer of the stand-in: the status must be in the spec, and a JSON body fit its schema. */
  validateResponse(matched: MatchedOperation, status: number, json: unknown): string[] {
    const { operation } = this.lookup(matched);
    const response = operation.responses[String(status)];
    if (!response) return [`the spec defines no ${status} response`];
    const schema = response.content?.['application/json']?.schema;
    if (json === undefined) return schema ? [`the spec's ${status} response has a JSON body`] : [];
    if (!schema) return [`the spec's ${status} response has no JSON body`];
    return this.run(this.bodyAjv, `${matched.method} ${matched.template} response ${status}`, schema, json);
  }

  private validateParameters(
    matched: MatchedOperation,
    location: 'path' | 'query',
    parameters: SpecParameter[],
    values: Record<string, unknown>,
  ): string[] {
    const declared = parameters.filter((parameter) => parameter.in === location);
    const unknown = Object.keys(values).filter((name) => !declared.some((parameter) => parameter.name === name));
    const schema = {
      type: 'object',
      properties: Object.fromEntries(declared.map((parameter) => [parameter.name, parameter.schema])),
      required: declared.filter((parameter) => parameter.required).map((parameter) => parameter.name),
    };
    return [
      ...unknown.map((name) => `${location} parameter "${name}" is not in the spec`),
      ...this.run(this.parameterAjv, `${matched.method} ${matched.template} ${location}`, schema, values, location),
    ];
  }

  private lookup(matched: MatchedOperation): { operation: SpecOperation; pathParameters: SpecParameter[] } {
    const template = this.templates.find((candidate) => candidate.template === matched.template)!;
    const operation = template.operations[matched.method.toLowerCase() as (typeof HTTP_METHODS)[number]]!;
    return { operation, pathParameters: template.pathParameters };
  }

  private run(ajv: Ajv2020, cacheKey: string, schema: JsonSchema, value: unknown, label = 'body'): string[] {
    let validate = this.compiled.get(cacheKey);
    if (!validate) {
      validate = ajv.compile(withAbsoluteRefs(schema) as JsonSchema);
      this.compiled.set(cacheKey, validate);
    }
    return validate(value) ? [] : relevantErrors(validate.errors ?? []).map((error) => describeError(label, error));
  }
}

function createAjv(document: object, coerceTypes: boolean): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: false, coerceTypes, validateSchema: false });
  addFormats(ajv);
  ajv.addFormat('snowflake', /^(0|[1-9][0-9]*)$/);
  ajv.addFormat('nonce', true); // the spec's own maxLength already bounds it
  ajv.addSchema({ ...document, $id: SPEC_ID });
  return ajv;
}

/**
 * Discord's unions (`oneOf`/`anyOf` of components, callback types, options, ...) are told apart by `type`.
 * Where every branch requires `type` and the branches' values are disjoint, the union is rewritten into
 * "type is one of these, and if it is X, it is branch X" - equivalent, but a failing body then reports the
 * errors of the branch it was meant to be instead of one error per branch.
 */
function discriminateUnions(document: SpecDocument): SpecDocument {
  const branchSchema = (branch: JsonSchema) =>
    typeof branch.$ref === 'string' ? document.components.schemas[branch.$ref.split('/').pop()!] : branch;
  const typeValues = (schema: JsonSchema | undefined): unknown[] | undefined => {
    const type = (schema?.properties as Record<string, JsonSchema> | undefined)?.type;
    if (!type || !(schema?.required as string[] | undefined)?.includes('type')) return undefined;
    return 'const' in type ? [type.const] : Array.isArray(type.enum) ? type.enum : undefined;
  };
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (node === null || typeof node !== 'object') return node;
    const rewritten = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, rewrite(value)])) as JsonSchema;
    for (const keyword of ['oneOf', 'anyOf'] as const) {
      const branches = rewritten[keyword] as JsonSchema[] | undefined;
      if (!Array.isArray(branches)) continue;
      const values = branches.map((branch) => typeValues(branchSchema(branch)));
      const all = values.flat();
      if (values.some((value) => value === undefined) || new Set(all).size !== all.length) continue;
      const { [keyword]: _union, ...rest } = rewritten;
      return {
        ...rest,
        allOf: [
          ...((rest.allOf as JsonSchema[] | undefined) ?? []),
          { type: 'object', required: ['type'], properties: { type: { enum: all } } },
          ...branches.map((branch, index) => ({ if: { properties: { type: { enum: values[index] } } }, then: branch })),
        ],
      };
    }
    return rewritten;
  };
  return rewrite(document) as SpecDocument;
}

/** Local `#/components/...` references are rewritten to point into the document registered as SPEC_ID. */
function withAbsoluteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withAbsoluteRefs);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [
      key,
      key === '$ref' && typeof value === 'string' && value.startsWith('#') ? SPEC_ID + value : withAbsoluteRefs(value),
    ]),
  );
}

/**
 * In a union (`anyOf`/`oneOf` of request shapes or components) every rejected branch reports that its
 * `type` discriminator does not match (and a nullable's `null` arm that the value is not null), which
 * buries the one real error. Those reports and the union summaries are dropped when anything else is left.
 */
function relevantErrors(errors: ErrorObject[]): ErrorObject[] {
  const isNoise = (error: ErrorObject) =>
    ['anyOf', 'oneOf', 'if'].includes(error.keyword) ||
    (['enum', 'const'].includes(error.keyword) && /\/type$/.test(error.instancePath)) ||
    (error.keyword === 'type' && error.params.type === 'null'); // the `null` arm of a nullable union
  const relevant = errors.filter((error) => !isNoise(error));
  return relevant.length > 0 ? relevant : errors;
}

function describeError(label: string, error: ErrorObject): string {
  const where = error.instancePath === '' ? label : `${label} ${error.instancePath}`;
  return `${where} ${error.message ?? error.keyword} ${JSON.stringify(error.params)} (spec ${error.schemaPath})`;
}

function isParameterSegment(segment: string): boolean {
  return segment.startsWith('{') && segment.endsWith('}');
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** `<repo>/../shared/discord-api-spec/openapi.json`, the repository being the nearest ancestor with a package.json. */
function defaultSpecPath(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'package.json'))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error('FakeDiscord: no package.json above the stand-in; pass specPath');
    directory = parent;
  }
  return resolve(directory, '..', 'shared', 'discord-api-spec', 'openapi.json');
}
